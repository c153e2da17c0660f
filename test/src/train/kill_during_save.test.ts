// SIGKILL at every commit point of a checkpoint save (each fsync and rename, counted by engine io's crash points),
// then a resume: it must always continue from a good checkpoint and end with the weights of an uninterrupted run;
// a kill before the first commit leaves "no checkpoint", and a fresh run then starts without manual cleanup.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { io } from "../../../engine/index.ts";
import { Trainer, LAST_DIR } from "../../../src/train/trainer.ts";
import { crashScenario } from "./crash_scenario.ts";

const t = suite("kill during save");
const child = resolve(import.meta.dirname, "crash_child.ts");
const quiet = { progress: null, print: () => {} } as const;

function runChild(out: string, env: Record<string, string>): ReturnType<typeof spawnSync> {
  return spawnSync(process.execPath, ["--import", "tsx", child, out], { env: { ...process.env, ...env }, encoding: "utf8", timeout: 120_000 });
}

t("a kill at each commit point of the first and of a later save: resume always continues from a good checkpoint", () => {
  const scenario = crashScenario();
  const reference = new Trainer({ ...scenario, stopAfter: 3, ...quiet }).fit().model.stateDict();
  const root = mkdtempSync(join(tmpdir(), "aetnet-kill-"));
  try {
    const trace = runChild(join(root, "trace"), { AETNET_CRASH_TRACE: "1" });
    assert.is(trace.status, 0, String(trace.stderr));
    const points = String(trace.stderr).split("\n").filter((l) => l.startsWith("crash point "));
    assert.ok(points.length >= 12, `expected the 2 saves to pass many commit points, got ${points.length}`);
    for (let k = 1; k <= points.length; k++) {
      const out = join(root, `k${k}`);
      const killed = runChild(out, { AETNET_CRASH_AT: String(k) });
      assert.is(killed.signal, "SIGKILL", `k=${k} (${points[k - 1]}) was not killed: ${String(killed.stderr)}`);
      const last = join(out, LAST_DIR);
      if (io.findCheckpoint(last) === null) {
        assert.ok(k <= 7, `k=${k} (${points[k - 1]}): a kill after the first commit must leave a checkpoint`);
        assert.throws(() => new Trainer({ ...scenario, outDir: out, resume: true, ...quiet }), /no checkpoint in .*checkpoints\/last/);
        new Trainer({ ...scenario, outDir: out, stopAfter: 1, ...quiet }).fit(); // starts over, nothing to delete
      } else {
        const resumed = new Trainer({ ...scenario, outDir: out, resume: true, stopAfter: 3, ...quiet }).fit();
        const weights = resumed.model.stateDict();
        for (const key of Object.keys(reference)) {
          assert.equal(Array.from(weights[key].storage), Array.from(reference[key].storage), `k=${k} (${points[k - 1]}): ${key}`);
        }
      }
      const left = readdirSync(join(out, "checkpoints"));
      assert.ok(!left.some((e) => e.includes(".tmp-")), `k=${k}: stale temp entries left: ${left.join(", ")}`);
      assert.ok(existsSync(join(out, "log.jsonl")));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

t.run();
