// aetnet export --format hf and aetnet predict with a Hugging Face model folder.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

const t = suite("cli hf");
const dir = mkdtempSync(join(tmpdir(), "aetnet-hf-cli-"));
const { doc, image } = syntheticForm(0, 77);
writeFileSync(join(dir, "page.png"), encodePng(image));
writeFileSync(join(dir, "words.json"), JSON.stringify(doc.words.map((text, i) => ({ text, box: toPixels(doc.boxes[i], doc.width, doc.height) }))));
const predictArgs = (checkpoint: string, out: string): string[] =>
  ["predict", "--checkpoint", checkpoint, "--image", join(dir, "page.png"), "--words", join(dir, "words.json"), "--out", join(dir, out)];

t("export --format hf of a trained run; predict on the export gives the run's entities", async () => {
  new Trainer({ config: micro, ...syntheticSetup(), outDir: join(dir, "run"), stopAfter: 2, progress: null, print: () => {} }).fit();
  const ex = await run("export", "--checkpoint", join(dir, "run"), "--out", join(dir, "hf"), "--format", "hf");
  assert.is(ex.code, 0, ex.err);
  assert.match(ex.out, /model\.safetensors/);
  const a = await run(...predictArgs(join(dir, "run"), "a.svg"));
  const b = await run(...predictArgs(join(dir, "hf"), "b.svg"));
  assert.is(a.code, 0, a.err);
  assert.is(b.code, 0, b.err);
  const entities = (out: string): unknown => (JSON.parse(out) as { entities: unknown[] }).entities;
  assert.ok((entities(a.out) as unknown[]).length > 0);
  assert.equal(entities(b.out), entities(a.out));
  const bad = await run("export", "--checkpoint", join(dir, "run"), "--out", join(dir, "x"), "--format", "onnx");
  assert.is(bad.code, 2);
  assert.match(bad.err, /--format must be one of hf/);
});

t("predict with a HF LayoutLMv3 token / sequence folder: labels from id2label; a missing tokenizer is named", async () => {
  const token = join(dir, "hf_token");
  cpSync(fileURLToPath(new URL("hf_token/", HF_FIXTURES)), token, { recursive: true });
  const noTok = await run(...predictArgs(token, "t.svg"));
  assert.is(noTok.code, 1);
  assert.match(noTok.err, /has no tokenizer: add the model's vocab\.json and merges\.txt/);
  saveVocabMerges(microTokenizer(), token);
  const r = await run(...predictArgs(token, "t.svg"));
  assert.is(r.code, 0, r.err);
  const { entities } = JSON.parse(r.out) as { entities: { label: string }[] };
  for (const e of entities) assert.ok(["HEADER", "QUESTION", "ANSWER"].includes(e.label), e.label);
  const seq = join(dir, "hf_sequence");
  cpSync(fileURLToPath(new URL("hf_sequence/", HF_FIXTURES)), seq, { recursive: true });
  saveVocabMerges(microTokenizer(), seq);
  const c = await run("predict", "--checkpoint", seq, "--image", join(dir, "page.png"));
  assert.is(c.code, 0, c.err);
  const cls = JSON.parse(c.out) as { class: string; probabilities: Record<string, number> };
  assert.equal(Object.keys(cls.probabilities), ["letter", "form", "invoice"]);
  assert.ok(cls.class in cls.probabilities);
});

t.after(() => rmSync(dir, { recursive: true, force: true }));
t.run();
