// Writes a two-page PDF to try `aetnet predict --pdf` on: page 1 a digital form (text layer), page 2 the same
// kind of form as a picture only, as a scanner makes it (read by OCR). Uses the optional pdf-lib and @napi-rs/canvas.
// Run: npx tsx examples/04_make_form_pdf.ts [form.pdf]
import { writeFileSync } from "node:fs";
import { createCanvas } from "@napi-rs/canvas";
import { PDFDocument, StandardFonts } from "pdf-lib";

const out = process.argv[2] ?? "form.pdf";
const FIELDS: [string, string][] = [["Name:", "Mary Chen"], ["Date:", "12/03/1998"], ["Company:", "Oak Ave Supplies"], ["Amount Due:", "$1,250.00"]];

const pdf = await PDFDocument.create();
const font = await pdf.embedFont(StandardFonts.Helvetica), bold = await pdf.embedFont(StandardFonts.HelveticaBold);
const digital = pdf.addPage([612, 792]); // US letter in points, y up from the bottom
digital.drawText("ORDER FORM", { x: 72, y: 700, size: 22, font: bold });
FIELDS.forEach(([q, a], i) => {
  digital.drawText(q, { x: 72, y: 640 - 40 * i, size: 13, font: bold });
  digital.drawText(a, { x: 220, y: 640 - 40 * i, size: 13, font });
});

// The scanned page: the form drawn into a 150 dpi picture, placed over the whole page, no text layer.
const canvas = createCanvas(1275, 1650);
const ctx = canvas.getContext("2d");
ctx.fillStyle = "white";
ctx.fillRect(0, 0, 1275, 1650);
ctx.fillStyle = "black";
ctx.font = "bold 46px sans-serif";
ctx.fillText("SHIPPING NOTICE", 150, 190);
FIELDS.forEach(([q, a], i) => {
  ctx.font = "bold 27px sans-serif";
  ctx.fillText(q, 150, 315 + 83 * i);
  ctx.font = "27px sans-serif";
  ctx.fillText(a, 460, 315 + 83 * i);
});
const scan = pdf.addPage([612, 792]);
scan.drawImage(await pdf.embedPng(canvas.toBuffer("image/png")), { x: 0, y: 0, width: 612, height: 792 });

writeFileSync(out, await pdf.save());
console.log(`${out}: page 1 digital text, page 2 an image only`);
