// Training checkpoints: model + optimizer tensors in model.safetensors, everything else (config, optimizer numbers,
// scheduler, step, RNG streams, tokenizer, history) in state.json; both written atomically by engine io.
import { join } from "node:path";
import { FormatError, io, type GeneratorState, type Tensor, type optim } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import { AETNet } from "../models/aetnet.ts";
import { TrainerError } from "./errors.ts";
import type { TrainingState } from "./run_types.ts";
import { optimizerStateFrom, validateTrainingState } from "./state_json.ts";

export type { TrainingState } from "./run_types.ts";

export { CHECKPOINT_FORMAT } from "./run_types.ts";
import { CHECKPOINT_FORMAT } from "./run_types.ts";
const MODEL_PREFIX = "model.";
const OPTIM_PREFIX = "optimizer.";

export interface LoadedCheckpoint {
  state: TrainingState;
  model: Record<string, Tensor>;
  optimizer: optim.OptimizerStateDict;
  /** The version folder read. */
  folder: string;
  /** Set when the newest version was unreadable and the previous one was read: why. */
  fellBack?: { reason: string };
}

/** The BPE tokenizer as checkpoint JSON. */
export function tokenizerState(tok: ByteLevelBPE): TrainingState["tokenizer"] {
  const tokens: string[] = [];
  for (const [token, id] of tok.vocab) tokens[id] = token;
  if (tokens.some((t) => t === undefined) || tokens.length !== tok.vocab.size) {
    throw new FormatError("saveTrainingCheckpoint", "tokenizer ids are not 0..n-1 without gaps");
  }
  return { tokens, merges: tok.merges.map(([a, b]): [string, string] => [a, b]) };
}

/** Rebuilds the BPE tokenizer saved in a checkpoint. */
export function tokenizerFromState(t: TrainingState["tokenizer"]): ByteLevelBPE {
  return new ByteLevelBPE(new Map(t.tokens.map((token, id) => [token, id] as const)), t.merges);
}

/**
 * Commits a new version of the checkpoint at dir (engine io.saveCheckpoint: a complete, fsynced folder, then an
 * atomic pointer switch), so a failure or a kill at any point leaves the previous checkpoint readable. Weights or
 * optimizer tensors holding NaN or Inf are refused, naming the tensor: a checkpoint is never poisoned.
 */
export function saveTrainingCheckpoint(
  dir: string, state: TrainingState, model: Record<string, Tensor>, optimizer: optim.OptimizerStateDict,
): void {
  const weights: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(model)) weights[MODEL_PREFIX + k] = v;
  const numbers: Record<string, Record<string, number>> = {};
  for (const [index, s] of Object.entries(optimizer.state)) {
    for (const [key, value] of Object.entries(s)) {
      if (typeof value === "number") (numbers[index] ??= {})[key] = value;
      else weights[`${OPTIM_PREFIX}${index}.${key}`] = value;
    }
  }
  for (const [name, t] of Object.entries(weights)) {
    if (t.dtype !== "float32" && t.dtype !== "float64") continue;
    const i = t.contiguous().storage.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw new FormatError("saveTrainingCheckpoint", `${dir}: tensor ${name} holds ${t.contiguous().storage[i]} ` +
        `at element ${i}; a checkpoint never stores non-finite weights`);
    }
  }
  const optimizerState = { paramGroups: optimizer.paramGroups, numbers };
  const metadata = { format: CHECKPOINT_FORMAT };
  io.saveCheckpoint(dir, { weights, state: { ...state, optimizer: optimizerState }, metadata });
}

/** Reads a training checkpoint folder (weights and state); a bad file is a FormatError naming it. */
export function loadTrainingCheckpoint(dir: string): LoadedCheckpoint {
  const { weights, state: raw, folder, fellBack } = io.loadCheckpoint(dir);
  const state = validateTrainingState(raw, join(folder, io.STATE_FILE), CHECKPOINT_FORMAT);
  const { model, optimizer: optimizerTensors } = splitCheckpointTensors(weights);
  const optimizerState = optimizerStateFrom(join(folder, io.WEIGHTS_FILE), optimizerTensors, state.optimizer.numbers);
  return {
    state, model, optimizer: { state: optimizerState, paramGroups: state.optimizer.paramGroups }, folder,
    ...(fellBack ? { fellBack } : {}),
  };
}

/**
 * A checkpoint's model.safetensors split by owner, the prefixes saveTrainingCheckpoint adds taken off: the model's
 * state dict and the optimizer's tensors (keyed "<param index>.<name>"). Other keys are ignored.
 */
export function splitCheckpointTensors(weights: Record<string, Tensor>): {
  model: Record<string, Tensor>; optimizer: Map<string, Tensor>;
} {
  const model = new Map<string, Tensor>(), optimizer = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(weights)) {
    if (k.startsWith(MODEL_PREFIX)) model.set(k.slice(MODEL_PREFIX.length), v);
    else if (k.startsWith(OPTIM_PREFIX)) optimizer.set(k.slice(OPTIM_PREFIX.length), v);
  }
  return { model: Object.fromEntries(model), optimizer };
}

/** The checkpoint's model in eval mode: built from its config and settings, its weights loaded (strictly). */
export function checkpointModel(state: TrainingState, weights: Record<string, Tensor>): AETNet {
  const { kind, labels, lossWeights } = state.settings;
  const model = new AETNet(state.config, { task: kind ?? "token", numLabels: labels.length, lossWeights });
  model.loadStateDict(weights);
  model.eval();
  return model;
}

/** The checkpoint a resume continues from; a TrainerError saying "no checkpoint" and the folder when there is none. */
export function openResumeCheckpoint(dir: string): LoadedCheckpoint {
  if (io.findCheckpoint(dir) === null) {
    throw new TrainerError(
      `--resume: no checkpoint in ${dir} to resume from (none was completed); start without --resume`);
  }
  return loadTrainingCheckpoint(dir);
}
