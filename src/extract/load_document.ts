// A document file → its pages, each with the page image and the words the model reads: a PNG/JPEG page through
// OCR, a PDF page through its text layer, or through OCR when the page has no text (a scan).
import { closeSync, openSync, readSync } from "node:fs";
import { extname } from "node:path";
import { decodeImage, decodeImageBytes } from "../data/image/decode.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";
import { DataError } from "../data/errors.ts";
import { lazyOcr, type Ocr } from "./ocr.ts";
import { readPdf } from "./pdf.ts";
import { pdfDocumentPages } from "./pdf_pages.ts";
import type { WordSource } from "./result.ts";
import { segmentLines, type PageWord } from "./segments.ts";

/** One page ready for the model: its image and its words (from OCR, a PDF text layer, or given). */
export interface DocumentPage {
  /** 1-based page number (1 for an image file). */
  page: number;
  image: RgbImage;
  words: PageWord[];
  source: WordSource;
}

/** A document read into pages, with the time that took. */
export interface LoadedDocument {
  /** The path as given. */
  path: string;
  pages: DocumentPage[];
  /** Time spent reading the file, rendering and OCR. */
  loadMs: number;
}

export interface LoadOptions {
  /** An OCR worker to reuse across documents; without one a worker is started for this document and closed. */
  ocr?: Ocr;
  /** PDF page list, e.g. "1-3" (default: all pages). */
  pages?: string;
  /** PDF rendering resolution (default 150). */
  dpi?: number;
  /** Words for an image file (skips OCR), in its pixels, grouped into segments already. */
  words?: PageWord[];
  /** The file's bytes, already read (a queue worker has them from its hash check): the file is not read again. */
  bytes?: Uint8Array;
}

export type DocumentKind = "pdf" | "image";

const IMAGE_EXTENSIONS = new Set([".png", ".jpg", ".jpeg"]);

/** By extension, else by the file's first bytes (`bytes`, or read from the file); null for anything else. */
export function documentKind(path: string, bytes?: Uint8Array): DocumentKind | null {
  const ext = extname(path).toLowerCase();
  if (ext === ".pdf") return "pdf";
  if (IMAGE_EXTENSIONS.has(ext)) return "image";
  const head = Buffer.alloc(8);
  if (bytes !== undefined) head.set(bytes.subarray(0, 8));
  else {
    try {
      const fd = openSync(path, "r");
      try { readSync(fd, head, 0, 8, 0); } finally { closeSync(fd); }
    } catch { return null; }
  }
  if (head.subarray(0, 5).toString("latin1") === "%PDF-") return "pdf";
  if ((head[0] === 0x89 && head[1] === 0x50) || (head[0] === 0xff && head[1] === 0xd8)) return "image";
  return null;
}

/** Reads a PNG, JPEG or PDF file into pages with words (OCR where there is no text layer). */
export async function loadDocument(path: string, options: LoadOptions = {}): Promise<LoadedDocument> {
  const start = performance.now();
  const { bytes } = options;
  const kind = documentKind(path, bytes);
  if (kind === null) throw new DataError("loadDocument", path, "not a PNG, JPEG or PDF file");
  const ocr = options.ocr ?? lazyOcr();
  try {
    const pages: DocumentPage[] = [];
    if (kind === "image") {
      const image = bytes === undefined ? decodeImage(path) : decodeImageBytes(bytes, path);
      const words = options.words ?? segmentLines(await ocr.recognize(image));
      pages.push({ page: 1, image, words, source: options.words === undefined ? "ocr" : "given" });
    } else {
      const read = await readPdf(path, { pages: options.pages, dpi: options.dpi, bytes });
      pages.push(...await pdfDocumentPages(read, (p) => ocr.recognize(p.image)));
    }
    return { path, pages, loadMs: performance.now() - start };
  } finally {
    if (options.ocr === undefined) await ocr.close();
  }
}
