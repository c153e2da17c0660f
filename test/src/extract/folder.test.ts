import { suite } from "uvu";
import * as assert from "uvu/assert";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DocumentResult } from "../../../src/extract/index.ts";
import { Trainer } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "../train/fixtures.ts";
import { runCli as run } from "../cli/run_cli.ts";
import { skipWhen } from "../../skip.ts";
import { documentPackages, IMAGE_LINES, textPng, twoKindPdf } from "./inputs.ts";

const t = suite("predict: folders, PDF and OCR from the command line");
const available = await documentPackages();
const test = skipWhen(t, available ? null : "the optional OCR/PDF packages (tesseract.js, @tesseract.js-data/eng, pdfjs-dist, @napi-rs/canvas, pdf-lib) are not installed");
const dir = mkdtempSync(join(tmpdir(), "aetnet-folder-"));
const ckpt = join(dir, "run");
const docs = join(dir, "docs");
const lines = (path: string): DocumentResult[] => readFileSync(path, "utf8").trim().split("\n").map((l) => JSON.parse(l) as DocumentResult);

t.before(async () => {
  if (!available) return;
  new Trainer({ config: micro, ...syntheticSetup(), outDir: ckpt, stopAfter: 2, progress: null, print: () => {} }).fit();
  mkdirSync(docs);
  writeFileSync(join(docs, "a.png"), await textPng(IMAGE_LINES));
  await twoKindPdf(docs, "b");
  writeFileSync(join(docs, "c.png"), "not a picture at all");
});

test("--input DIR --out results.jsonl: a line per document, a bad document recorded not fatal, pictures on request", async () => {
  const out = join(dir, "results.jsonl"), pics = join(dir, "pics");
  const r = await run("predict", "--checkpoint", ckpt, "--input", docs, "--out", out, "--pictures", pics, "--dpi", "72");
  assert.is(r.code, 0, r.err);
  const results = lines(out);
  assert.equal(results.map((x) => x.document), ["a.png", "b.pdf", "c.png"].map((f) => join(docs, f)));
  const [a, b, c] = results;
  assert.is(a.error, null);
  assert.equal(a.pages.map((p) => [p.source, p.width, p.height]), [["ocr", 600, 200]]);
  assert.ok(a.pages[0].words >= 5, `OCR words on a.png: ${a.pages[0].words}`);
  assert.equal(b.pages.map((p) => [p.page, p.source, p.words]), [[1, "pdf-text", 5], [2, "ocr", b.pages[1].words]]);
  assert.match(c.error ?? "", /c\.png: (cannot decode image|not a PNG or JPEG)/);
  assert.equal([c.pages, c.entities], [[], []]);
  for (const x of [a, b]) {
    assert.ok(x.timing.totalMs >= x.timing.loadMs && x.timing.modelMs >= 0);
    for (const e of x.entities) {
      assert.ok(["HEADER", "QUESTION", "ANSWER"].includes(e.label), e.label);
      assert.ok(e.score > 0 && e.score <= 1 && e.text.length > 0 && e.words.length > 0);
      const page = x.pages.find((p) => p.page === e.page)!;
      assert.ok(e.box[0] >= 0 && e.box[2] <= page.width && e.box[1] >= 0 && e.box[3] <= page.height, `${e.box}`);
    }
    assert.equal(x.pictures, x.pages.map((p) => join(pics, `${x.document.endsWith("a.png") ? "a" : "b"}.p${p.page}.entities.svg`)));
    for (const svg of x.pictures!) assert.ok(readFileSync(svg, "utf8").includes("data:image/png;base64,"));
  }
  assert.match(r.err, /3 documents written to .*results\.jsonl \(1 with errors, 0 skipped\)/);
});

test("resume: documents already in the output are skipped, a line cut short by a crash is dropped", async () => {
  const out = join(dir, "results.jsonl");
  const before = readFileSync(out, "utf8");
  copyFileSync(join(docs, "a.png"), join(docs, "d.png"));
  appendFileSync(out, '{"document": "half a line');
  const r = await run("predict", "--checkpoint", ckpt, "--input", join(docs, "*.png"), "--out", out);
  assert.is(r.code, 0, r.err);
  assert.match(r.err, /2 of 3 documents already in .*: skipped/);
  const after = readFileSync(out, "utf8");
  assert.ok(after.startsWith(before), "earlier lines untouched");
  assert.equal(lines(out).map((x) => x.document.slice(docs.length + 1)), ["a.png", "b.pdf", "c.png", "d.png"]);
  const again = await run("predict", "--checkpoint", ckpt, "--input", docs, "--out", out);
  assert.match(again.err, /4 of 4 documents already in/);
  assert.is(readFileSync(out, "utf8"), after);
});

test("--pdf and --image without --words: the record on stdout and the SVGs", async () => {
  const svgDir = join(dir, "svg");
  const pdf = await run("predict", "--checkpoint", ckpt, "--pdf", join(docs, "b.pdf"), "--pages", "1", "--out", svgDir);
  assert.is(pdf.code, 0, pdf.err);
  const record = JSON.parse(pdf.out) as DocumentResult;
  assert.equal(record.pages.map((p) => [p.page, p.source]), [[1, "pdf-text"]]);
  assert.equal(record.pictures, [join(svgDir, "b.p1.entities.svg")]);
  assert.ok(existsSync(record.pictures![0]));
  const svg = join(dir, "a.svg");
  const img = await run("predict", "--checkpoint", ckpt, "--image", join(docs, "a.png"), "--out", svg);
  assert.is(img.code, 0, img.err);
  assert.equal((JSON.parse(img.out) as DocumentResult).pictures, [svg]);
  const bad = await run("predict", "--checkpoint", ckpt, "--pdf", join(docs, "b.pdf"), "--pages", "3");
  assert.is(bad.code, 1);
  assert.match(bad.err, /b\.pdf: --pages "3" is outside the document's pages 1-2/);
  const usage = await run("predict", "--checkpoint", ckpt, "--image", join(docs, "a.png"), "--pdf", join(docs, "b.pdf"));
  assert.is(usage.code, 2);
  assert.match(usage.err, /give exactly one of --image, --pdf or --input/);
});

t.run();
