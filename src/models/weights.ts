// Pretrained weights for AETNet: key mapping from the public checkpoints (timm DeiT, HF RoBERTa, HF LayoutLMv3,
// an official AET state dict) to our parameter names, and a loader for safetensors files.
import { io, type Tensor, type nn } from "../../engine/index.ts";
import type { AETNet } from "./aetnet.ts";

/**
 * Key mapping (checkpoint → ours; null = dropped):
 *   timm DeiT (`deit_base_patch16_224`):  `<k>` → `visual_encoder.<k>`; `head.*`, `head_dist.*`, `dist_token`, `fc_norm.*`
 *     dropped (AET loads with strict=False, so the classifier head is discarded).
 *   HF RoBERTa (`roberta-base`, RobertaModel or RobertaForMaskedLM): `[roberta.]<k>` → `text_encoder.roberta.<k>`;
 *     `lm_head.*`, `pooler.*` and the `embeddings.position_ids` buffer dropped; legacy LayerNorm `gamma`/`beta` → `weight`/`bias`.
 *   HF LayoutLMv3 (`microsoft/layoutlmv3-base`): `[layoutlmv3.]<k>` → `fusion_model.layoutlmv3.<k>`; `classifier.*` (the
 *     head is new in AET) and `embeddings.position_ids` dropped.
 *   Official AET state dict: identical names, except `text_encoder{,_m}.lm_head.*` (we hold no lm_head) and
 *     `*.position_ids` buffers, which are dropped.
 * A leading `module.` (DDP) or `model.` (timm's checkpoint wrapper key flattened) is stripped everywhere.
 */
const wrapper = /^(module\.|model\.)/;

/** Maps a timm DeiT key to the model's visual_encoder name (null to skip it). */
export function deitKey(key: string): string | null {
  const k = key.replace(wrapper, "");
  if (/^(head|head_dist|fc_norm)\./.test(k) || k === "dist_token") return null;
  return `visual_encoder.${k}`;
}

/** Maps a Hugging Face RoBERTa key to the model's text_encoder name (null to skip it). */
export function robertaKey(key: string): string | null {
  const k = key.replace(wrapper, "").replace(/^roberta\./, "");
  if (/^(lm_head|pooler)\./.test(k) || k === "embeddings.position_ids") return null;
  return `text_encoder.roberta.${k.replace(/\.gamma$/, ".weight").replace(/\.beta$/, ".bias")}`;
}

/** Maps a Hugging Face LayoutLMv3 key to the model's fusion_model name (null to skip it). */
export function layoutlmv3Key(key: string): string | null {
  const k = key.replace(wrapper, "").replace(/^(fusion_model\.)?(layoutlmv3\.)?/, "");
  if (k.startsWith("classifier.") || k === "embeddings.position_ids") return null;
  return `fusion_model.layoutlmv3.${k}`;
}

/** Maps an official AET checkpoint key to the model's name (null to skip it). */
export function aetKey(key: string): string | null {
  const k = key.replace(wrapper, "");
  if (/^text_encoder(_m)?\.lm_head\./.test(k) || k.endsWith("position_ids")) return null;
  return k;
}

/** Maps a checkpoint key to the model's parameter name, or null to skip it. */
export type KeyMap = (key: string) => string | null;

/** Renames a checkpoint's tensors with map, dropping the nulls; two keys mapping to one name is an error. */
export function mapStateDict(sd: nn.StateDict, map: KeyMap): { mapped: nn.StateDict; dropped: string[] } {
  const mapped: nn.StateDict = {};
  const dropped: string[] = [];
  const source = new Map<string, string>();
  for (const [key, value] of Object.entries(sd)) {
    const k = map(key);
    if (k === null) { dropped.push(key); continue; }
    const first = source.get(k);
    if (first !== undefined) throw new Error(`[mapStateDict] two checkpoint keys map to ${k}: ${first} and ${key}`);
    source.set(k, key);
    mapped[k] = value;
  }
  return { mapped, dropped };
}

/** Safetensors files to load: LayoutLMv3, RoBERTa, DeiT or an official AET checkpoint (each optional). */
export interface PretrainedPaths {
  /** HF LayoutLMv3 safetensors (e.g. microsoft/layoutlmv3-base model.safetensors). */
  layoutlmv3?: string;
  /** HF RoBERTa safetensors (roberta-base). */
  roberta?: string;
  /** timm DeiT safetensors (deit_base_patch16_224). */
  deit?: string;
  /** A full AETNet / official AET state dict in safetensors. */
  aet?: string;
}

/** What loadPretrained did: checkpoint keys loaded, dropped, unexpected and mismatched in shape. */
export interface LoadReport {
  /** Our keys that received values. */
  loaded: string[];
  /** Checkpoint keys dropped by the mapping (heads, pooler, buffers). */
  dropped: string[];
  /** Mapped keys that the model does not have, or whose shape differs (with both shapes). */
  unexpected: string[];
  mismatched: string[];
}

/**
 * Loads each given checkpoint into its component (non-strict: the report lists what did not fit), then re-copies
 * the online weights into the momentum encoders, as the official code builds them from the pretrained models
 * before `copy_params`. Differs from AET: DeiT `pos_embed` is not interpolated (AET's interpolation is a no-op at 224).
 */
export function loadPretrained(model: AETNet, paths: PretrainedPaths, read: (path: string) => Record<string, Tensor> = (p) => io.loadSafetensors(p).tensors): LoadReport {
  const report: LoadReport = { loaded: [], dropped: [], unexpected: [], mismatched: [] };
  const sources: [string | undefined, KeyMap][] = [[paths.aet, aetKey], [paths.layoutlmv3, layoutlmv3Key], [paths.roberta, robertaKey], [paths.deit, deitKey]];
  for (const [path, map] of sources) {
    if (path === undefined) continue;
    const { mapped, dropped } = mapStateDict(read(path), map);
    const result = model.loadStateDict(mapped, { strict: false });
    report.dropped.push(...dropped);
    report.unexpected.push(...result.unexpected);
    report.mismatched.push(...result.mismatched);
    const bad = new Set([...result.unexpected, ...result.mismatched.map((m) => m.split(":")[0])]);
    report.loaded.push(...Object.keys(mapped).filter((k) => !bad.has(k)));
  }
  if (paths.aet === undefined) model.copyMomentum();
  return report;
}
