// The record of one processed document: what `aetnet predict --input` writes as one JSON line, and what
// processDocument returns (the unit of work a batch or a job queue runs).

/** [x0, y0, x1, y1] in pixels of the page image the words were read from. */
export type PixelBox = [number, number, number, number];

/** One entity found on a page. */
export interface EntityRecord {
  /** The entity type, e.g. "QUESTION" (BIO prefix removed). */
  label: string;
  /** Its words joined by single spaces, in reading order. */
  text: string;
  /** The union of its words' own boxes, in pixels of `page`'s image. */
  box: PixelBox;
  /** Mean over its words of the model's probability for the word's predicted tag, in [0, 1]. */
  score: number;
  /** 1-based page number within the document. */
  page: number;
  /** Indices of its words in that page's word list. */
  words: number[];
}

/** Where a page's words came from. */
export type WordSource = "ocr" | "pdf-text" | "given";

/** One page of a result: its number, size, where its words came from and how many the model read. */
export interface PageRecord {
  page: number;
  width: number;
  height: number;
  source: WordSource;
  /** Words the model read on the page. */
  words: number;
}

/** Milliseconds spent reading the document (files, rendering, OCR) and running the model. */
export interface Timing {
  /** Reading the file: decoding, PDF text layer and rendering, OCR. */
  loadMs: number;
  /** Tokenising and running the model. */
  modelMs: number;
  totalMs: number;
}

/** One JSON line of results.jsonl. On failure `error` holds a one-line message and pages/entities are empty. */
export interface DocumentResult {
  /** The document's path as it was given (the key resume uses to skip done documents). */
  document: string;
  pages: PageRecord[];
  entities: EntityRecord[];
  timing: Timing;
  error: string | null;
  /** SVG pictures written for this document, one per page, when asked for. */
  pictures?: string[];
}
