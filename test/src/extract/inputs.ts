// Test documents made on the spot: a page image with printed text (rendered with @napi-rs/canvas) and a two-page
// PDF (pdf-lib): page 1 digital text, page 2 only an image of text, as a scan would be.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** Whether the optional document packages are installed (tests that need them report SKIPPED otherwise). */
export async function documentPackages(): Promise<boolean> {
  try {
    await Promise.all(["tesseract.js", "@tesseract.js-data/eng", "pdfjs-dist/legacy/build/pdf.mjs", "@napi-rs/canvas", "pdf-lib"].map((m) => import(m)));
    return true;
  } catch { return false; }
}

/** Lines of [text, x, baseline y] drawn in 28 px sans-serif on a white width × height page; PNG bytes. */
export async function textPng(lines: readonly [string, number, number][], width = 600, height = 200): Promise<Buffer> {
  const { createCanvas } = await import("@napi-rs/canvas");
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = "black";
  ctx.font = "28px sans-serif";
  for (const [text, x, y] of lines) ctx.fillText(text, x, y);
  return canvas.toBuffer("image/png");
}

/** The image page's lines: "Invoice Total 42" and, 250 px of blank to the right of "Date:", "1998". */
export const IMAGE_LINES: [string, number, number][] = [["Invoice Total 42", 20, 60], ["Date:", 20, 140], ["1998", 330, 140]];

/** The PDF's digital lines (points, y up from the bottom of a 612 × 792 page, Helvetica 14). */
export const PDF_LINES: [string, number, number][] = [["Name: John Smith", 72, 700], ["Date: 12/03/1998", 72, 660]];

/** Writes `<dir>/<name>.pdf`: page 1 PDF_LINES as text, page 2 the IMAGE_LINES picture (no text layer). */
export async function twoKindPdf(dir: string, name = "doc"): Promise<string> {
  const { PDFDocument, StandardFonts } = await import("pdf-lib");
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const text = pdf.addPage([612, 792]);
  for (const [s, x, y] of PDF_LINES) text.drawText(s, { x, y, size: 14, font });
  const png = await pdf.embedPng(await textPng(IMAGE_LINES));
  pdf.addPage([612, 792]).drawImage(png, { x: 36, y: 500, width: 540, height: 180 });
  const path = join(dir, `${name}.pdf`);
  writeFileSync(path, await pdf.save());
  return path;
}
