// Training checkpoints: model + optimizer tensors in model.safetensors, everything else (config, optimizer numbers,
// scheduler, step, RNG streams, tokenizer, history) in state.json; both written atomically by engine io.
import { join } from "node:path";
import { FormatError, io, type GeneratorState, type Tensor, type optim } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import type { TaskKind } from "./task_kind.ts";
import { optimizerStateFrom, validateTrainingState } from "./state_json.ts";

export const CHECKPOINT_FORMAT = "aetnet-train-v1";
const MODEL_PREFIX = "model.";
const OPTIM_PREFIX = "optimizer.";

/** One optimizer step as logged. */
export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  /** Every loss term the model reported (task, pita, i2t, ...), by name. */
  terms: Record<string, number>;
  lr: number;
  gradNorm: number;
  tokensPerSecond: number;
}

// The other kind's metric fields are declared `?: undefined`, so `record.f1` reads as undefined on a classification
// record (and `documentAccuracy` on a token record) instead of needing a type guard first.

/** One end-of-epoch evaluation of a token-labelling run: micro entity scores (seqeval) and word accuracy. */
export interface TokenEvalRecord { step: number; epoch: number; f1: number; precision: number; recall: number; accuracy: number; seconds: number; documentAccuracy?: undefined }

/** One end-of-epoch evaluation of a document-classification run: the share of held-out documents classed right. */
export interface DocumentEvalRecord { step: number; epoch: number; documentAccuracy: number; seconds: number; f1?: undefined; precision?: undefined; recall?: undefined; accuracy?: undefined }

export type EvalRecord = TokenEvalRecord | DocumentEvalRecord;

/** The best held-out evaluation so far: by entity F1 (token tasks) or by document accuracy (classification). */
export type BestEval = { f1: number; epoch: number; documentAccuracy?: undefined } | { documentAccuracy: number; epoch: number; f1?: undefined };

/** The number `best` was chosen by. */
export const bestScore = (best: BestEval): number => best.f1 ?? best.documentAccuracy;

/** The best-checkpoint candidate an evaluation record makes. */
export const bestOf = (r: EvalRecord): BestEval => (r.f1 !== undefined ? { f1: r.f1, epoch: r.epoch } : { documentAccuracy: r.documentAccuracy, epoch: r.epoch });

/** What the trainer was asked to do: enough to rebuild the run (and to check a resume matches it). */
export interface RunSettings {
  task: string;
  /** "token" (entity labelling) or "sequence" (one class per document); absent in checkpoints from before classification: token. */
  kind?: TaskKind;
  /** Token tasks: the BIO labels; classification: the class names, in label-id order. */
  labels: string[];
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  warmupRatio: number;
  maxGradNorm: number;
  maxLength: number;
  stride: number;
  seed: number;
  lossWeights: { task: number; ita: number; pita: number };
}

export interface TrainingState {
  format: typeof CHECKPOINT_FORMAT;
  config: AETNetConfig;
  settings: RunSettings;
  tokenizer: { tokens: string[]; merges: [string, string][] };
  /** Optimizer steps taken; the next batch is batch `batchInEpoch` of epoch `epoch`. */
  step: number;
  epoch: number;
  batchInEpoch: number;
  optimizer: { paramGroups: optim.OptimizerStateDict["paramGroups"]; numbers: Record<string, Record<string, number>> };
  scheduler: optim.LRSchedulerState;
  rng: { global: GeneratorState; augment: GeneratorState };
  history: { steps: StepRecord[]; evals: EvalRecord[] };
  best: BestEval | null;
}

export interface LoadedCheckpoint { state: TrainingState; model: Record<string, Tensor>; optimizer: optim.OptimizerStateDict }

export function tokenizerState(tok: ByteLevelBPE): TrainingState["tokenizer"] {
  const tokens: string[] = [];
  for (const [token, id] of tok.vocab) tokens[id] = token;
  if (tokens.some((t) => t === undefined) || tokens.length !== tok.vocab.size) throw new FormatError("saveTrainingCheckpoint", "tokenizer ids are not 0..n-1 without gaps");
  return { tokens, merges: tok.merges.map(([a, b]): [string, string] => [a, b]) };
}

export function tokenizerFromState(t: TrainingState["tokenizer"]): ByteLevelBPE {
  return new ByteLevelBPE(new Map(t.tokens.map((token, id) => [token, id] as const)), t.merges);
}

/**
 * Writes dir/state.json then dir/model.safetensors, each by temp file + rename (engine io.saveCheckpoint), so a
 * failure at any point leaves the previous checkpoint in dir readable.
 */
export function saveTrainingCheckpoint(dir: string, state: TrainingState, model: Record<string, Tensor>, optimizer: optim.OptimizerStateDict): void {
  const weights: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(model)) weights[MODEL_PREFIX + k] = v;
  const numbers: Record<string, Record<string, number>> = {};
  for (const [index, s] of Object.entries(optimizer.state)) {
    for (const [key, value] of Object.entries(s)) {
      if (typeof value === "number") (numbers[index] ??= {})[key] = value;
      else weights[`${OPTIM_PREFIX}${index}.${key}`] = value;
    }
  }
  io.saveCheckpoint(dir, { weights, state: { ...state, optimizer: { paramGroups: optimizer.paramGroups, numbers } }, metadata: { format: CHECKPOINT_FORMAT } });
}

export function loadTrainingCheckpoint(dir: string): LoadedCheckpoint {
  const { weights, state: raw } = io.loadCheckpoint(dir);
  const state = validateTrainingState(raw, join(dir, io.STATE_FILE), CHECKPOINT_FORMAT);
  const model = new Map<string, Tensor>(), optimizerTensors = new Map<string, Tensor>();
  for (const [k, v] of Object.entries(weights)) {
    if (k.startsWith(MODEL_PREFIX)) model.set(k.slice(MODEL_PREFIX.length), v);
    else if (k.startsWith(OPTIM_PREFIX)) optimizerTensors.set(k.slice(OPTIM_PREFIX.length), v);
  }
  const optimizerState = optimizerStateFrom(join(dir, io.WEIGHTS_FILE), optimizerTensors, state.optimizer.numbers);
  return { state, model: Object.fromEntries(model), optimizer: { state: optimizerState, paramGroups: state.optimizer.paramGroups } };
}
