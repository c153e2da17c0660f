// Evaluation: windowed token predictions merged back to words, entity F1 (seqeval), word accuracy; document classes
// from each document's first window and document accuracy.
import { noGrad, tidy, type Tensor } from "../../engine/index.ts";
import type { AETNet } from "../models/aetnet.ts";
import { collate } from "../data/collate.ts";
import { mergeWindowPredictions } from "../data/encode.ts";
import { stackPixels } from "../data/image/preprocess.ts";
import { seqevalReport, type SeqevalReport } from "./seqeval.ts";
import type { PreparedDoc } from "./run_types.ts";

/** Token labelling scores: the seqeval report, per-document gold and predicted tags, and the time taken. */
export interface EvalResult {
  /** Micro entity precision / recall / F1 and per-type rows, exactly as seqeval. */
  report: SeqevalReport;
  /** Per document: gold and predicted word tags. */
  gold: string[][];
  predicted: string[][];
  seconds: number;
}

/** Argmax over the last axis of (B, T, K) logits → per row the T label ids. */
function argmaxRows(logits: Tensor): number[][] {
  const [b, t, k] = logits.shape;
  const v = logits.contiguous().storage;
  return Array.from({ length: b }, (_, i) => Array.from({ length: t }, (_, j) => {
    let best = 0;
    for (let c = 1; c < k; c++) if (v[(i * t + j) * k + c] > v[(i * t + j) * k + best]) best = c;
    return best;
  }));
}

/** Runs `fn` on the model in eval mode without grad, then restores the model's mode. */
function inference<T>(model: AETNet, fn: () => T): T {
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(fn);
  } finally {
    model.train(wasTraining);
  }
}

/** The model's logits for a chunk of windows: (B, T, K) for a token head, (B, K) for a sequence head. */
function windowLogits(model: AETNet, chunk: readonly { doc: number; window: number }[], docs: readonly PreparedDoc[]): Tensor {
  const { inputIds, bbox, attentionMask } = collate(chunk.map((r) => docs[r.doc].windows[r.window]), { padId: model.config.padTokenId });
  const pixelValues = stackPixels(chunk.map((r) => docs[r.doc].pixels), model.config.imageSize);
  return model.predict({ inputIds, bbox, attentionMask, pixelValues });
}

/** Word-level label ids per document (eval mode, no grad); windows of all documents are batched together. */
export function predictDocs(model: AETNet, docs: readonly PreparedDoc[], batchSize: number): number[][] {
  const refs = docs.flatMap((d, doc) => d.windows.map((_, window) => ({ doc, window })));
  const perWindow = docs.map((d) => d.windows.map((): number[] => []));
  inference(model, () => {
    for (let i = 0; i < refs.length; i += batchSize) {
      const chunk = refs.slice(i, i + batchSize);
      // tidy(): each batch's activations are freed as soon as its predictions are read.
      tidy(() => argmaxRows(windowLogits(model, chunk, docs))).forEach((row, k) => { perWindow[chunk[k].doc][chunk[k].window] = row; });
    }
  });
  return docs.map((d, i) => mergeWindowPredictions(d.windows, perWindow[i], d.doc.words.length, 0));
}

/** Entity F1 of the model on prepared, labelled documents. */
export function evaluate(model: AETNet, docs: readonly PreparedDoc[], labels: readonly string[], batchSize = 4): EvalResult {
  const start = performance.now();
  const predicted = predictDocs(model, docs, batchSize).map((ids) => ids.map((id) => labels[id] ?? "O"));
  const gold = docs.map((d) => {
    if (d.doc.labels === undefined) throw new Error(`[evaluate] document ${d.doc.id} has no labels`);
    return d.doc.labels;
  });
  return { report: seqevalReport(gold, predicted), gold, predicted, seconds: (performance.now() - start) / 1000 };
}

/**
 * Class logits per document from a sequence-classification model (eval mode, no grad): one row of K per document,
 * read from its first window (classification documents are prepared with that one window; longer text is truncated).
 */
export function documentLogits(model: AETNet, docs: readonly PreparedDoc[], batchSize: number): number[][] {
  const rows: number[][] = [];
  inference(model, () => {
    for (let i = 0; i < docs.length; i += batchSize) {
      const chunk = docs.slice(i, i + batchSize).map((_, k) => ({ doc: i + k, window: 0 }));
      tidy(() => {
        const logits = windowLogits(model, chunk, docs);
        if (logits.ndim !== 2) throw new Error(`[documentLogits] expected (B, K) logits from a sequence-classification model, got [${logits.shape.join(", ")}]`);
        const [b, k] = logits.shape;
        const v = logits.contiguous().storage;
        for (let r = 0; r < b; r++) rows.push(Array.from(v.subarray(r * k, (r + 1) * k)));
      });
    }
  });
  return rows;
}

/** Index of the largest value (the first on ties). */
export const argmax = (row: readonly number[]): number => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);

/** Document classification scores: accuracy, per-document gold and predicted classes, and the time taken. */
export interface DocumentEvalResult {
  /** Share of documents whose predicted class is the gold class. */
  accuracy: number;
  /** Per document: gold and predicted class. */
  gold: string[];
  predicted: string[];
  seconds: number;
}

/** Document accuracy of a sequence-classification model on prepared documents whose labels hold their class. */
export function evaluateDocuments(model: AETNet, docs: readonly PreparedDoc[], labels: readonly string[], batchSize = 4): DocumentEvalResult {
  const start = performance.now();
  const predicted = documentLogits(model, docs, batchSize).map((row) => labels[argmax(row)]);
  const gold = docs.map((d) => {
    const label = d.doc.labels?.[0];
    if (label === undefined) throw new Error(`[evaluateDocuments] document ${d.doc.id} has no class label`);
    return label;
  });
  return { accuracy: documentAccuracy(gold, predicted), gold, predicted, seconds: (performance.now() - start) / 1000 };
}

/** Share of documents whose predicted class equals the gold class (RVL-CDIP-style document classification). */
export function documentAccuracy(gold: readonly string[], predicted: readonly string[]): number {
  if (gold.length !== predicted.length) throw new Error(`[documentAccuracy] ${gold.length} gold classes but ${predicted.length} predicted`);
  if (gold.length === 0) return 0;
  return gold.filter((g, i) => g === predicted[i]).length / gold.length;
}
