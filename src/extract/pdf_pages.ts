// The pages of a PDF opened by pdf.js, with no file system or Node API: the text layer's words with pixel boxes and
// the page rendered to an image through the document's own canvas factory. Node (pdf.ts, pdfjs-dist's legacy build
// with @napi-rs/canvas) and the browser page (pdfjs-dist's browser build, a DOM canvas) share it, so both read the
// same words from the same PDF.
import { fromInterleaved, type RgbImage } from "../data/image/rgb_image.ts";
import type { DocumentPage } from "./load_document.ts";
import type { OcrLine } from "./ocr.ts";
import type { PixelBox } from "./result.ts";
import { segmentLines } from "./segments.ts";

/** A word of the text layer, in pixels of the rendered page. */
export interface PdfWord { text: string; box: PixelBox }

/** One PDF page: the rendered image and its text layer. */
export interface PdfPage {
  /** 1-based page number. */
  page: number;
  image: RgbImage;
  /** The text layer as lines (one per text run), empty for a scanned page. */
  lines: PdfWord[][];
}

export interface TextItem { str?: string; transform?: number[]; width?: number }
export interface Viewport { width: number; height: number; scale: number; transform: number[] }
export interface CanvasEntry {
  canvas: unknown;
  context: { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}
export interface PdfjsPage {
  getViewport(o: { scale: number }): Viewport;
  getTextContent(): Promise<{ items: TextItem[] }>;
  render(o: { canvasContext: unknown; canvas: unknown; viewport: Viewport }): { promise: Promise<void> };
  cleanup(): void;
}
/** The part of pdf.js's PDFDocumentProxy used here (Node's legacy build and the browser build alike). */
export interface PdfjsDocument {
  numPages: number;
  getPage(n: number): Promise<PdfjsPage>;
  canvasFactory: { create(w: number, h: number): CanvasEntry; destroy(e: CanvasEntry): void };
  destroy(): Promise<void>;
}
/** The part of the pdf.js module used here: `getDocument` and `Util.transform`. */
export interface Pdfjs {
  getDocument(o: Record<string, unknown>): { promise: Promise<PdfjsDocument> };
  Util: { transform(a: number[], b: number[]): number[] };
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

/** Default rendering resolution: 150 dpi (a PDF point is 1/72 inch). */
export const PDF_DPI = 150;

/** The given 1-based pages of an opened document: text layer and rendered image per page. */
export async function pdfPages(
  pdf: PdfjsDocument, util: Pdfjs["Util"], numbers: readonly number[], dpi = PDF_DPI,
): Promise<PdfPage[]> {
  const out: PdfPage[] = [];
  for (const n of numbers) {
    const page = await pdf.getPage(n);
    const viewport = page.getViewport({ scale: dpi / 72 });
    const w = Math.round(viewport.width), h = Math.round(viewport.height);
    const { items } = await page.getTextContent();
    const lines = items.map((it) => itemWords(it, viewport, util)).filter((l) => l.length > 0);
    const entry = pdf.canvasFactory.create(w, h);
    await page.render({ canvasContext: entry.context, canvas: entry.canvas, viewport }).promise;
    const image = fromInterleaved(entry.context.getImageData(0, 0, w, h).data, w, h, 4);
    pdf.canvasFactory.destroy(entry);
    page.cleanup();
    out.push({ page: n, image, lines });
  }
  return out;
}

/**
 * The document pages of a PDF's pages: each page's words from its text layer where it has one, else from OCR of its
 * render (`recognize`, called in page order), in segments. Node's loadDocument and the browser page share it, so a
 * PDF gives the same words in both.
 */
export async function pdfDocumentPages(
  read: readonly PdfPage[], recognize: (page: PdfPage) => Promise<OcrLine[]>,
): Promise<DocumentPage[]> {
  const pages: DocumentPage[] = [];
  for (const p of read) {
    const text = p.lines.length > 0;
    const lines = text ? p.lines : await recognize(p);
    pages.push({ page: p.page, image: p.image, words: segmentLines(lines), source: text ? "pdf-text" : "ocr" });
  }
  return pages;
}
