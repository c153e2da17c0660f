// Opens a run folder or checkpoint folder written by the trainer, or a Hugging Face LayoutLMv3 model folder, and
// rebuilds the model and tokenizer from it.
import { readFileSync } from "node:fs";
import { io } from "../../engine/index.ts";
import { join } from "node:path";
import type { AETNetConfig } from "../config.ts";
import type { AETNet } from "../models/aetnet.ts";
import { hfCheckpointKind, hfRunSettings, isHfFolder, loadHfCheckpoint } from "../models/hf_checkpoint.ts";
import type { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import {
  checkpointModel, loadTrainingCheckpoint, tokenizerFromState, type TrainingState,
} from "../train/checkpoint.ts";
import type { RunSettings, TaskKind } from "../train/run_types.ts";
import { BEST_DIR, LAST_DIR } from "../train/trainer.ts";
import { MissingDataError } from "./tasks.ts";

export interface OpenedCheckpoint { dir: string; state: TrainingState; model: AETNet; tokenizer: ByteLevelBPE }

/** DIR may be a checkpoint (holding state.json) or a run folder (its checkpoints/best, else checkpoints/last). */
export function resolveCheckpointDir(path: string): string {
  // findCheckpoint also finds a complete version whose pointer a crash left unswitched
  for (const dir of [path, join(path, BEST_DIR), join(path, LAST_DIR)]) if (io.findCheckpoint(dir) !== null) return dir;
  throw new MissingDataError(`no checkpoint at ${path}: expected state.json there or in ${BEST_DIR}/ or ${LAST_DIR}/ ` +
    'below it (written by "aetnet train")');
}

/**
 * The task kind of the checkpoint at path, or null when there is none (or its state.json is unreadable); reads
 * state.json only.
 */
export function checkpointKind(path: string): TaskKind | null {
  if (isHfFolder(path)) { try { return hfCheckpointKind(path); } catch { return null; } }
  let state: unknown;
  try {
    state = JSON.parse(readFileSync(join(io.findCheckpoint(resolveCheckpointDir(path)) ?? "", io.STATE_FILE), "utf8"));
  } catch { return null; }
  const settings = typeof state === "object" && state !== null && "settings" in state ? state.settings : undefined;
  const sequence = typeof settings === "object" && settings !== null && "kind" in settings
    && settings.kind === "sequence";
  return sequence ? "sequence" : "token";
}

export function openCheckpoint(path: string): OpenedCheckpoint {
  const dir = resolveCheckpointDir(path);
  const { state, model: weights } = loadTrainingCheckpoint(dir);
  return { dir, state, model: checkpointModel(state, weights), tokenizer: tokenizerFromState(state.tokenizer) };
}

/** What running a model needs besides its weights: the head's kind and labels and the windowing of long pages. */
export type ModelSettings =
  Pick<RunSettings, "labels" | "batchSize" | "maxLength" | "stride" | "chunking"> & { kind: TaskKind };

export interface OpenedModel {
  dir: string;
  /** "aetnet": a checkpoint written by "aetnet train"; "hf": a HF folder (config.json + model.safetensors). */
  source: "aetnet" | "hf";
  config: AETNetConfig;
  settings: ModelSettings;
  model: AETNet;
  tokenizer: ByteLevelBPE;
}

/**
 * A model to run: PATH holding config.json + model.safetensors and no state.json is read as a Hugging Face
 * LayoutLMv3 task checkpoint (labels from id2label, tokenizer from vocab.json + merges.txt or tokenizer.json);
 * anything else as a checkpoint or run folder written by "aetnet train".
 */
export function openModel(path: string): OpenedModel {
  if (isHfFolder(path)) {
    const hf = loadHfCheckpoint(path);
    if (hf.tokenizer === null) {
      throw new MissingDataError(
        `${path} has no tokenizer: add the model's vocab.json and merges.txt (or tokenizer.json) to the folder`);
    }
    const settings: ModelSettings = { kind: hf.kind, labels: hf.labels, ...hfRunSettings(hf) };
    return { dir: path, source: "hf", config: hf.config, settings, model: hf.model, tokenizer: hf.tokenizer };
  }
  const { dir, state, model, tokenizer } = openCheckpoint(path);
  const settings = { ...state.settings, kind: state.settings.kind ?? "token" };
  return { dir, source: "aetnet", config: state.config, settings, model, tokenizer };
}
