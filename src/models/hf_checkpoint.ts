// Reads and writes Hugging Face LayoutLMv3 task-checkpoint folders: config.json + model.safetensors (+ the RoBERTa
// tokenizer files vocab.json / merges.txt or tokenizer.json). Key and config mapping: hf_format.ts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FormatError, io, type Tensor } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import type { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import { loadTokenizerJson, loadVocabMerges, saveVocabMerges } from "../data/tokenizer/files.ts";
import type { TaskKind } from "../train/run_types.ts";
import { AETNet } from "./aetnet.ts";
import { fromHfConfig, hfToOurKey, ourToHfKey, toHfConfig, type Windows } from "./hf_format.ts";
import { mapStateDict } from "./weights.ts";

export const HF_CONFIG = "config.json";
export const HF_WEIGHTS = "model.safetensors";

export interface HfCheckpoint {
  dir: string;
  config: AETNetConfig;
  kind: TaskKind;
  labels: string[];
  model: AETNet;
  /** null when the folder has no vocab.json + merges.txt or tokenizer.json. */
  tokenizer: ByteLevelBPE | null;
  /** The training windows of an export made here, when config.json records them. */
  windows?: Windows;
}

/** True when dir looks like a HF model folder (config.json and model.safetensors, no state.json of ours). */
export function isHfFolder(dir: string): boolean {
  return existsSync(join(dir, HF_CONFIG)) && existsSync(join(dir, HF_WEIGHTS)) && !existsSync(join(dir, "state.json"));
}

function readJson(path: string): unknown {
  try { return JSON.parse(readFileSync(path, "utf8")); } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new FormatError("loadHfCheckpoint", `${path}: cannot read JSON (${why})`);
  }
}

/** The task kind a HF folder's config.json declares (reads config.json only). */
export function hfCheckpointKind(dir: string): TaskKind {
  return fromHfConfig(readJson(join(dir, HF_CONFIG)), join(dir, HF_CONFIG)).kind;
}

/**
 * Loads a fine-tuned HF `LayoutLMv3ForTokenClassification` / `…ForSequenceClassification` (or an AETNet export),
 * head included, in eval mode. Strict: every parameter of the model must be in the file with its shape, and the file
 * may hold nothing else (apart from the `position_ids` buffer), so a wrong checkpoint fails here, naming the tensors.
 */
export function loadHfCheckpoint(dir: string): HfCheckpoint {
  const configPath = join(dir, HF_CONFIG), weightsPath = join(dir, HF_WEIGHTS);
  for (const p of [configPath, weightsPath]) {
    if (!existsSync(p)) {
      const bin = existsSync(join(dir, "pytorch_model.bin"))
        ? " (pytorch_model.bin is a pickle: convert it to model.safetensors first)" : "";
      throw new FormatError("loadHfCheckpoint",
        `${p} is missing: a Hugging Face model folder holds config.json and model.safetensors${bin}`);
    }
  }
  const built = buildHfModel(readJson(configPath), configPath, io.loadSafetensors(weightsPath).tensors, weightsPath);
  return { dir, ...built, tokenizer: readTokenizer(dir) };
}

/**
 * The model a parsed config.json and its tensors describe (file names only label errors): what loadHfCheckpoint
 * does once the files are read, also usable where there is no file system (a browser page).
 */
