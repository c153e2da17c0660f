import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  appendResult, globRegExp, inputFiles, parsePageRange, readDoneDocuments, segmentLines, type DocumentResult,
  type PixelBox,
} from "../../../src/extract/index.ts";
import { pdfDocumentPages, type PdfPage } from "../../../src/extract/pdf_pages.ts";
import { emptyImage } from "../../../src/data/image/rgb_image.ts";

const t = suite("extract: segments, page lists, inputs, results file");

t("segmentLines: a line splits where the gap exceeds 1.5 × the median word height; words keep their own boxes", () => {
  const w = (text: string, x0: number, x1: number): { text: string; box: PixelBox } => ({ text, box: [x0, 10, x1, 30] });
  const words = segmentLines([[w("Date", 0, 40), w(":", 44, 50), w("12/03", 81, 120)], [], [w("Total", 0, 50)]]);
  assert.equal(words.map((x) => x.segment), [[0, 10, 50, 30], [0, 10, 50, 30], [81, 10, 120, 30], [0, 10, 50, 30]]);
  assert.equal(words[1].box, [44, 10, 50, 30]);
  assert.equal(segmentLines([[w("a", 0, 10), w("b", 40, 50)]]).map((x) => x.segment[2]), [50, 50]); // gap 30 = 1.5 × 20
});

t("pdfDocumentPages: a page's text layer where it has one, else OCR of its image, in page order", async () => {
  const w = (text: string, x0: number, x1: number) => ({ text, box: [x0, 10, x1, 30] as PixelBox });
  const image = emptyImage(200, 100);
  const read: PdfPage[] = [
    { page: 2, image, lines: [[w("Name", 0, 40), w("Smith", 100, 150)]] },
    { page: 3, image, lines: [] },
    { page: 5, image, lines: [] },
  ];
  const asked: number[] = [];
  const pages = await pdfDocumentPages(read, async (p) => {
    asked.push(p.page);
    return [[{ ...w(`ocr${p.page}`, 0, 30), confidence: 90 }]];
  });
  assert.equal(asked, [3, 5]);
  assert.equal(pages.map((p) => [p.page, p.source, p.words.map((x) => x.text)]),
    [[2, "pdf-text", ["Name", "Smith"]], [3, "ocr", ["ocr3"]], [5, "ocr", ["ocr5"]]]);
  assert.equal(pages[0].words, segmentLines(read[0].lines));
  assert.is(pages[1].image, image);
});

t("parsePageRange: lists and ranges, checked against the page count", () => {
  assert.equal(parsePageRange("1-3", 5, "f.pdf"), [1, 2, 3]);
  assert.equal(parsePageRange("4, 1-2,2", 5, "f.pdf"), [1, 2, 4]);
  assert.throws(() => parsePageRange("0", 5, "f.pdf"), /f\.pdf: --pages "0" is outside the document's pages 1-5/);
  assert.throws(() => parsePageRange("3-1", 5, "f.pdf"), /outside/);
  assert.throws(() => parsePageRange("a-b", 5, "f.pdf"), /is not a page list like 1-3 or 1,4/);
});

t("inputFiles: a folder's documents, globs with * and **, and errors for nothing found", () => {
  const dir = mkdtempSync(join(tmpdir(), "aetnet-inputs-"));
  mkdirSync(join(dir, "sub"));
  for (const f of ["b.png", "a.PDF", "c.txt", "sub/d.jpg", "sub/e.png"]) writeFileSync(join(dir, f), "");
  assert.equal(inputFiles(dir), [join(dir, "a.PDF"), join(dir, "b.png")]);
  assert.equal(inputFiles(`${dir}/*.png`), [join(dir, "b.png")]);
  assert.equal(inputFiles(`${dir}/**/*.png`), [join(dir, "b.png"), join(dir, "sub/e.png")]);
  assert.equal(inputFiles(`${dir}/sub/?.jpg`), [join(dir, "sub/d.jpg")]);
  assert.ok(globRegExp("x/[ab].png").test("x/a.png") && !globRegExp("x/[!ab].png").test("x/a.png"));
  assert.throws(() => inputFiles(`${dir}/*.tiff`), /the pattern matches no file/);
  assert.throws(() => inputFiles(join(dir, "nope")), /no such file or folder/);
  assert.throws(() => inputFiles(join(dir, "sub", "..", "sub", "x")), /no such file/);
});

t("results file: appended lines, done documents read back, a torn last line removed", () => {
  const path = join(mkdtempSync(join(tmpdir(), "aetnet-results-")), "r.jsonl");
  assert.equal([...readDoneDocuments(path)], []);
  const rec = (document: string): DocumentResult => ({ document, pages: [], entities: [], timing: { loadMs: 1, modelMs: 0, totalMs: 1 }, error: null });
  appendResult(path, rec("a.png"));
  appendResult(path, rec("b.pdf"));
  writeFileSync(path, readFileSync(path, "utf8") + "not json\n" + '{"document": "c.p');
  assert.equal([...readDoneDocuments(path)], ["a.png", "b.pdf"]);
  assert.ok(readFileSync(path, "utf8").endsWith("not json\n"));
});


t.run();
