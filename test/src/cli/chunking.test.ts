// --chunking reference: the run's settings record the official whole-word chunks (no overlap), eval reads them back.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TrainingState } from "../../../src/train/run_types.ts";
import { tempDir } from "../data/fixtures.ts";
import { runCli as run } from "./run_cli.ts";

const t = suite("cli: chunking");

t("train --chunking reference records it (stride 0) and eval of the checkpoint uses it", async () => {
  const out = join(tempDir("cli-chunking"), "run");
  const r = await run("train", "--task", "synthetic", "--config", "tiny", "--epochs", "1", "--max-length", "32", "--batch-size", "2", "--train-docs", "4", "--eval-docs", "2", "--quiet", "--chunking", "reference", "--out", out);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /chunks of 32 tokens/);
  const state = JSON.parse(readFileSync(join(out, "checkpoints", "last", "state.json"), "utf8")) as TrainingState;
  assert.equal([state.settings.chunking, state.settings.stride, state.settings.maxLength], ["reference", 0, 32]);
  const ev = await run("eval", "--checkpoint", out, "--json");
  assert.is(ev.code, 0, ev.err);
});

t.run();
