// Small documents for the queue tests: digital PDFs of synthetic forms (their words in a real text layer, so no
// OCR is needed and a page takes milliseconds), a trained micro checkpoint, and a corrupt file.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { syntheticForm } from "../../../src/data/synthetic_forms.ts";
import { Trainer } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "../train/fixtures.ts";

/** A one-page PDF with form `index`'s words drawn at their boxes (the page is 600 × 800 points). */
export async function syntheticPdf(index: number, seed = 91): Promise<Uint8Array> {
  const { doc } = syntheticForm(index, seed);
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const [w, h] = [600, 800];
  const page = pdf.addPage([w, h]);
  doc.words.forEach((word, i) => {
    const [x0, , , y1] = doc.boxes[i];
    page.drawText(word, { x: (x0 / 1000) * w, y: h - (y1 / 1000) * h, size: 9, font });
  });
  return pdf.save();
}

/** `count` PDFs in dir (form-00.pdf, ...) plus, when asked, broken.pdf: a PDF header and garbage. */
export async function writeDocuments(dir: string, count: number, broken = true): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `form-${String(i).padStart(2, "0")}.pdf`);
    writeFileSync(path, await syntheticPdf(i));
    paths.push(path);
  }
  if (broken) {
    const path = join(dir, "broken.pdf");
    writeFileSync(path, "%PDF-1.7\nthis is not a PDF body\n");
    paths.push(path);
  }
  return paths;
}

/** A micro token-labelling checkpoint trained for two steps (seconds), as `aetnet train` writes it. */
export function trainCheckpoint(dir: string): string {
  new Trainer({ config: micro, ...syntheticSetup(), outDir: dir, stopAfter: 2, progress: null, print: () => {} }).fit();
  return dir;
}
