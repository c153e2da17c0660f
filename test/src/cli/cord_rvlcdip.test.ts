import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadTask } from "../../../src/cli/tasks.ts";
import type { TrainingState } from "../../../src/train/checkpoint.ts";
import { BEST_DIR, LAST_DIR } from "../../../src/train/trainer.ts";
import { cordReceipt, pngBytes, tempDir, writeFile } from "../data/fixtures.ts";
import { runCli as run } from "./run_cli.ts";

const t = suite("cli: cord and rvlcdip");

type Rgba = [number, number, number, number];
/** Two visually distinct classes of 32×40 pages: dark with light horizontal stripes, light with thin dark columns. */
const PAGES: Record<string, (x: number, y: number) => Rgba> = {
  dark: (_x, y) => (y % 8 < 6 ? [30, 30, 30, 255] : [240, 240, 240, 255]),
  light: (x) => (x % 10 < 2 ? [60, 60, 60, 255] : [250, 250, 250, 255]),
};
const page = (path: string, cls: string): string => writeFile(path, pngBytes(32, 40, PAGES[cls]));

/** Label-file layout: DIR/pages/<class>_<i>.png, train.txt (3 per class, names and ids mixed), test.txt (2 per class), classes.txt. */
function labelFileDataset(): string {
  const dir = tempDir("rvlcdip-files");
  for (const cls of ["dark", "light"]) for (let i = 0; i < 5; i++) page(join(dir, "pages", `${cls}_${i}.png`), cls);
  // one page has OCR words: its window is longer than the others' <s></s>, so batches mix lengths
  writeFile(join(dir, "pages", "dark_0.ocr.json"), JSON.stringify({ words: ["QUARTERLY", "report"], boxes: [[2, 2, 20, 8], [2, 10, 20, 16]] }));
  writeFile(join(dir, "classes.txt"), "light\ndark\n"); // id order: light = 0, dark = 1
  writeFile(join(dir, "train.txt"), ["pages/dark_0.png dark", "pages/light_0.png 0", "pages/dark_1.png 1", "pages/light_1.png light", "pages/dark_2.png dark", "pages/light_2.png light", ""].join("\n"));
  writeFile(join(dir, "test.txt"), ["pages/dark_3.png dark", "pages/light_3.png light", "pages/dark_4.png dark", "pages/light_4.png light"].join("\n"));
  return dir;
}

/** Folder layout: DIR/train/<class>/<i>.png (3 per class), DIR/test/<class>/<i>.png (2 per class). */
function folderDataset(extraTestClass?: string): string {
  const dir = tempDir("rvlcdip-folders");
  for (const cls of ["dark", "light"]) for (let i = 0; i < 5; i++) page(join(dir, i < 3 ? "train" : "test", cls, `${i}.png`), cls);
  if (extraTestClass !== undefined) page(join(dir, "test", extraTestClass, "0.png"), "dark");
  return dir;
}

