// What a run refuses or survives: an --out holding another run, a resume without a checkpoint or onto changed data,
// tokenizer or settings, an all-empty training set, and steps whose loss or gradient norm is not finite.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io } from "../../../engine/index.ts";
import { trainBpe } from "../../../src/data/tokenizer/train_bpe.ts";
import { prepareDocs } from "../../../src/train/batches.ts";
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from "../../../src/train/checkpoint.ts";
import { DivergedError, TrainerError } from "../../../src/train/errors.ts";
import { Trainer, BEST_DIR, LAST_DIR } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "./fixtures.ts";

const t = suite("run guards");
const tmp = (): string => mkdtempSync(join(tmpdir(), "aetnet-guard-"));
const quiet = { progress: null, print: () => {} } as const;
const setup = syntheticSetup();

t("a fresh run into an --out holding a run is refused; its log and best checkpoint stay untouched", () => {
  const out = tmp();
  new Trainer({ config: micro, ...setup, outDir: out, ...quiet }).fit(); // whole run: last/ and best/
  const log = readFileSync(join(out, "log.jsonl"), "utf8");
  const best = loadTrainingCheckpoint(join(out, BEST_DIR)).state.best;
  assert.throws(() => new Trainer({ config: micro, ...setup, outDir: out, ...quiet }), (e: unknown) => e instanceof TrainerError && /already holds a run .*--resume continues it/.test(e.message));
  assert.is(readFileSync(join(out, "log.jsonl"), "utf8"), log);
  assert.equal(loadTrainingCheckpoint(join(out, BEST_DIR)).state.best, best);
});

t("a fresh run into a folder whose run died before any checkpoint keeps the old log beside the new one", () => {
  const out = tmp();
  writeFileSync(join(out, "log.jsonl"), '{"type":"start"}\n');
  const lines: string[] = [];
  new Trainer({ config: micro, ...setup, outDir: out, stopAfter: 1, progress: null, print: (l) => lines.push(l) }).fit();
  assert.is(readFileSync(join(out, "log.1.jsonl"), "utf8"), '{"type":"start"}\n');
  assert.match(lines.join("\n"), /kept as log\.1\.jsonl/);
});

t("--resume with no checkpoint: a TrainerError saying so and naming the folder", () => {
  const out = tmp();
  assert.throws(() => new Trainer({ config: micro, ...setup, outDir: out, resume: true, ...quiet }), (e: unknown) => e instanceof TrainerError && e.message.includes(`no checkpoint in ${join(out, LAST_DIR)}`));
});

t("resume refuses changed data or tokenizer with a one-line reason, and --force overrides", () => {
  const out = tmp();
  new Trainer({ config: micro, ...setup, outDir: out, stopAfter: 1, ...quiet }).fit();
  const more = syntheticSetup(5, 2);
  const reason = (e: unknown): boolean => e instanceof TrainerError && !e.message.includes("\n") && /the training data differ: 5 documents now, 4 in the checkpoint/.test(e.message) && /--force/.test(e.message);
  // same tokenizer, one more training document: refused
  const moreDocs = { ...setup, train: prepareDocs(more.train.map((p) => p.doc), { ...more.prep, tokenizer: setup.tokenizer }) };
  assert.throws(() => new Trainer({ config: micro, ...moreDocs, outDir: out, resume: true, ...quiet }), reason);
  // same data, another tokenizer (retrained on other words): refused
  const other = trainBpe(["other", "words", "entirely"], { vocabSize: 300 });
  const otherTok = { ...setup, tokenizer: other, train: prepareDocs(setup.train.map((p) => p.doc), { ...setup.prep, tokenizer: other }), eval: prepareDocs(setup.eval.map((p) => p.doc), { ...setup.prep, tokenizer: other }) };
  assert.throws(() => new Trainer({ config: micro, ...otherTok, outDir: out, resume: true, ...quiet }), /the tokenizer differs/);
  const lines: string[] = [];
  const forced = new Trainer({ config: micro, ...moreDocs, outDir: out, resume: true, force: true, progress: null, print: (l) => lines.push(l) });
  assert.is(forced.step, 1);
  assert.match(lines[0], /resuming anyway \(--force\): the training data differ/);
});

