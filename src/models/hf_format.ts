// The Hugging Face layout of a LayoutLMv3 task checkpoint (config.json + model.safetensors), both ways:
// HF config ⇄ AETNetConfig + labels, HF tensor names ⇄ ours. Pure functions; file reading is in hf_checkpoint.ts.
import { FormatError } from "../../engine/index.ts";
import { tiny, type AETNetConfig, type EncoderSizes } from "../config.ts";
import type { TaskKind } from "../train/run_types.ts";
import { isRecord } from "../data/json_value.ts";

/**
 * Architectures by task kind. A model trained here with its alignment encoders (align: true) is not a plain
 * LayoutLMv3: the RoBERTa and ViT outputs are added inside the fusion model's embeddings, so it is exported under
 * its own architecture name with an `aetnet` block in config.json, and transformers' LayoutLMv3 classes would load
 * its fusion part only (and give other logits). A model trained with --no-align is exactly a HF LayoutLMv3.
 */
export const HF_ARCHITECTURES: Record<TaskKind, string> = {
  token: "LayoutLMv3ForTokenClassification",
  sequence: "LayoutLMv3ForSequenceClassification",
};
export const AET_ARCHITECTURES: Record<TaskKind, string> = {
  token: "AETNetForTokenClassification",
  sequence: "AETNetForSequenceClassification",
};

/** The alignment encoders' sizes in config.json (our own block; transformers ignores unknown config keys). */
export interface AetBlock {
  text: EncoderSizes & { layer_norm_eps: number };
  vision: EncoderSizes & { layer_norm_eps: number };
  embed_dim: number;
  temperature: number;
  pita_cell: number;
}

/** How long pages were cut into token windows in training; exported so predict on the export windows alike. */
export interface Windows { max_length: number; stride: number }

export interface HfModelSpec {
  config: AETNetConfig;
  kind: TaskKind;
  /** Label names in id order, from id2label. */
  labels: string[];
  /** From our `aetnet_windows` key (exports of runs trained here); absent in checkpoints from elsewhere. */
  windows?: Windows;
}

