// PDF pages with pdfjs-dist (its legacy build, which runs in Node): the text layer's words with pixel boxes, and
// the page rendered to an image (through @napi-rs/canvas, which pdfjs-dist loads for its Node canvas factory).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DataError } from "../data/errors.ts";
import { fromInterleaved, type RgbImage } from "../data/image/rgb_image.ts";
import { importPackage } from "./optional_package.ts";
import type { PixelBox } from "./result.ts";

/** A word of the text layer, in pixels of the rendered page. */
export interface PdfWord { text: string; box: PixelBox }

export interface PdfPage {
  /** 1-based page number. */
  page: number;
  image: RgbImage;
  /** The text layer as lines (one per text run), empty for a scanned page. */
  lines: PdfWord[][];
}

interface TextItem { str?: string; transform?: number[]; width?: number }
interface Viewport { width: number; height: number; scale: number; transform: number[] }
interface CanvasEntry {
  canvas: unknown;
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
interface PdfjsPage {
  getViewport(o: { scale: number }): Viewport;
  getTextContent(): Promise<{ items: TextItem[] }>;
  render(o: { canvasContext: unknown; canvas: unknown; viewport: Viewport }): { promise: Promise<void> };
  cleanup(): void;
}
interface PdfjsDocument {
  numPages: number;
  getPage(n: number): Promise<PdfjsPage>;
  canvasFactory: { create(w: number, h: number): CanvasEntry; destroy(e: CanvasEntry): void };
  destroy(): Promise<void>;
}
interface Pdfjs {
  getDocument(o: Record<string, unknown>): { promise: Promise<PdfjsDocument> };
  Util: { transform(a: number[], b: number[]): number[] };
}

/** "1-3", "2", "1,3-4" → sorted unique 1-based page numbers, each checked against the page count. */
export function parsePageRange(spec: string, pageCount: number, file: string): number[] {
  const pages = new Set<number>();
  for (const part of spec.split(",")) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (m === null) throw new DataError("pdf", file, `--pages "${spec}" is not a page list like 1-3 or 1,4`);
    const from = Number(m[1]), to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from || to > pageCount) {
      throw new DataError("pdf", file, `--pages "${spec}" is outside the document's pages 1-${pageCount}`);
    }
    for (let p = from; p <= to; p++) pages.add(p);
  }
  return [...pages].sort((a, b) => a - b);
}

/** pdfjs-dist's folder of standard fonts (for PDFs that use the 14 base fonts without embedding them). */
function standardFontFolder(): string {
  return join(dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")), "standard_fonts") + "/";
}

/** The text run's words: the run is split at whitespace and its width shared out in proportion to characters. */
function itemWords(item: TextItem, viewport: Viewport, util: Pdfjs["Util"]): PdfWord[] {
  const str = item.str ?? "";
  if (item.transform === undefined || str.trim() === "") return [];
  const t = util.transform(viewport.transform, item.transform);
  const size = Math.hypot(t[2], t[3]);
  const x = t[4], baseline = t[5], width = (item.width ?? 0) * viewport.scale;
  // Ascent 0.8 and descent 0.2 of the font size, as pdf.js's own text layer assumes when the font gives none.
  const top = Math.max(0, baseline - 0.8 * size), bottom = Math.min(viewport.height, baseline + 0.2 * size);
  const words: PdfWord[] = [];
  for (const m of str.matchAll(/\S+/g)) {
    const x0 = x + (width * m.index) / str.length, x1 = x + (width * (m.index + m[0].length)) / str.length;
    const box: PixelBox = [Math.max(0, x0), top, Math.min(viewport.width, x1), bottom].map(Math.round) as PixelBox;
    if (box[2] > box[0] && box[3] > box[1]) words.push({ text: m[0], box });
  }
  return words;
}

export interface ReadPdfOptions {
  /** Page list such as "1-3" (default: every page). */
  pages?: string;
  /** Rendering resolution (default 150 dpi; a PDF point is 1/72 inch). */
  dpi?: number;
}

/** Reads the chosen pages of a PDF: text layer and rendered image per page. */
export async function readPdf(path: string, options: ReadPdfOptions = {}): Promise<PdfPage[]> {
  const pdfjs = await importPackage<Pdfjs>("pdfjs-dist/legacy/build/pdf.mjs", "pdf");
  await importPackage<unknown>("@napi-rs/canvas", "pdf"); // pdfjs-dist renders through it; say so if it is missing
  let bytes: Uint8Array;
  try { bytes = new Uint8Array(readFileSync(path)); } catch (err) {
    throw new DataError("pdf", path, `cannot read file (${err instanceof Error ? err.message : String(err)})`);
  }
  let pdf: PdfjsDocument;
  try {
    const source = { data: bytes, standardFontDataUrl: standardFontFolder(), isEvalSupported: false, verbosity: 0 };
    pdf = await pdfjs.getDocument(source).promise;
  } catch (err) {
    throw new DataError("pdf", path, `not a readable PDF (${err instanceof Error ? err.message : String(err)})`);
  }
  try {
    const numbers = options.pages === undefined
      ? Array.from({ length: pdf.numPages }, (_, i) => i + 1)
      : parsePageRange(options.pages, pdf.numPages, path);
    const out: PdfPage[] = [];
    for (const n of numbers) {
      const page = await pdf.getPage(n);
      const viewport = page.getViewport({ scale: (options.dpi ?? 150) / 72 });
      const w = Math.round(viewport.width), h = Math.round(viewport.height);
      const { items } = await page.getTextContent();
      const lines = items.map((it) => itemWords(it, viewport, pdfjs.Util)).filter((l) => l.length > 0);
      const entry = pdf.canvasFactory.create(w, h);
      await page.render({ canvasContext: entry.context, canvas: entry.canvas, viewport }).promise;
      const image = fromInterleaved(entry.context.getImageData(0, 0, w, h).data, w, h, 4);
      pdf.canvasFactory.destroy(entry);
      page.cleanup();
      out.push({ page: n, image, lines });
    }
    return out;
  } finally {
    await pdf.destroy();
  }
}
