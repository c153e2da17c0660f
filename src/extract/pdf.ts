// PDF pages with pdfjs-dist (its legacy build, which runs in Node): the text layer's words with pixel boxes, and
// the page rendered to an image (through @napi-rs/canvas, which pdfjs-dist loads for its Node canvas factory).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DataError } from "../data/errors.ts";
import { importOptional } from "../../engine/index.ts";
import { pdfPages, PDF_DPI, type Pdfjs, type PdfjsDocument, type PdfPage } from "./pdf_pages.ts";

export type { PdfPage, PdfWord } from "./pdf_pages.ts";

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

export interface ReadPdfOptions {
  /** Page list such as "1-3" (default: every page). */
  pages?: string;
  /** Rendering resolution (default 150 dpi; a PDF point is 1/72 inch). */
  dpi?: number;
  /** The file's bytes, already read: the file is not read again (path then only names it in errors). */
  bytes?: Uint8Array;
}

/** Reads the chosen pages of a PDF: text layer and rendered image per page. */
export async function readPdf(path: string, options: ReadPdfOptions = {}): Promise<PdfPage[]> {
  const pdfjs = await importOptional<Pdfjs>("pdfjs-dist/legacy/build/pdf.mjs", "pdf");
  await importOptional<unknown>("@napi-rs/canvas", "pdf"); // pdfjs-dist renders through it; say so if it is missing
  let bytes: Uint8Array;
  // a copy either way: pdf.js takes over (detaches) the buffer it is given
  try { bytes = new Uint8Array(options.bytes ?? readFileSync(path)); } catch (err) {
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
    return await pdfPages(pdf, pdfjs.Util, numbers, options.dpi ?? PDF_DPI);
  } finally {
    await pdf.destroy();
  }
}
