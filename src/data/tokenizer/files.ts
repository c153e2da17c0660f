// Loads a tokenizer from HF tokenizer.json or vocab.json + merges.txt, and saves one as vocab.json + merges.txt.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ByteLevelBPE, TokenizerError } from "./bpe.ts";
import { isRecord } from "../json_value.ts";

function readText(path: string): string {
  if (!existsSync(path)) throw new TokenizerError(`${path}: file is missing`);
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new TokenizerError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function parseJson(path: string): unknown {
  try { return JSON.parse(readText(path)); } catch (err) {
    if (err instanceof TokenizerError) throw err;
    throw new TokenizerError(`${path}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

function toVocab(path: string, raw: unknown): Map<string, number> {
  if (!isRecord(raw)) throw new TokenizerError(`${path}: vocabulary is not a {token: id} object`);
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(raw)) {
    if (!Number.isSafeInteger(id) || (id as number) < 0) {
      throw new TokenizerError(`${path}: id of ${JSON.stringify(token)} is not a non-negative integer`);
    }
    vocab.set(token, Number(id));
  }
  return vocab;
}

/** A merge written "a b" (merges.txt, older tokenizer.json) or ["a", "b"] (newer tokenizer.json). */
function toMerge(path: string, m: unknown, i: number): [string, string] {
  const parts = typeof m === "string" ? m.split(" ") : Array.isArray(m) ? m : [];
  if (parts.length !== 2 || typeof parts[0] !== "string" || typeof parts[1] !== "string") {
    throw new TokenizerError(`${path}: merge ${i} is not a pair: ${JSON.stringify(m)}`);
  }
  return [parts[0], parts[1]];
}

/** GPT-2 / RoBERTa files: vocab.json ({token: id}) and merges.txt (optional "#version" line, then "a b" per line). */
export function loadVocabMerges(vocabPath: string, mergesPath: string): ByteLevelBPE {
  return vocabMergesFromText(readText(vocabPath), readText(mergesPath), vocabPath, mergesPath);
}

/** loadVocabMerges on the files' contents (the names label errors): for callers without a file system. */
export function vocabMergesFromText(
  vocabText: string, mergesText: string, vocabPath = "vocab.json", mergesPath = "merges.txt",
): ByteLevelBPE {
  let raw: unknown;
  try { raw = JSON.parse(vocabText); } catch (err) {
    throw new TokenizerError(`${vocabPath}: invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const vocab = toVocab(vocabPath, raw);
  const merges = mergesText.split("\n").filter((l, i) => l.trim().length > 0 && !(i === 0 && l.startsWith("#version")))
    .map((l, i) => toMerge(mergesPath, l.replace(/\r$/, ""), i));
  return new ByteLevelBPE(vocab, merges);
}

/** A HuggingFace `tokenizer.json` with a BPE model; added tokens (<s>, <mask>, ...) join the vocabulary. */
export function loadTokenizerJson(path: string): ByteLevelBPE {
  const json = parseJson(path);
  const model = isRecord(json) ? json.model : undefined;
  if (!isRecord(json) || !isRecord(model) || model.type !== "BPE" || !Array.isArray(model.merges)) {
    throw new TokenizerError(
      `${path}: not a tokenizer.json with a BPE model (model.type "BPE", model.vocab, model.merges)`);
  }
  const vocab = toVocab(path, model.vocab);
  for (const added of Array.isArray(json.added_tokens) ? json.added_tokens : []) {
    if (isRecord(added) && typeof added.content === "string" && Number.isSafeInteger(added.id)
      && (added.id as number) >= 0) vocab.set(added.content, Number(added.id));
  }
  return new ByteLevelBPE(vocab, model.merges.map((m: unknown, i: number) => toMerge(path, m, i)));
}

/** Writes `dir/vocab.json` and `dir/merges.txt` in the GPT-2 format (loadable by HF and by loadVocabMerges). */
export function saveVocabMerges(tokenizer: ByteLevelBPE, dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "vocab.json"), JSON.stringify(Object.fromEntries(tokenizer.vocab)));
  const merges = ["#version: 0.2", ...tokenizer.merges.map(([a, b]) => `${a} ${b}`)];
  writeFileSync(join(dir, "merges.txt"), merges.join("\n") + "\n");
}
