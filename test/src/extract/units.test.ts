import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importPackage } from "../../../src/extract/optional_package.ts";
import { appendResult, MissingPackageError, globRegExp, inputFiles, parsePageRange, readDoneDocuments, segmentLines, type DocumentResult, type PixelBox } from "../../../src/extract/index.ts";

const t = suite("extract: segments, page lists, inputs, results file");

t("segmentLines: a line splits where the gap exceeds 1.5 × the median word height; words keep their own boxes", () => {
  const w = (text: string, x0: number, x1: number): { text: string; box: PixelBox } => ({ text, box: [x0, 10, x1, 30] });
  const words = segmentLines([[w("Date", 0, 40), w(":", 44, 50), w("12/03", 81, 120)], [], [w("Total", 0, 50)]]);
  assert.equal(words.map((x) => x.segment), [[0, 10, 50, 30], [0, 10, 50, 30], [81, 10, 120, 30], [0, 10, 50, 30]]);
  assert.equal(words[1].box, [44, 10, 50, 30]);
  assert.equal(segmentLines([[w("a", 0, 10), w("b", 40, 50)]]).map((x) => x.segment[2]), [50, 50]); // gap 30 = 1.5 × 20
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

t("importPackage: a missing optional package, bare or by subpath, is a one-line error naming npm install", async () => {
  for (const spec of ["aetnet-no-such-package", "aetnet-no-such-package/legacy/build/x.mjs", "@aetnet-none/pkg/sub"]) {
    const name = spec.startsWith("@") ? "@aetnet-none/pkg" : "aetnet-no-such-package";
    try { await importPackage(spec, "pdf"); assert.unreachable(spec); } catch (err) {
      assert.instance(err, MissingPackageError);
      assert.match((err as Error).message, `[pdf] needs the optional package "${name}", which is not installed; run: npm install ${name}`);
    }
  }
  assert.ok(typeof (await importPackage<{ PNG: unknown }>("pngjs", "x")).PNG === "function");
});

t.run();
