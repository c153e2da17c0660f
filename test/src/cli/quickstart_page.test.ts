// The end of npm start on a tiny trained model: a printed page read by OCR, its entity picture and the alignment
// pictures of `aetnet explain` written beside it, and every path printed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { showOnPage } from "../../../src/cli/quickstart_page.ts";
import { Trainer } from "../../../src/train/trainer.ts";
import { skipWhen } from "../../skip.ts";
import { documentPackages, textPng } from "../extract/inputs.ts";
import { micro, syntheticSetup } from "../train/fixtures.ts";

const t = suite("quickstart page");
const missing = "the optional OCR packages (tesseract.js, @tesseract.js-data/eng, @napi-rs/canvas) are not installed";
const test = skipWhen(t, await documentPackages() ? null : missing);
const dir = mkdtempSync(join(tmpdir(), "aetnet-quickstart-"));

test("OCR'd page: entity picture, alignment heatmap and per-cell picture, paths printed", async () => {
  const run = join(dir, "run");
  new Trainer({ config: micro, ...syntheticSetup(), outDir: run, stopAfter: 2, progress: null, print: () => {} }).fit();
  const page = join(dir, "form.png");
  writeFileSync(page, await textPng([["Name: John Smith", 20, 60], ["Date: 12/03/1998", 20, 140]]));
  const printed: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => { printed.push(args.join(" ")); };
  let shown;
  try { shown = await showOnPage(run, page); } finally { console.log = log; }
  const out = printed.join("\n");
  assert.ok(shown !== null && shown !== undefined, out);
  assert.ok(shown.result.pages[0].words >= 4, out);
  assert.equal(shown.result.pictures, [join(run, "page", "form.p1.entities.svg")]);
  const explained = shown.explained;
  assert.ok(explained !== null, out);
  const heatmap = join(run, "page", "form.heatmap.svg"), cells = join(run, "page", "form.cells.svg");
  for (const f of [heatmap, cells, ...shown.result.pictures ?? []]) {
    assert.ok(existsSync(f), f);
    assert.ok(out.includes(f), `${f} printed in:\n${out}`);
  }
  assert.is([...readFileSync(heatmap, "utf8").matchAll(/class="patch"/g)].length, 196);
  assert.is([...readFileSync(cells, "utf8").matchAll(/class="cell"/g)].length, explained.cells.count);
  assert.match(out, /alignment heatmap of (entity \S+|word 0) "/);
  assert.match(out, /npx aetnet explain --checkpoint/);
});

t.after(() => rmSync(dir, { recursive: true, force: true }));
t.run();
