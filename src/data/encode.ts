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
  /** Content tokens shared by consecutive windows of a long document (0 = no overlap); "overlap" chunking only. */
  stride?: number;
  /**
   * How a long document is split. "overlap" (default): windows of maxLength-2 tokens, `stride` tokens shared, a
   * cut may fall inside a word. "reference": as the official preprocessing (seg_file, max_len 510 for 512):
   * consecutive chunks of whole words of at most maxLength-2 sub-words, no overlap; a word alone longer than
   * that is cut to it (the processor's truncation).
   */
  chunking?: Chunking;
  /** Maps word labels to ids; without it (or without doc.labels) every label is IGNORE_INDEX. */
  labelToId?: ReadonlyMap<string, number>;
}

export type Chunking = "overlap" | "reference";
export const CHUNKINGS: readonly Chunking[] = ["overlap", "reference"];

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
 * With chunking "reference" the windows are the official code's consecutive whole-word chunks instead.
 */
export function encodeDocument(doc: Document, tokenizer: WordTokenizer, options: EncodeOptions = {}): EncodedWindow[] {
  const maxLength = options.maxLength ?? 512;
  const stride = options.stride ?? 128;
  const capacity = maxLength - 2;
  if (capacity < 1) throw new Error(`[encodeDocument] maxLength ${maxLength} leaves no room between <s> and </s>`);
  if (options.chunking !== "reference" && (stride < 0 || stride >= capacity)) throw new Error(`[encodeDocument] stride ${stride} must be in [0, ${capacity})`);
  const ids: number[] = [], wordOf: number[] = [], first: boolean[] = [], labelOf: number[] = [];
  const wordStarts: number[] = [];
  doc.words.forEach((word, w) => {
    const label = wordLabel(doc, w, options.labelToId);
    wordStarts.push(ids.length);
    tokenizer.encodeWord(word).forEach((id, k) => { ids.push(id); wordOf.push(w); first.push(k === 0); labelOf.push(k === 0 ? label : IGNORE_INDEX); });
  });
  const bos = tokenizer.specialId("bos"), eos = tokenizer.specialId("eos");
  const ranges = options.chunking === "reference" ? wordChunks(wordStarts, ids.length, capacity) : overlappingWindows(ids.length, capacity, stride);
  return ranges.map(([start, end]) => {
    const idx = Array.from({ length: end - start }, (_, i) => start + i);
    return {
      inputIds: [bos, ...idx.map((i) => ids[i]), eos],
      bbox: [ZERO_BOX, ...idx.map((i) => doc.boxes[wordOf[i]]), ZERO_BOX].map((b): Box => [...b]),
      labels: [IGNORE_INDEX, ...idx.map((i) => labelOf[i]), IGNORE_INDEX],
      wordIds: [null, ...idx.map((i) => wordOf[i]), null],
      isFirst: [false, ...idx.map((i) => first[i]), false],
    };
  });
}

/** Token ranges [start, end) of windows of `capacity` tokens, each `capacity - stride` after the last; one at least. */
function overlappingWindows(total: number, capacity: number, stride: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; ; start += capacity - stride) {
    const end = Math.min(start + capacity, total);
    ranges.push([start, end]);
    if (end >= total) return ranges;
  }
}

/**
 * The official seg_file: words are added to the current chunk while its sub-words fit in `capacity`; the word
 * that would overflow opens the next chunk. A word alone over capacity keeps its first `capacity` sub-words.
 */
function wordChunks(wordStarts: readonly number[], total: number, capacity: number): [number, number][] {
  const ranges: [number, number][] = [];
  let start = 0, end = 0;
  wordStarts.forEach((ws, w) => {
    const we = w + 1 < wordStarts.length ? wordStarts[w + 1] : total;
    if (we === ws) return; // no sub-words: the official code skips the word
    if (we - start > capacity && end > start) { ranges.push([start, end]); start = ws; }
    end = Math.min(we, start + capacity);
    if (we - start > capacity) { ranges.push([start, end]); start = we; end = we; }
  });
  if (end > start || ranges.length === 0) ranges.push([start, end]);
  return ranges;
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