const readLog = (run: string): Record<string, unknown>[] => readFileSync(join(run, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
const readState = (dir: string): TrainingState => JSON.parse(readFileSync(join(dir, "state.json"), "utf8")) as TrainingState;
const tiny = ["--config", "tiny", "--batch-size", "2", "--quiet"];

t("help: train documents the cord and rvlcdip layouts, predict the class output", async () => {
  const train = (await run("train", "--help")).out;
  for (const text of ["--task funsd|sroie|cord|rvlcdip|synthetic", "DIR/{train,test}/json/NAME.json", "DIR/classes.txt", "DIR/train/<class>/", "NAME.ocr.json", "document accuracy"]) assert.ok(train.includes(text), text);
  assert.match((await run("predict", "--help")).out, /"class"/);
});

t("rvlcdip from label files: document accuracy every epoch, best checkpoint, eval reproduces it, predict prints the class", async () => {
  const data = labelFileDataset();
  const out = join(tempDir("rvlcdip-run"), "run"), cache = join(out, "..", "cache");
  const r = await run("train", "--task", "rvlcdip", "--data", data, ...tiny, "--epochs", "2", "--max-length", "16", "--out", out, "--cache", cache);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /task rvlcdip: 6 training and 4 held-out documents/);
  assert.match(r.out, /epoch 1\/2: document accuracy \d\.\d{4} \(\d\/4\) on 4 held-out documents/);
  assert.match(r.out, /final document accuracy on 4 held-out rvlcdip documents/);
  const evals = readLog(out).filter((l) => l.type === "eval");
  assert.is(evals.length, 2);
  for (const e of evals) {
    const acc = e.documentAccuracy as number;
    assert.ok(acc >= 0 && acc <= 1 && Number.isInteger(acc * 4), `document accuracy ${acc}`);
    assert.not.ok("f1" in e);
  }
  const steps = readLog(out).filter((l) => l.type === "step") as { terms: Record<string, number>; loss: number }[];
  assert.is(steps.length, 6); // 6 documents, batch 2, 2 epochs
  for (const k of ["task", "pita", "i2t", "glitcText"]) assert.ok(k in steps[0].terms, k); // alignment losses train too
  assert.ok(steps.every((s) => Number.isFinite(s.loss)));
  for (const d of [LAST_DIR, BEST_DIR]) assert.ok(existsSync(join(out, d, "model.safetensors")), d);
  const state = readState(join(out, BEST_DIR));
  assert.is(state.settings.kind, "sequence");
  assert.equal(state.settings.labels, ["light", "dark"]);
  const best = state.best!;
  assert.is(best.documentAccuracy, Math.max(...evals.map((e) => e.documentAccuracy as number)));

  const ev = await run("eval", "--checkpoint", out, "--data", data, "--cache", cache, "--json");
  assert.is(ev.code, 0, ev.err);
  const report = JSON.parse(ev.out) as { task: string; documents: number; documentAccuracy: number; perClass: Record<string, { support: number }> };
  assert.is(report.task, "rvlcdip");
  assert.is(report.documents, 4);
  assert.is(report.documentAccuracy, best.documentAccuracy);
  assert.equal(Object.keys(report.perClass), ["light", "dark"]);
  assert.is(report.perClass.dark.support, 2);

  const pred = await run("predict", "--checkpoint", out, "--image", join(data, "pages", "dark_3.png"));
  assert.is(pred.code, 0, pred.err);
  const p = JSON.parse(pred.out) as { class: string; probabilities: Record<string, number> };
  assert.ok(["light", "dark"].includes(p.class), p.class);
  assert.ok(Math.abs(p.probabilities.light + p.probabilities.dark - 1) < 1e-3);
});

t("rvlcdip bad input is an error naming the file: a missing image, an unknown class, a stray class folder, no data", async () => {
  const data = labelFileDataset();
  const train = (extra: string): Promise<{ code: number; out: string; err: string }> => {
    writeFile(join(data, "train.txt"), `pages/dark_0.png dark\n${extra}\n`);
    return run("train", "--task", "rvlcdip", "--data", data, ...tiny, "--out", join(data, "run"));
  };
  const missing = await train("pages/dark_9.png dark");
  assert.is(missing.code, 1);
  assert.match(missing.err, new RegExp(`${join(data, "pages", "dark_9.png")}: image file is missing \\(listed in ${join(data, "train.txt")}\\)`));
  const unknown = await train("pages/light_0.png purple");
  assert.is(unknown.code, 1);
  assert.match(unknown.err, new RegExp(`${join(data, "train.txt")}: line 2 .*purple.*classes from ${join(data, "classes.txt")}: light, dark`));
  assert.not.match(unknown.err, /at .*\.ts:\d+/); // no stack trace

  const stray = folderDataset("purple");
  const r = await run("train", "--task", "rvlcdip", "--data", stray, ...tiny, "--out", join(stray, "run"));
  assert.is(r.code, 1);
  assert.match(r.err, new RegExp(`${join(stray, "test", "purple")}: class folder "purple" is not one of the training classes \\(dark, light\\)`));

  const none = await run("train", "--task", "rvlcdip", "--data", "/nonexistent/rvl", ...tiny);
  assert.is(none.code, 1);
  assert.match(none.err, /RVL-CDIP data not found in \/nonexistent\/rvl: expected label files train\.txt and test\.txt, or class folders/);
});

t("rvlcdip class folders load as a sequence task: classes from the sorted training folders, taken in turn, no words", () => {
  const d = loadTask("rvlcdip", { dataDir: folderDataset() });
  assert.is(d.kind, "sequence");
  assert.equal(d.labels, ["dark", "light"]);
  assert.equal([d.train.length, d.eval.length], [6, 4]);
  assert.equal(d.train.map((x) => x.labels![0]), ["dark", "light", "dark", "light", "dark", "light"]); // classes in turn
  assert.equal(loadTask("rvlcdip", { dataDir: folderDataset(), trainDocs: 2, evalDocs: 2 }).eval.map((x) => x.labels![0]), ["dark", "light"]);
  assert.ok(d.train.every((x) => x.words.length === 0));
});

t("cord through the CLI: CORD v2 JSON, held-out dev/ when there is no test/, entity F1 every epoch, eval reproduces it", async () => {
  const data = tempDir("cord-cli");
  const receipt = (split: string, i: number): void => {
    const name = `receipt_${String(i).padStart(5, "0")}`;
    writeFile(join(data, split, "json", `${name}.json`), JSON.stringify(cordReceipt(i)));
    writeFile(join(data, split, "image", `${name}.png`), pngBytes(200, 400));
  };
  for (let i = 0; i < 4; i++) receipt("train", i);
  for (let i = 4; i < 6; i++) receipt("dev", i);
  const out = join(data, "run");
  const r = await run("train", "--task", "cord", "--data", data, ...tiny, "--epochs", "1", "--max-length", "32", "--out", out, "--cache", join(data, "cache"));
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /task cord: 4 training and 2 held-out documents from .* \(held out: dev\/\)/);
  assert.match(r.out, /epoch 1\/1: entity F1 \d\.\d{4} \(P \d\.\d{4}, R \d\.\d{4}\), word accuracy \d\.\d{4} on 2 held-out documents \(best\)/);
  const evals = readLog(out).filter((l) => l.type === "eval");
  assert.is(evals.length, 1);
  const f1 = evals[0].f1 as number;
  assert.ok(f1 >= 0 && f1 <= 1);
  const state = readState(join(out, BEST_DIR));
  assert.equal(state.settings.lossWeights, { task: 0.8, ita: 1.2, pita: 0.4 });
  assert.is(state.settings.labels.length, 61);
  const ev = await run("eval", "--checkpoint", out, "--data", data, "--cache", join(data, "cache"), "--json");
  assert.is(ev.code, 0, ev.err);
  const report = JSON.parse(ev.out) as { task: string; f1: number; documents: number };
  assert.equal([report.task, report.documents, report.f1], ["cord", 2, f1]);
});

t.run();
