// A run's fingerprint: what its checkpoints were trained on (the data documents and their hashes, the tokenizer),
// saved in every checkpoint so a resume can refuse data, tokenizer or settings that changed, with a one-line reason.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AETNetConfig } from "../config.ts";
import type { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import type { PreparedDoc, RunFingerprint, RunSettings } from "./run_types.ts";

export function runFingerprint(tokenizer: ByteLevelBPE, train: readonly PreparedDoc[], held: readonly PreparedDoc[]): RunFingerprint {
  return { tokenizer: tokenizerHash(tokenizer), train: train.map(docEntry), eval: held.map(docEntry) };
}

export function tokenizerHash(tok: ByteLevelBPE): string {
  const h = createHash("sha256");
  for (const [token, id] of [...tok.vocab].sort((a, b) => a[1] - b[1])) h.update(`${id}\t${token}\n`);
  h.update("merges\n");
  for (const [a, b] of tok.merges) h.update(`${a} ${b}\n`);
  return h.digest("hex");
}

function docEntry(p: PreparedDoc): [string, string] {
  const d = p.doc;
  const h = createHash("sha256");
  h.update(JSON.stringify({ words: d.words, boxes: d.boxes, labels: d.labels ?? null, width: d.width, height: d.height, label: p.label ?? null }));
  if (d.imagePath !== undefined) {
    try { h.update(readFileSync(d.imagePath)); } catch { h.update(`unreadable ${d.imagePath}`); }
  } else {
    h.update(new Uint8Array(p.pixels.buffer, p.pixels.byteOffset, p.pixels.byteLength));
  }
  return [d.id, h.digest("hex")];
}

/** Why a resume would continue another run, as one clause; null when the fingerprint, settings and config match. */
export function resumeMismatch(saved: { fingerprint?: RunFingerprint; settings: RunSettings; config: AETNetConfig }, now: { fingerprint: RunFingerprint; settings: RunSettings; config: AETNetConfig }): string | null {
  // fields added later, absent in older checkpoints, read as their defaults
  const defaults = { kind: "token", chunking: "overlap" };
  const then = { ...defaults, ...saved.settings } as RunSettings;
  const settings = differingKeys(then as unknown as Record<string, unknown>, { ...defaults, ...now.settings });
  if (settings.length > 0) return `settings differ (${settings.map((k) => `${k}: ${show(then, k)} then, ${show(now.settings, k)} now`).join("; ")})`;
  const config = differingKeys(saved.config as unknown as Record<string, unknown>, now.config as unknown as Record<string, unknown>);
  if (config.length > 0) return `model config differs (${config.join(", ")})`;
  const f = saved.fingerprint;
  if (f === undefined) return null; // checkpoints from before fingerprints: settings and config are all there is
  if (f.tokenizer !== now.fingerprint.tokenizer) return "the tokenizer differs from the one saved in the checkpoint";
  for (const split of ["train", "eval"] as const) {
    const [a, b] = [f[split], now.fingerprint[split]];
    const what = split === "train" ? "training" : "held-out";
    const i = a.findIndex((e, k) => b[k] === undefined || e[0] !== b[k][0] || e[1] !== b[k][1]);
    if (a.length !== b.length || i >= 0) {
      const at = i >= 0 ? i : Math.min(a.length, b.length);
      const detail = at < a.length && at < b.length && a[at][0] === b[at][0] ? `"${a[at][0]}" changed` : `document ${at + 1} is ${b[at] ? `"${b[at][0]}"` : "missing"} now, was ${a[at] ? `"${a[at][0]}"` : "absent"}`;
      return `the ${what} data differ: ${b.length} documents now, ${a.length} in the checkpoint; ${detail}`;
    }
  }
  return null;
}

const differingKeys = (a: Record<string, unknown>, b: Record<string, unknown>): string[] =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null)).sort();

const show = (o: RunSettings, k: string): string => {
  const v = JSON.stringify((o as unknown as Record<string, unknown>)[k] ?? null);
  return v.length > 40 ? `${v.slice(0, 37)}...` : v;
};
