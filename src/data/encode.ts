// Word → sub-token alignment for LayoutLMv3-style inputs: ids, boxes and labels per token, split into overlapping windows.
import type { Box, Document } from "./document.ts";

/** PyTorch's cross-entropy ignore index: tokens that carry no label. */
export const IGNORE_INDEX = -100;
const ZERO_BOX: Box = [0, 0, 0, 0];

/** What encoding needs from a tokenizer (ByteLevelBPE satisfies it). */
export interface WordTokenizer {
  encodeWord(word: string): number[];
  specialId(name: "bos" | "eos" | "pad"): number;
}

export interface EncodeOptions {
  /** Tokens per window including <s> and </s> (512 in the official code). */
  maxLength?: number;
  /** Content tokens shared by consecutive windows of a long document (0 = no overlap). */
  stride?: number;
  /** Maps word labels to ids; without it (or without doc.labels) every label is IGNORE_INDEX. */
  labelToId?: ReadonlyMap<string, number>;
}

/** One model input window, unpadded (length ≤ maxLength). */
export interface EncodedWindow {
  inputIds: number[];
  bbox: Box[];
  /** The word's label id on its first sub-token; IGNORE_INDEX on later sub-tokens, specials and unlabelled words. */
  labels: number[];
  /** Per token: the index of its word in the document, or null for <s> / </s>. */
  wordIds: (number | null)[];
  /** Per token: true where it is its word's first sub-token. */
  isFirst: boolean[];
}

/**
 * Encodes a document into windows. Each word's sub-tokens all carry the word's box; <s> and </s> get box
 * [0,0,0,0] and label IGNORE_INDEX (LayoutLMv3 processor). A document longer than maxLength-2 content tokens is
 * cut into windows of that many tokens, each starting `maxLength-2-stride` tokens after the previous one; the cut
 * can fall inside a word, whose tail then opens the next window unlabelled (as HF's overflowing tokens do).
 */
export function encodeDocument(doc: Document, tokenizer: WordTokenizer, options: EncodeOptions = {}): EncodedWindow[] {
  const maxLength = options.maxLength ?? 512;
  const stride = options.stride ?? 128;
  const capacity = maxLength - 2;
  if (capacity < 1) throw new Error(`[encodeDocument] maxLength ${maxLength} leaves no room between <s> and </s>`);
  if (stride < 0 || stride >= capacity) throw new Error(`[encodeDocument] stride ${stride} must be in [0, ${capacity})`);
  const ids: number[] = [], wordOf: number[] = [], first: boolean[] = [], labelOf: number[] = [];
  doc.words.forEach((word, w) => {
    const label = wordLabel(doc, w, options.labelToId);
    tokenizer.encodeWord(word).forEach((id, k) => { ids.push(id); wordOf.push(w); first.push(k === 0); labelOf.push(k === 0 ? label : IGNORE_INDEX); });
  });
  const bos = tokenizer.specialId("bos"), eos = tokenizer.specialId("eos");
  const windows: EncodedWindow[] = [];
  for (let start = 0; ; start += capacity - stride) {
    const end = Math.min(start + capacity, ids.length);
    const span = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
    const idx = span(start, end);
    windows.push({
      inputIds: [bos, ...idx.map((i) => ids[i]), eos],
      bbox: [ZERO_BOX, ...idx.map((i) => doc.boxes[wordOf[i]]), ZERO_BOX].map((b): Box => [...b]),
      labels: [IGNORE_INDEX, ...idx.map((i) => labelOf[i]), IGNORE_INDEX],
      wordIds: [null, ...idx.map((i) => wordOf[i]), null],
      isFirst: [false, ...idx.map((i) => first[i]), false],
    });
    if (end >= ids.length) break;
  }
  return windows;
}

function wordLabel(doc: Document, w: number, labelToId: ReadonlyMap<string, number> | undefined): number {
  if (!labelToId || !doc.labels) return IGNORE_INDEX;
  const id = labelToId.get(doc.labels[w]);
  if (id === undefined) throw new Error(`[encodeDocument] document ${doc.id}: word ${w} has label "${doc.labels[w]}" outside the label list`);
  return id;
}

/**
 * Per-window token predictions (e.g. argmax ids, one array per window, aligned with its tokens) → one prediction
 * per word. Rule: a word is read at its first sub-token; when overlapping windows both hold that token, the
 * window where it sits farthest from the window's edges wins (most context on both sides), ties to the earlier
 * window. Words whose first sub-token fell in no window (none for well-formed windows) get `fallback`.
 */
export function mergeWindowPredictions<T>(windows: readonly EncodedWindow[], predictions: readonly (readonly T[])[], wordCount: number, fallback: T): T[] {
  const out = new Array<T>(wordCount).fill(fallback);
  const bestMargin = new Array<number>(wordCount).fill(-1);
  windows.forEach((win, k) => {
    const n = win.inputIds.length;
    win.wordIds.forEach((w, t) => {
      if (w === null || !win.isFirst[t]) return;
      const margin = Math.min(t, n - 1 - t);
      if (margin > bestMargin[w]) { bestMargin[w] = margin; out[w] = predictions[k][t]; }
    });
  });
  return out;
}