t("resume falls back to the previous checkpoint when the newest is unreadable, and says so", () => {
  const out = tmp();
  const s8 = syntheticSetup(8, 1);
  new Trainer({ config: micro, ...s8, outDir: out, saveEvery: 1, stopAfter: 2, ...quiet }).fit();
  const newest = join(out, "checkpoints", "last.v2", "model.safetensors");
  writeFileSync(newest, readFileSync(newest).subarray(0, 100)); // a damaged disk, a bad copy
  const lines: string[] = [];
  const resumed = new Trainer({ config: micro, ...s8, outDir: out, resume: true, progress: null, print: (l) => lines.push(l) });
  assert.is(resumed.step, 1);
  assert.match(lines.join("\n"), /the newest checkpoint in .*checkpoints\/last is unreadable \(.*\); resuming from the previous one, .*last\.v1/);
});

t("an all-empty training set is refused before any step (it used to train a whole epoch on a NaN loss)", () => {
  const empty = setup.train.map((p) => ({ ...p, doc: { ...p.doc, words: [], boxes: [], labels: [] }, windows: p.windows.map((w) => ({ ...w, labels: w.labels.map(() => -100) })) }));
  assert.throws(() => new Trainer({ config: micro, ...setup, train: empty, ...quiet }), (e: unknown) => e instanceof TrainerError && /hold no labelled words/.test(e.message));
});

t("non-finite losses: the step is skipped and counted; too many in a row stop the run; checkpoints stay finite", () => {
  const out = tmp();
  const trainer = new Trainer({ config: micro, ...syntheticSetup(8, 1), outDir: out, maxBadSteps: 3, ...quiet });
  const forward = trainer.model.forward.bind(trainer.model);
  let calls = 0;
  const poisoned = new Set([2, 5, 6, 7, 8]); // one lone bad step, then a streak
  trainer.model.forward = (inputs) => {
    const r = forward(inputs);
    return poisoned.has(++calls) ? { ...r, loss: r.loss.mul(Number.NaN) } : r;
  };
  assert.throws(() => trainer.fit(), (e: unknown) => e instanceof DivergedError && /3 steps in a row with a non-finite loss/.test(e.message));
  assert.equal(trainer.skipped, { total: 4, inRow: 3 });
  assert.is(trainer.step, 3, "calls 1, 3, 4 stepped");
  for (const [k, v] of Object.entries(trainer.model.stateDict())) assert.ok(v.storage.every((x) => Number.isFinite(x)), k);
  const log = readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; reason?: string });
  assert.equal(log.filter((r) => r.type === "skip").map((r) => r.reason), ["loss NaN", "loss NaN", "loss NaN", "loss NaN"]);
  if (existsSync(join(out, LAST_DIR))) assert.ok(loadTrainingCheckpoint(join(out, LAST_DIR)).state.skipped !== undefined);
});

t("a checkpoint never stores non-finite weights: the save is refused naming the tensor, the old one stays", () => {
  const out = tmp();
  const trainer = new Trainer({ config: micro, ...setup, outDir: out, stopAfter: 1, ...quiet });
  trainer.fit();
  const dir = join(out, LAST_DIR);
  const weights = trainer.model.stateDict();
  const name = Object.keys(weights).find((k) => weights[k].dtype === "float32")!;
  weights[name].storage[0] = Number.POSITIVE_INFINITY;
  assert.throws(() => saveTrainingCheckpoint(dir, trainer.state(), weights, trainer.optimizer.stateDict()), new RegExp(`tensor model\\.${name.replace(/\./g, "\\.")} holds Infinity`));
  assert.is(loadTrainingCheckpoint(dir).state.step, 1);
  assert.is(io.findCheckpoint(dir), join(out, "checkpoints", "last.v1"));
});

t.run();