/** config.json → our config (align: false unless the file has an `aetnet` block), task kind and labels. */
export function fromHfConfig(json: unknown, source: string): HfModelSpec {
  const fail = (what: string): never => { throw new FormatError("loadHfCheckpoint", `${source}: ${what}`); };
  if (!isRecord(json)) return fail("config.json is not a JSON object");
  if (json.model_type !== "layoutlmv3") fail(`model_type must be "layoutlmv3", got ${JSON.stringify(json.model_type)}`);
  const int = (key: string, fallback?: number): number => {
    const v = json[key] ?? fallback;
    return Number.isInteger(v) && (v as number) > 0 ? (v as number) : fail(`${key} must be a positive integer, got ${JSON.stringify(v)}`);
  };
  const float = (key: string, fallback: number): number => {
    const v = json[key] ?? fallback;
    return typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : fail(`${key} must be a number ≥ 0, got ${JSON.stringify(v)}`);
  };
  for (const flag of ["has_relative_attention_bias", "has_spatial_attention_bias", "visual_embed", "text_embed"]) {
    if (json[flag] === false) fail(`${flag} is false; only the full LayoutLMv3 (text, image, 1-D and 2-D biases) is supported`);
  }
  if (json.hidden_act !== undefined && json.hidden_act !== "gelu") fail(`hidden_act must be "gelu", got ${JSON.stringify(json.hidden_act)}`);
  const arch = Array.isArray(json.architectures) ? json.architectures[0] : undefined;
  const kind = (Object.keys(HF_ARCHITECTURES) as TaskKind[]).find((k) => HF_ARCHITECTURES[k] === arch || AET_ARCHITECTURES[k] === arch);
  if (kind === undefined) {
    fail(`architectures[0] must be one of ${[...Object.values(HF_ARCHITECTURES), ...Object.values(AET_ARCHITECTURES)].join(", ")}, got ${JSON.stringify(arch)}`);
  }
  const labels = readId2Label(json.id2label, fail);
  const hidden = int("hidden_size"), coordinateSize = int("coordinate_size"), shapeSize = int("shape_size");
  if (4 * coordinateSize + 2 * shapeSize !== hidden) fail(`hidden_size ${hidden} must be 4·coordinate_size + 2·shape_size (${4 * coordinateSize + 2 * shapeSize})`);
  const fusion: AETNetConfig["fusion"] = {
    hidden, layers: int("num_hidden_layers"), heads: int("num_attention_heads"), intermediate: int("intermediate_size"),
    coordinateSize, shapeSize, max2dPositions: int("max_2d_position_embeddings", 1024),
    relPosBins: int("rel_pos_bins", 32), maxRelPos: int("max_rel_pos", 128),
    rel2dPosBins: int("rel_2d_pos_bins", 64), maxRel2dPos: int("max_rel_2d_pos", 256), layerNormEps: float("layer_norm_eps", 1e-5),
  };
  if (hidden % fusion.heads !== 0) fail(`hidden_size ${hidden} is not a multiple of num_attention_heads ${fusion.heads}`);
  const rawAet = json.aetnet;
  if (rawAet !== undefined && !isAetBlock(rawAet)) fail("the aetnet block must hold text, vision (hidden, layers, heads, intermediate, layer_norm_eps), embed_dim, temperature, pita_cell");
  const aet = rawAet as AetBlock | undefined;
  const inputSize = int("input_size", 224), patchSize = int("patch_size", 16);
  if (inputSize % patchSize !== 0) fail(`input_size ${inputSize} is not a multiple of patch_size ${patchSize}`);
  const sizes = (s: AetBlock["text"]): AETNetConfig["text"] => ({ hidden: s.hidden, layers: s.layers, heads: s.heads, intermediate: s.intermediate, layerNormEps: s.layer_norm_eps });
  const config: AETNetConfig = {
    ...tiny,
    name: typeof json._name_or_path === "string" && json._name_or_path !== "" ? json._name_or_path : "hf-layoutlmv3",
    fusion,
    // Unused when align is false, but the config type needs sizes: the fusion encoder's.
    text: aet ? sizes(aet.text) : { ...pickSizes(fusion), layerNormEps: fusion.layerNormEps },
    vision: aet ? sizes(aet.vision) : { ...pickSizes(fusion), layerNormEps: 1e-6 },
    vocabSize: int("vocab_size"), padTokenId: int("pad_token_id", 1), maxPositions: int("max_position_embeddings"),
    typeVocabSize: int("type_vocab_size", 1), imageSize: inputSize, patchSize, channels: int("num_channels", 3),
    hiddenDropout: float("hidden_dropout_prob", 0.1), attentionDropout: float("attention_probs_dropout_prob", 0.1),
    embedDim: aet?.embed_dim ?? tiny.embedDim, temperature: aet?.temperature ?? tiny.temperature, pitaCell: aet?.pita_cell ?? tiny.pitaCell,
    align: aet !== undefined,
    // A loaded checkpoint is for inference: no momentum encoders or queues (contrastive losses off).
    losses: { ditc: false, imc: false, glitc: false, pita: aet !== undefined },
  };
  const w = json.aetnet_windows;
  const windows = isRecord(w) && Number.isInteger(w.max_length) && Number.isInteger(w.stride) ? { max_length: Number(w.max_length), stride: Number(w.stride) } : undefined;
  if (w !== undefined && windows === undefined) fail("aetnet_windows must be {\"max_length\": integer, \"stride\": integer}");
  return { config, kind: kind!, labels, ...(windows ? { windows } : {}) };
}

const pickSizes = (s: EncoderSizes): EncoderSizes => ({ hidden: s.hidden, layers: s.layers, heads: s.heads, intermediate: s.intermediate });

function readId2Label(raw: unknown, fail: (what: string) => never): string[] {
  if (!isRecord(raw) || Object.keys(raw).length === 0) return fail("id2label must be a non-empty {\"0\": \"label\", ...} object (the head's label names)");
  const n = Object.keys(raw).length;
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = raw[String(i)];
    if (typeof name !== "string") return fail(`id2label must name every id 0..${n - 1}; id ${i} is ${JSON.stringify(name)}`);
    labels.push(name);
  }
  return labels;
}

