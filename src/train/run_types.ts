// Types the training code shares — run settings, step and evaluation records, prepared documents, the task kind —
// kept apart from the modules that use them (batches, task kinds, evaluation, checkpoints, trainer), so those
// modules import this file instead of each other and no import circle forms.
import type { GeneratorState, optim } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import type { AETNetOptions } from "../models/aetnet.ts";
import type { Document } from "../data/document.ts";
import type { Chunking, EncodedWindow } from "../data/encode.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";

/** "token": a label per word (the model's token head); "sequence": one class per document (its sequence head). */
export type TaskKind = AETNetOptions["task"];

/** A document ready for training or evaluation: its windows, a shrunk copy of its page and the eval pixels. */
export interface PreparedDoc {
  doc: Document;
  windows: EncodedWindow[];
  /** The page squashed to CACHE_SCALE·S square: the source of the random momentum view (crops stay sharp). */
  page: RgbImage;
  /** Deterministic view: the page squashed to S×S, normalised 0.5/0.5, [3, S, S]. */
  pixels: Float32Array;
  /** Classification: the document's class id (undefined when unlabelled). */
  label?: number;
}

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
  /** How long documents are cut into windows; absent in checkpoints from before the choice: "overlap". */
  chunking?: Chunking;
}

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

/** What a run trains on, saved in its checkpoints so a resume can refuse other data or another tokenizer. */
export interface RunFingerprint {
  /** sha256 of the tokenizer's tokens and merges. */
  tokenizer: string;
  /** Per document in order: its id and the sha256 of its words, boxes, labels, size and page (file bytes or pixels). */
  train: [string, string][];
  eval: [string, string][];
}

export const CHECKPOINT_FORMAT = "aetnet-train-v1";

/** A training checkpoint's state.json (the tensors live in model.safetensors). */
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
  /** What the run trains on (data hashes, tokenizer); absent in checkpoints written before fingerprints. */
  fingerprint?: RunFingerprint;
  /** Steps skipped for a non-finite loss or gradient norm: in all, and in a row up to this checkpoint. */
  skipped?: { total: number; inRow: number };
}
