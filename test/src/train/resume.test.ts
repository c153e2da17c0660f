import { suite } from "uvu";
import * as assert from "uvu/assert";
import { chmodSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTrainingCheckpoint, saveTrainingCheckpoint } from "../../../src/train/checkpoint.ts";
import { Trainer, LAST_DIR } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "./fixtures.ts";

const t = suite("resume");
const tmp = (): string => mkdtempSync(join(tmpdir(), "aetnet-resume-"));
const quiet = { progress: null, print: () => {} } as const;

t("resume reproduces the uninterrupted loss curve and weights (optimizer, schedule, RNG, momentum, queues)", () => {
  const setup = syntheticSetup();
  const full = new Trainer({ config: micro, ...setup, outDir: tmp(), ...quiet }).fit();
  const total = full.steps.length;
  const out = tmp();
  // interrupted mid-epoch 2, then a new process-like Trainer resumes from checkpoints/last
  const stopAt = total - 1;
  const first = new Trainer({ config: micro, ...setup, outDir: out, stopAfter: stopAt, ...quiet }).fit();
  assert.ok(first.stopped);
  assert.is(first.steps.length, stopAt);
  const resumed = new Trainer({ config: micro, ...setup, outDir: out, resume: true, ...quiet }).fit();
  assert.equal(resumed.steps.map((s) => s.loss), full.steps.map((s) => s.loss));
  assert.equal(resumed.evals.map((e) => e.f1), full.evals.map((e) => e.f1));
  const a = full.model.stateDict(), b = resumed.model.stateDict();
  for (const k of Object.keys(a)) assert.equal(Array.from(b[k].storage), Array.from(a[k].storage), k);
  assert.ok(Object.keys(a).includes("image_queue") && Object.keys(a).some((k) => k.startsWith("visual_encoder_m.")));
  // the rewritten log reads as one run
  const steps = readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; loss?: number }).filter((l) => l.type === "step");
  assert.equal(steps.map((s) => s.loss), full.steps.map((s) => s.loss));
});

t("resume refuses a checkpoint from a run with other options", () => {
  const setup = syntheticSetup();
  const out = tmp();
  new Trainer({ config: micro, ...setup, outDir: out, stopAfter: 1, ...quiet }).fit();
  assert.throws(() => new Trainer({ config: micro, ...setup, settings: { ...setup.settings, lr: 0.5 }, outDir: out, resume: true, ...quiet }), /different run/);
});

t("a failed checkpoint write leaves the previous checkpoint intact (temp file + rename)", () => {
  const setup = syntheticSetup();
  const out = tmp();
  const trainer = new Trainer({ config: micro, ...setup, outDir: out, stopAfter: 1, ...quiet });
  trainer.fit();
  const dir = join(out, LAST_DIR);
  const before = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
  // 1) a state JSON cannot store (a NaN loss) is refused before anything is written
  const bad = trainer.state();
  bad.history.steps = [...bad.history.steps, { ...bad.history.steps[0], loss: Number.NaN }];
  assert.throws(() => saveTrainingCheckpoint(dir, bad, trainer.model.stateDict(), trainer.optimizer.stateDict()), /JSON cannot store/);
  // 2) the checkpoints folder becomes unwritable: creating the new version fails, the pointer is not switched
  if (process.getuid?.() !== 0) {
    const parent = join(out, "checkpoints");
    chmodSync(parent, 0o555);
    try { assert.throws(() => saveTrainingCheckpoint(dir, trainer.state(), trainer.model.stateDict(), trainer.optimizer.stateDict())); } finally { chmodSync(parent, 0o755); }
  }
  const after = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f))]));
  assert.equal(Object.keys(after).sort(), Object.keys(before).sort(), "no temp files left behind");
  for (const f of Object.keys(before)) assert.ok(before[f].equals(after[f]), `${f} changed`);
  assert.is(loadTrainingCheckpoint(dir).state.step, 1);
});

t.run();
