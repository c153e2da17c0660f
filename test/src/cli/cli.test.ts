import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { syntheticForm } from "../../../src/data/synthetic_forms.ts";
import { encodePng, toPixels } from "../../../src/train/page_svg.ts";
import { Trainer } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "../train/fixtures.ts";
import { runCli as run } from "./run_cli.ts";

const t = suite("cli");

t("--help for the program and each command", async () => {
  assert.match((await run("--help")).out, /Commands:/);
  for (const [cmd, text] of [["train", "--no-align"], ["eval", "--checkpoint"], ["predict", "--words"], ["quickstart", "synthetic"]]) {
    const r = await run(cmd, "--help");
    assert.is(r.code, 0, cmd);
    assert.ok(r.out.includes(`aetnet ${cmd}`) && r.out.includes(text), `${cmd} help: ${r.out.slice(0, 80)}`);
  }
});

t("bad arguments: exit status 2 and a one-line message naming the problem", async () => {
  const cases: [string[], RegExp][] = [
    [["frobnicate"], /unknown command "frobnicate"/],
    [["train", "--epochs", "0"], /--epochs must be an integer ≥ 1, got "0"/],
    [["train", "--task", "rvl-cdip"], /--task must be one of funsd, sroie, cord, rvlcdip, synthetic/],
    [["train", "--config", "huge"], /--config must be one of/],
    [["train", "--bogus"], /Unknown option '--bogus'/],
    [["eval"], /--checkpoint is required/],
    [["predict", "--checkpoint", "x"], /give exactly one of --image, --pdf or --input/],
  ];
  for (const [argv, pattern] of cases) {
    const r = await run(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.match(r.err, pattern);
  }
});

t("missing data or checkpoint: exit status 1 and a clear message, no stack trace", async () => {
  const data = await run("train", "--task", "funsd", "--data", "/nonexistent/funsd");
  assert.is(data.code, 1);
  assert.match(data.err, /FUNSD data not found: \/nonexistent\/funsd\/training_data does not exist\. Pass --data DIR/);
  assert.not.match(data.err, /at .*\.ts:\d+/);
  const sroie = await run("train", "--task", "sroie", "--data", "/nonexistent/sroie");
  assert.match(sroie.err, /SROIE data not found/);
  const ckpt = await run("eval", "--checkpoint", "/nonexistent/run");
  assert.is(ckpt.code, 1);
  assert.match(ckpt.err, /no checkpoint at \/nonexistent\/run/);
});

t("predict on a synthetic form: entities JSON and an SVG with one rect per predicted entity; eval scores the checkpoint", async () => {
  const dir = mkdtempSync(join(tmpdir(), "aetnet-cli-"));
  new Trainer({ config: micro, ...syntheticSetup(), outDir: join(dir, "run"), stopAfter: 2, progress: null, print: () => {} }).fit();
  const { doc, image } = syntheticForm(0, 77);
  writeFileSync(join(dir, "page.png"), encodePng(image));
  writeFileSync(join(dir, "words.json"), JSON.stringify(doc.words.map((text, i) => ({ text, box: toPixels(doc.boxes[i], doc.width, doc.height) }))));
  const svgPath = join(dir, "page.svg");
  const r = await run("predict", "--checkpoint", join(dir, "run"), "--image", join(dir, "page.png"), "--words", join(dir, "words.json"), "--out", svgPath);
  assert.is(r.code, 0, r.err);
  const { entities } = JSON.parse(r.out) as { entities: { label: string; box: number[]; words: number[] }[] };
  const svg = readFileSync(svgPath, "utf8");
  assert.is([...svg.matchAll(/<rect class="entity"/g)].length, entities.length);
  assert.ok(svg.includes(`width="${doc.width}"`) && svg.includes("data:image/png;base64,"));
  for (const e of entities) {
    assert.ok(["HEADER", "QUESTION", "ANSWER"].includes(e.label), e.label);
    assert.ok(e.box[0] >= 0 && e.box[2] <= doc.width && e.box[1] >= 0 && e.box[3] <= doc.height);
  }
  const bad = await run("predict", "--checkpoint", join(dir, "run"), "--image", join(dir, "page.png"), "--words", svgPath);
  assert.is(bad.code, 1);
  assert.match(bad.err, /cannot read words JSON/);
  const ev = await run("eval", "--checkpoint", join(dir, "run"), "--eval-docs", "2", "--json");
  assert.is(ev.code, 0, ev.err);
  const report = JSON.parse(ev.out) as { f1: number; documents: number; task: string };
  assert.is(report.documents, 2);
  assert.is(report.task, "synthetic");
  assert.ok(report.f1 >= 0 && report.f1 <= 1);
});

t.run();