function isAetBlock(v: unknown): v is AetBlock {
  const enc = (e: unknown): boolean => isRecord(e) && ["hidden", "layers", "heads", "intermediate"].every((k) => Number.isInteger(e[k]) && (e[k] as number) > 0) && typeof e.layer_norm_eps === "number";
  return isRecord(v) && enc(v.text) && enc(v.vision) && Number.isInteger(v.embed_dim) && typeof v.temperature === "number" && Number.isInteger(v.pita_cell);
}

/** Our config + task + labels → config.json (key order fixed, so an export is byte-for-byte reproducible). */
export function toHfConfig(config: AETNetConfig, kind: TaskKind, labels: readonly string[], windows?: Windows): Record<string, unknown> {
  const f = config.fusion;
  const id2label = Object.fromEntries(labels.map((l, i) => [String(i), l]));
  const label2id = Object.fromEntries(labels.map((l, i) => [l, i]));
  const out: Record<string, unknown> = {
    architectures: [(config.align ? AET_ARCHITECTURES : HF_ARCHITECTURES)[kind]],
    model_type: "layoutlmv3",
    hidden_size: f.hidden, num_hidden_layers: f.layers, num_attention_heads: f.heads, intermediate_size: f.intermediate,
    hidden_act: "gelu", hidden_dropout_prob: config.hiddenDropout, attention_probs_dropout_prob: config.attentionDropout,
    coordinate_size: f.coordinateSize, shape_size: f.shapeSize, max_2d_position_embeddings: f.max2dPositions,
    has_relative_attention_bias: true, rel_pos_bins: f.relPosBins, max_rel_pos: f.maxRelPos,
    has_spatial_attention_bias: true, rel_2d_pos_bins: f.rel2dPosBins, max_rel_2d_pos: f.maxRel2dPos,
    layer_norm_eps: f.layerNormEps, initializer_range: 0.02,
    vocab_size: config.vocabSize, max_position_embeddings: config.maxPositions, type_vocab_size: config.typeVocabSize,
    pad_token_id: config.padTokenId, bos_token_id: 0, eos_token_id: 2,
    input_size: config.imageSize, patch_size: config.patchSize, num_channels: config.channels,
    text_embed: true, visual_embed: true, torch_dtype: "float32",
    id2label, label2id,
  };
  if (config.align) {
    const enc = (s: AETNetConfig["text"]): AetBlock["text"] => ({ ...pickSizes(s), layer_norm_eps: s.layerNormEps });
    const block: AetBlock = { text: enc(config.text), vision: enc(config.vision), embed_dim: config.embedDim, temperature: config.temperature, pita_cell: config.pitaCell };
    out.aetnet = block;
  }
  if (windows) out.aetnet_windows = windows;
  return out;
}

/**
 * HF tensor name → ours, or null for tensors we drop: the `embeddings.position_ids` buffer older checkpoints carry.
 * `layoutlmv3.*` and `classifier.*` are the fusion model and its head; the alignment encoders of an AETNet export keep
 * the official AET names (`visual_encoder.*`, `text_encoder.roberta.*`, `vision_proj.*`, `text_proj.*`, `temp`).
 */
export function hfToOurKey(key: string): string | null {
  if (key.endsWith("embeddings.position_ids")) return null;
  if (key.startsWith("layoutlmv3.") || key.startsWith("classifier.")) return `fusion_model.${key}`;
  return key;
}

/** Our name → HF's, or null for what an export leaves out: momentum copies and queues (training-only state). */
export function ourToHfKey(key: string): string | null {
  if (/^(visual_encoder_m|vision_proj_m|text_encoder_m|text_proj_m)\./.test(key) || /^(image_queue|text_queue|queue_ptr)$/.test(key)) return null;
  if (key.startsWith("fusion_model.")) return key.slice("fusion_model.".length);
  return key;
}
