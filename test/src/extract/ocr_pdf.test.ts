import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createOcr, loadDocument, type Ocr, type PageWord } from "../../../src/extract/index.ts";
import { skipWhen } from "../../skip.ts";
import { documentPackages, IMAGE_LINES, textPng, twoKindPdf } from "./inputs.ts";

const t = suite("extract: OCR and PDF");
const available = await documentPackages();
const test = skipWhen(t, available ? null : "the optional OCR/PDF packages (tesseract.js, @tesseract.js-data/eng, pdfjs-dist, @napi-rs/canvas, pdf-lib) are not installed");
const dir = mkdtempSync(join(tmpdir(), "aetnet-extract-"));
let ocr: Ocr;

const word = (words: readonly PageWord[], text: string): PageWord => {
  const w = words.find((x) => x.text === text);
  assert.ok(w, `"${text}" among ${JSON.stringify(words.map((x) => x.text))}`);
  return w!;
};
const near = (a: number, b: number, tol: number, what: string): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} ± ${tol}`);

t.before(async () => { if (available) ocr = await createOcr(); });
t.after(async () => { if (available) await ocr.close(); });

test("OCR of a rendered page image: words, pixel boxes where they were drawn, segments split at a wide gap", async () => {
  const png = join(dir, "page.png");
  writeFileSync(png, await textPng(IMAGE_LINES));
  const doc = await loadDocument(png, { ocr });
  assert.is(doc.pages.length, 1);
  const [page] = doc.pages;
  assert.is(page.source, "ocr");
  assert.equal([page.image.width, page.image.height], [600, 200]);
  const invoice = word(page.words, "Invoice"), total = word(page.words, "Total"), date = word(page.words, "Date:"), year = word(page.words, "1998");
  word(page.words, "42");
  near(invoice.box[0], 20, 6, "Invoice x0");
  assert.ok(invoice.box[1] < 60 && invoice.box[3] >= 55, `Invoice box ${invoice.box} spans the baseline at y 60`);
  near(year.box[0], 330, 6, "1998 x0");
  assert.equal(invoice.segment, total.segment, "words of one field share a segment box");
  assert.ok(invoice.segment[0] <= invoice.box[0] && invoice.segment[2] >= word(page.words, "42").box[2]);
  assert.not.equal(date.segment, year.segment, "a 250 px gap splits the line");
});

test("PDF: the text page through its text layer, the image-only page through OCR; --pages picks pages", async () => {
  const pdf = await twoKindPdf(dir);
  const doc = await loadDocument(pdf, { ocr, dpi: 72 }); // 72 dpi: one pixel per point, and a quick OCR
  assert.equal(doc.pages.map((p) => [p.page, p.source]), [[1, "pdf-text"], [2, "ocr"]]);
  const [text, scan] = doc.pages;
  assert.equal([text.image.width, text.image.height], [612, 792]); // 8.5 × 11 in
  assert.equal(text.words.map((w) => w.text), ["Name:", "John", "Smith", "Date:", "12/03/1998"]);
  const name = word(text.words, "Name:");
  const scale = 1, baseline = (792 - 700) * scale;
  near(name.box[0], 72 * scale, 2, "Name: x0");
  assert.ok(name.box[1] < baseline && name.box[3] > baseline, `Name: box ${name.box} spans its baseline ${baseline}`);
  assert.equal(name.segment, word(text.words, "Smith").segment);
  // The rendered page is white paper with dark text where "Name:" stands.
  const plane = text.image.width * text.image.height;
  assert.ok(text.image.data[0] > 0.99 && text.image.data[plane - 1] > 0.99, "white background");
  let dark = 0;
  for (let y = name.box[1]; y < name.box[3]; y++) for (let x = name.box[0]; x < name.box[2]; x++) dark += text.image.data[y * text.image.width + x] < 0.5 ? 1 : 0;
  assert.ok(dark > 10, `text pixels inside the "Name:" box (${dark})`);
  for (const w of ["Invoice", "Total", "1998"]) word(scan.words, w);
  const only2 = await loadDocument(pdf, { ocr, pages: "2", dpi: 72 });
  assert.equal(only2.pages.map((p) => p.page), [2]);
  try { await loadDocument(pdf, { ocr, pages: "2-5" }); assert.unreachable("page 5 of 2"); } catch (err) {
    assert.match((err as Error).message, /--pages "2-5" is outside the document's pages 1-2/);
  }
});

test("a file that is neither image nor PDF, and a broken PDF: one-line errors naming the file", async () => {
  const txt = join(dir, "notes.txt"), bad = join(dir, "broken.pdf");
  writeFileSync(txt, "hello");
  writeFileSync(bad, "%PDF-1.7 nothing else");
  for (const [path, pattern] of [[txt, /notes\.txt: not a PNG, JPEG or PDF file/], [bad, /broken\.pdf: not a readable PDF/]] as const) {
    try { await loadDocument(path, { ocr }); assert.unreachable(path); } catch (err) { assert.match((err as Error).message, pattern); }
  }
});

const offline = skipWhen(t, !available ? "the optional OCR packages are not installed" : spawnSync("unshare", ["-n", "true"]).status === 0 ? null : "the offline check needs `unshare -n` (root, util-linux)");

offline("OCR runs with the network unreachable (a child process in its own empty network namespace)", async () => {
  const png = join(dir, "offline.png");
  writeFileSync(png, await textPng([["Offline Check", 20, 60]], 400, 100));
  const script = `import { loadDocument } from ${JSON.stringify(resolve("src/extract/index.ts"))};
const d = await loadDocument(${JSON.stringify(png)});
console.log(JSON.stringify(d.pages[0].words.map((w) => w.text)));`;
  const file = join(dir, "offline_ocr.mts");
  writeFileSync(file, script);
  const r = spawnSync("unshare", ["-n", process.execPath, "--import", "tsx", file], { encoding: "utf8", timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout.trim().split("\n").pop()!), ["Offline", "Check"]);
});

t.run();
