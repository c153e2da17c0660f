// What differs between the two kinds of task the trainer runs — token labelling (FUNSD, SROIE, CORD, synthetic
// forms) and document classification (RVL-CDIP) — kept in one place: which windows a document gives, the labels
// tensor of a batch, and the held-out metric (entity F1 or document accuracy) that picks the best checkpoint.
import { tensor, type Tensor } from "../../engine/index.ts";
import type { AETNet } from "../models/aetnet.ts";
import type { Batch } from "../data/collate.ts";
import type { Document } from "../data/document.ts";
import { encodeDocument, IGNORE_INDEX, type Chunking, type EncodedWindow, type WordTokenizer } from "../data/encode.ts";
import { DataError } from "../data/errors.ts";
import { evaluate, evaluateDocuments, type DocumentEvalResult, type EvalResult } from "./evaluate.ts";
import type { DocumentEvalRecord, PreparedDoc, TaskKind, TokenEvalRecord } from "./run_types.ts";

export interface KindEncodeOptions {
  tokenizer: WordTokenizer;
  labelToId: ReadonlyMap<string, number>;
  maxLength: number;
  stride: number;
  /** How a long document is cut into windows (default "overlap"); classification keeps the first window either way. */
  chunking?: Chunking;
}

/** A held-out evaluation as the trainer logs and prints it. */
export interface KindEvaluation {
  /** The eval record's scores; the trainer adds step and epoch. */
  scores: Omit<TokenEvalRecord, "step" | "epoch"> | Omit<DocumentEvalRecord, "step" | "epoch">;
  /** One line for the epoch summary, e.g. "entity F1 0.4100 (P 0.4000, R 0.4200), word accuracy 0.7000". */
  summary: string;
  /** The full result: per-document gold and predictions. */
  result: EvalResult | DocumentEvalResult;
}

export interface TaskKindSpec {
  readonly name: TaskKind;
  /** A document's model windows and, for classification, its class id (undefined when it has no label). */
  encode(doc: Document, options: KindEncodeOptions): { windows: EncodedWindow[]; label?: number };
  /** The labels of a batch: (B, T) token label ids as collated, or (B) class ids of the batch's documents. */
  batchLabels(collated: Batch, docLabels: readonly (number | undefined)[]): Tensor;
  /** Scores the model on prepared held-out documents (labels: the run's label list). */
  evaluate(model: AETNet, docs: readonly PreparedDoc[], labels: readonly string[], batchSize: number): KindEvaluation;
}

const TOKEN: TaskKindSpec = {
  name: "token",
  encode: (doc, o) => ({ windows: encodeDocument(doc, o.tokenizer, { maxLength: o.maxLength, stride: o.stride, chunking: o.chunking, labelToId: o.labelToId }) }),
  batchLabels: (collated) => collated.labels,
  evaluate(model, docs, labels, batchSize) {
    const result = evaluate(model, docs, labels, batchSize);
    const r = result.report;
    return {
      scores: { f1: r.f1, precision: r.precision, recall: r.recall, accuracy: r.accuracy, seconds: result.seconds },
      summary: `entity F1 ${r.f1.toFixed(4)} (P ${r.precision.toFixed(4)}, R ${r.recall.toFixed(4)}), word accuracy ${r.accuracy.toFixed(4)}`,
      result,
    };
  },
};

/**
 * Classification reads the document's first window only (the official RVL-CDIP code truncates at 512 tokens); its
 * words carry no labels. A document without words is the window <s></s>: the class then comes from the page.
 */
const SEQUENCE: TaskKindSpec = {
  name: "sequence",
  encode: (doc, o) => ({ windows: encodeDocument(doc, o.tokenizer, { maxLength: o.maxLength, stride: o.stride, chunking: o.chunking }).slice(0, 1), label: classId(doc, o.labelToId) }),
  batchLabels: (_collated, docLabels) => tensor(Int32Array.from(docLabels, (l) => l ?? IGNORE_INDEX), [docLabels.length]),
  evaluate(model, docs, labels, batchSize) {
    const result = evaluateDocuments(model, docs, labels, batchSize);
    const right = result.gold.filter((g, i) => g === result.predicted[i]).length;
    return {
      scores: { documentAccuracy: result.accuracy, seconds: result.seconds },
      summary: `document accuracy ${result.accuracy.toFixed(4)} (${right}/${result.gold.length})`,
      result,
    };
  },
};

/** The class id of a classification document (its labels hold one class), undefined when unlabelled (predict). */
function classId(doc: Document, labelToId: ReadonlyMap<string, number>): number | undefined {
  if (doc.labels === undefined) return undefined;
  const [label] = doc.labels;
  const id = labelToId.get(label);
  if (doc.labels.length !== 1 || id === undefined) {
    throw new DataError("classes", doc.imagePath ?? doc.id, `class ${JSON.stringify(doc.labels.join(" "))} is not one of the run's classes (${[...labelToId.keys()].join(", ")})`);
  }
  return id;
}

export function taskKind(kind: TaskKind = "token"): TaskKindSpec {
  return kind === "token" ? TOKEN : SEQUENCE;
}