export function buildHfModel(
  configJson: unknown, configName: string, tensors: Record<string, Tensor>, weightsName: string,
): Omit<HfCheckpoint, "dir" | "tokenizer"> {
  const { config, kind, labels, windows } = fromHfConfig(configJson, configName);
  const model = new AETNet(config, { task: kind, numLabels: labels.length });
  let own: Record<string, Tensor>;
  try { own = mapStateDict(tensors, hfToOurKey).mapped; } catch (err) {
    // a file holding a tensor under both its HF and its AETNet name: which one is meant is not knowable
    throw new FormatError("loadHfCheckpoint", `${weightsName}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = model.loadStateDict(own, { strict: false });
  const missing = result.missing.filter((k) => ourToHfKey(k) !== null);
  const problems = [
    ...(missing.length > 0 ? [`missing ${list(missing.map((k) => ourToHfKey(k)!))}`] : []),
    ...(result.unexpected.length > 0 ? [`unexpected ${list(result.unexpected)}`] : []),
    ...(result.mismatched.length > 0 ? [`wrong shape ${list(result.mismatched)}`] : []),
  ];
  if (problems.length > 0) {
    throw new FormatError("loadHfCheckpoint",
      `${weightsName} does not fit config.json (${kind}, ${labels.length} labels): ${problems.join("; ")}`);
  }
  model.copyMomentum();
  model.eval();
  return { config, kind, labels, model, ...(windows ? { windows } : {}) };
}

/** How a HF model is run: batches and token windows (batchSize, maxLength, stride as in RunSettings). */
export interface HfRunSettings { batchSize: number; maxLength: number; stride: number }

/**
 * An export made here runs with its training windows (config.json `aetnet_windows`); a HF folder from elsewhere has
 * no training settings: windows as long as its position table allows, at most 512 tokens, overlapping by a quarter
 * (at most 32), 8 per batch.
 */
export function hfRunSettings(hf: Pick<HfCheckpoint, "config" | "windows">): HfRunSettings {
  const maxLength = hf.windows?.max_length ?? Math.min(512, hf.config.maxPositions - hf.config.padTokenId - 1);
  return { batchSize: 8, maxLength, stride: hf.windows?.stride ?? Math.min(32, Math.floor(maxLength / 4)) };
}

const list = (keys: readonly string[]): string =>
  (keys.length <= 4 ? keys.join(", ") : `${keys.slice(0, 4).join(", ")} and ${keys.length - 4} more`);

function readTokenizer(dir: string): ByteLevelBPE | null {
  const vocab = join(dir, "vocab.json"), merges = join(dir, "merges.txt");
  if (existsSync(vocab) && existsSync(merges)) return loadVocabMerges(vocab, merges);
  if (existsSync(join(dir, "tokenizer.json"))) return loadTokenizerJson(join(dir, "tokenizer.json"));
  return null;
}

export interface HfExport {
  config: AETNetConfig;
  kind: TaskKind;
  labels: readonly string[];
  /** The model's state dict (our names); momentum copies and queues are left out of the file. */
  weights: Record<string, Tensor>;
  tokenizer: ByteLevelBPE;
  /** The token windows of training (recorded as config.json `aetnet_windows`). */
  windows?: Windows;
}

/**
 * Writes outDir/{config.json, model.safetensors, vocab.json, merges.txt, preprocessor_config.json}. Deterministic:
 * the same model gives the same bytes. Tensors are float32, named as in HF's LayoutLMv3 task models.
 */
export function exportHfCheckpoint(outDir: string, e: HfExport): string[] {
  let tensors: Record<string, Tensor>;
  try { tensors = mapStateDict(e.weights, ourToHfKey).mapped; } catch (err) {
    // weights holding a tensor under both its HF name and ours: which one to write is not knowable; nothing written
    throw new FormatError("exportHfCheckpoint",
      `${join(outDir, HF_WEIGHTS)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  mkdirSync(outDir, { recursive: true });
  io.saveSafetensors(join(outDir, HF_WEIGHTS), tensors, { format: "pt" });
  const config = toHfConfig(e.config, e.kind, e.labels, e.windows);
  writeFileSync(join(outDir, HF_CONFIG), JSON.stringify(config, null, 2) + "\n");
  // LayoutLMv3ImageProcessor settings matching our preprocessing: resize to the square input, scale to [0,1],
  // (x−0.5)/0.5.
  const image = {
    image_processor_type: "LayoutLMv3ImageProcessor", apply_ocr: false, do_resize: true,
    size: { height: e.config.imageSize, width: e.config.imageSize },
    resample: 2, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true,
    image_mean: [0.5, 0.5, 0.5], image_std: [0.5, 0.5, 0.5],
  };
  writeFileSync(join(outDir, "preprocessor_config.json"), JSON.stringify(image, null, 2) + "\n");
  saveVocabMerges(e.tokenizer, outDir);
  return [HF_CONFIG, HF_WEIGHTS, "preprocessor_config.json", "vocab.json", "merges.txt"].map((f) => join(outDir, f));
}
