import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withOverrides } from "../../../src/config.ts";
import { loadTrainingCheckpoint } from "../../../src/train/checkpoint.ts";
import { Trainer, LAST_DIR, BEST_DIR } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "./fixtures.ts";

const t = suite("trainer");
const tmp = (): string => mkdtempSync(join(tmpdir(), "aetnet-trainer-"));
const quiet = { progress: null, print: () => {} } as const;

t("trains full AETNet on synthetic forms: finite losses with every term, eval per epoch, log, plot, checkpoints", () => {
  const out = tmp();
  const setup = syntheticSetup();
  const r = new Trainer({ config: micro, ...setup, outDir: out, ...quiet }).fit();
  assert.ok(r.steps.length >= 4, `${r.steps.length} steps`);
  assert.equal(r.evals.length, 2);
  for (const s of r.steps) assert.ok(Number.isFinite(s.loss) && Number.isFinite(s.gradNorm) && s.tokensPerSecond > 0);
  for (const k of ["task", "pita", "i2t", "t2i"]) assert.ok(k in r.steps[0].terms, `${k} missing from ${JSON.stringify(r.steps[0].terms)}`);
  // the lr warms up then decays linearly to 0 at the last step
  assert.is(r.steps[0].lr, 0);
  assert.ok(Math.max(...r.steps.map((s) => s.lr)) <= setup.settings.lr + 1e-12);
  const log = readFileSync(join(out, "log.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string });
  assert.equal(log.filter((l) => l.type === "step").length, r.steps.length);
  assert.equal(log.filter((l) => l.type === "eval").length, 2);
  assert.ok(readFileSync(join(out, "plot.svg"), "utf8").includes("<polyline"));
  for (const d of [LAST_DIR, BEST_DIR]) assert.ok(existsSync(join(out, d, "model.safetensors")) && existsSync(join(out, d, "state.json")), d);
  rmSync(out, { recursive: true });
});

t("the --no-align baseline trains the fusion model alone (task loss only, no momentum encoders)", () => {
  const setup = syntheticSetup();
  const trainer = new Trainer({ config: withOverrides(micro, { align: false }), ...setup, ...quiet });
  assert.is(trainer.model.visual_encoder, null);
  const r = trainer.fit();
  assert.equal(Object.keys(r.steps[0].terms), ["task"]);
});

t("checkpoints hold the tokenizer, config, RNG state and optimizer state", () => {
  const setup = syntheticSetup();
  const out = tmp();
  const trainer = new Trainer({ config: micro, ...setup, outDir: out, stopAfter: 2, ...quiet });
  trainer.fit();
  const { state, model, optimizer } = loadTrainingCheckpoint(join(out, LAST_DIR));
  assert.is(state.config.name, "micro");
  assert.is(state.tokenizer.tokens.length, setup.tokenizer.vocabSize);
  assert.equal(state.step, 2);
  assert.ok(state.rng.global.words.length === 4 && state.rng.augment.words.length === 4);
  assert.is(Object.keys(model).length, Object.keys(trainer.model.stateDict()).length);
  const first = optimizer.state[0];
  assert.ok(first !== undefined && first.step === 2 && typeof first.expAvg === "object");
});

t.run();
