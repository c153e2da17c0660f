// Evaluation: windowed token predictions merged back to words, entity F1 (seqeval), word accuracy, document accuracy.
import { noGrad, type Tensor } from "../../engine/index.ts";
import type { AETNet } from "../models/aetnet.ts";
import { collate } from "../data/collate.ts";
import { mergeWindowPredictions } from "../data/encode.ts";
import { stackPixels } from "../data/image/preprocess.ts";
import { seqevalReport, type SeqevalReport } from "./seqeval.ts";
import type { PreparedDoc } from "./batches.ts";

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

/** Word-level label ids per document (eval mode, no grad); windows of all documents are batched together. */
export function predictDocs(model: AETNet, docs: readonly PreparedDoc[], batchSize: number): number[][] {
  const refs = docs.flatMap((d, doc) => d.windows.map((_, window) => ({ doc, window })));
  const perWindow = docs.map((d) => d.windows.map((): number[] => []));
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      for (let i = 0; i < refs.length; i += batchSize) {
        const chunk = refs.slice(i, i + batchSize);
        const { inputIds, bbox, attentionMask } = collate(chunk.map((r) => docs[r.doc].windows[r.window]), { padId: model.config.padTokenId });
        const pixelValues = stackPixels(chunk.map((r) => docs[r.doc].pixels), model.config.imageSize);
        argmaxRows(model.predict({ inputIds, bbox, attentionMask, pixelValues })).forEach((row, k) => { perWindow[chunk[k].doc][chunk[k].window] = row; });
      }
    });
  } finally {
    model.train(wasTraining);
  }
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

/** Share of documents whose predicted class equals the gold class (RVL-CDIP-style document classification). */
export function documentAccuracy(gold: readonly string[], predicted: readonly string[]): number {
  if (gold.length !== predicted.length) throw new Error(`[documentAccuracy] ${gold.length} gold classes but ${predicted.length} predicted`);
  if (gold.length === 0) return 0;
  return gold.filter((g, i) => g === predicted[i]).length / gold.length;
}
