// aetnet explain on a tiny trained model: both pictures (SVG, and PNG through @napi-rs/canvas), the summary, errors.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { syntheticForm } from "../../../src/data/synthetic_forms.ts";
import { saveVocabMerges } from "../../../src/data/tokenizer/files.ts";
import { encodePng, toPixels } from "../../../src/train/page_svg.ts";
import { Trainer } from "../../../src/train/trainer.ts";
import { HF_FIXTURES, microTokenizer } from "../models/hf_fixture.ts";
import { micro, syntheticSetup } from "../train/fixtures.ts";
import { runCli as run } from "./run_cli.ts";

const t = suite("cli explain");
const dir = mkdtempSync(join(tmpdir(), "aetnet-explain-"));
const { doc, image } = syntheticForm(0, 77);
writeFileSync(join(dir, "page.png"), encodePng(image));
writeFileSync(join(dir, "words.json"), JSON.stringify(doc.words.map((text, i) => ({ text, box: toPixels(doc.boxes[i], doc.width, doc.height) }))));
const base = (...extra: string[]): string[] => ["explain", "--checkpoint", join(dir, "run"), "--image", join(dir, "page.png"), "--words", join(dir, "words.json"), ...extra];

const hasCanvas = await import("@napi-rs/canvas").then(() => true, () => false);

t("heatmap of one word and the per-cell alignment, as SVG and PNG", async () => {
  new Trainer({ config: micro, ...syntheticSetup(), outDir: join(dir, "run"), stopAfter: 2, progress: null, print: () => {} }).fit();
  const r = await run(...base("--word", "3", "--out", join(dir, "w3")));
  assert.is(r.code, 0, r.err);
  const summary = JSON.parse(r.out) as { subject: string; words: number[]; topPatch: number[]; cells: { count: number; ownTop: number; meanOwn: number }; pictures: string[] };
  assert.is(summary.subject, `word 3 "${doc.words[3]}"`);
  assert.equal(summary.words, [3]);
  assert.ok(summary.topPatch.every((v) => v >= 0 && v < 14));
  const heat = readFileSync(join(dir, "w3.heatmap.svg"), "utf8");
  assert.is([...heat.matchAll(/class="patch"/g)].length, 196);
  assert.is([...heat.matchAll(/class="chosen"/g)].length, 1);
  const cells = readFileSync(join(dir, "w3.cells.svg"), "utf8");
  assert.ok(summary.cells.count > 0);
  assert.is([...cells.matchAll(/class="cell"/g)].length, summary.cells.count);
  assert.ok(summary.cells.ownTop <= summary.cells.count && summary.cells.meanOwn > 0 && summary.cells.meanOwn <= 1);
  const pngs = summary.pictures.filter((f) => f.endsWith(".png"));
  if (hasCanvas) {
    assert.is(pngs.length, 2);
    for (const f of pngs) assert.equal([...readFileSync(f).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  } else {
    assert.is(pngs.length, 0);
    assert.match(r.err, /PNG skipped/);
  }
});

t("an entity by its text, or the first entity by default; a text no entity has is named", async () => {
  const first = await run(...base("--out", join(dir, "e")));
  assert.is(first.code, 0, first.err);
  const s = JSON.parse(first.out) as { subject: string; words: number[] };
  assert.match(s.subject, /^(entity \w+|word 0) "/);
  assert.ok(existsSync(join(dir, "e.heatmap.svg")) && existsSync(join(dir, "e.cells.svg")));
  const missing = await run(...base("--entity", "no such text anywhere", "--out", join(dir, "x")));
  assert.is(missing.code, 1);
  assert.match(missing.err, /no predicted entity contains "no such text anywhere"/);
  const both = await run(...base("--word", "1", "--entity", "a"));
  assert.is(both.code, 2);
  assert.match(both.err, /--word or --entity, not both/);
  const past = await run(...base("--word", "100000"));
  assert.is(past.code, 2);
  assert.match(past.err, /--word 100000 is past the page's \d+ words/);
});

t("a model without alignment encoders is refused", async () => {
  const hf = join(dir, "hf_token");
  cpSync(fileURLToPath(new URL("hf_token/", HF_FIXTURES)), hf, { recursive: true });
  saveVocabMerges(microTokenizer(), hf);
  const r = await run("explain", "--checkpoint", hf, "--image", join(dir, "page.png"), "--words", join(dir, "words.json"));
  assert.is(r.code, 2);
  assert.match(r.err, /without alignment encoders \(--no-align\): it has no PITA to draw/);
});

t.after(() => rmSync(dir, { recursive: true, force: true }));
t.run();
