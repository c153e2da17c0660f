// The common Document record every loader returns, box normalisation to the 0–1000 layout scale, and label maps.
import { DataError } from "./errors.ts";

/** [x0, y0, x1, y1] on LayoutLMv3's 0–1000 page scale, integers. */
export type Box = [number, number, number, number];

export interface Document {
  id: string;
  words: string[];
  /** One box per word, 0–1000 integers (segment or word level, as the loader says). */
  boxes: Box[];
  /** One string label per word (BIO for token tasks), or a single-element array holding the class for document tasks. */
  labels?: string[];
  imagePath?: string;
  /** Page size in pixels, the frame the boxes were normalised against. */
  width: number;
  height: number;
}

/** What a corpus loader returns: the documents it read and, with skipBad, the files it skipped and why. */
export interface Corpus {
  docs: Document[];
  skipped: { file: string; problem: string }[];
}

/** Options every corpus loader takes. */
export interface CorpusOptions {
  /** Skip (and report) unreadable documents instead of throwing on the first one. */
  skipBad?: boolean;
  /** Called for each skipped file; defaults to console.warn. */
  onSkip?: (file: string, problem: string) => void;
}

/**
 * Pixel box → 0–1000 ints, as the official code's `normalize_bbox`: int(1000·x/W). Rejects a box
 * outside the page or with x1 < x0 / y1 < y0, because silently clamping would hide annotation bugs.
 */
export function normalizeBox(loader: string, file: string, box: readonly number[], width: number, height: number): Box {
  const [x0, y0, x1, y1] = box;
  if (box.length !== 4 || !box.every(Number.isFinite)) throw new DataError(loader, file, `box ${JSON.stringify(box)} is not four finite numbers`);
  if (x0 < 0 || y0 < 0 || x1 > width || y1 > height) throw new DataError(loader, file, `box ${JSON.stringify(box)} lies outside the ${width}×${height} page`);
  if (x1 < x0 || y1 < y0) throw new DataError(loader, file, `box ${JSON.stringify(box)} has x1 < x0 or y1 < y0`);
  const n = (v: number, size: number): number => Math.trunc((1000 * v) / size);
  return [n(x0, width), n(y0, height), n(x1, width), n(y1, height)];
}

/** The union of boxes: the official `get_line_bbox`, which gives each word of a segment the segment's box. */
export function unionBox(boxes: readonly Box[]): Box {
  return [
    Math.min(...boxes.map((b) => b[0])), Math.min(...boxes.map((b) => b[1])),
    Math.max(...boxes.map((b) => b[2])), Math.max(...boxes.map((b) => b[3])),
  ];
}

/** Label ↔ id maps in list order (the official code puts "O" first). */
export interface LabelMaps { labels: readonly string[]; labelToId: Map<string, number>; idToLabel: (id: number) => string }

export function labelMaps(labels: readonly string[]): LabelMaps {
  const labelToId = new Map(labels.map((l, i) => [l, i] as const));
  if (labelToId.size !== labels.length) throw new Error(`[labelMaps] duplicate label in ${JSON.stringify(labels)}`);
  return {
    labels,
    labelToId,
    idToLabel: (id) => {
      const l = labels[id];
      if (l === undefined) throw new Error(`[labelMaps] id ${id} outside 0..${labels.length - 1}`);
      return l;
    },
  };
}

/** BIO tags for a run of words that share one entity type ("O" stays "O" for every word). */
export function bioTags(type: string | null, count: number): string[] {
  if (type === null) return new Array<string>(count).fill("O");
  return Array.from({ length: count }, (_, i) => `${i === 0 ? "B" : "I"}-${type}`);
}

/** All B-/I- labels for entity types, "O" first, in the given type order. */
export function bioLabelList(types: readonly string[]): string[] {
  return ["O", ...types.flatMap((t) => [`B-${t}`, `I-${t}`])];
}
