// Choosing a backend: importing the engine selects nothing, setBackendFromEnv reads the environment only when
// called (explicit choices win), and bad names or thread counts are one-line typed errors.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { EngineError, backendInfo, setBackend, setBackendFromEnv, setThreads } from "../../../engine/index.ts";
import { wasmRuntime } from "../../../engine/backends/wasm/index.ts";

const t = suite("backend registry");

/** Runs fn with the given environment variables set (undefined deletes), restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) if (x === undefined) delete process.env[k]; else process.env[k] = x;
  };
  apply(vars);
  try { return await fn(); } finally { apply(saved); }
}

const restore = async () => { await setBackend("cpu", { threads: 1 }); };

t("importing the engine does not read AETNET_BACKEND", () => {
  // A fresh process: in this one the registry module is already loaded and its backend chosen.
  const engine = pathToFileURL(resolve(import.meta.dirname, "../../../engine/index.ts")).href;
  const script = `const e = await import(${JSON.stringify(engine)}); console.log(e.backendInfo().kernel);`;
  const out = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, AETNET_BACKEND: "reference" }, encoding: "utf8",
  });
  assert.is(out.trim(), "wasm-simd");
});

t("setBackendFromEnv applies AETNET_BACKEND and AETNET_THREADS", async () => {
  const info = await withEnv({ AETNET_BACKEND: "reference", AETNET_THREADS: "1" }, () => setBackendFromEnv());
  assert.is(info.kernel, "reference");
  assert.is(backendInfo().kernel, "reference");
  await restore();
});

t("explicit choices win over the environment", async () => {
  const info = await withEnv({ AETNET_BACKEND: "reference", AETNET_THREADS: "x" }, () => setBackendFromEnv({ backend: "cpu", threads: 2 }));
  assert.is(info.kernel, "wasm-simd");
  assert.ok(wasmRuntime().threads <= 2);
  await restore();
});

t("with nothing set, nothing changes", async () => {
  await setBackend("reference");
  const info = await withEnv({ AETNET_BACKEND: undefined, AETNET_THREADS: undefined }, () => setBackendFromEnv());
  assert.is(info.kernel, "reference");
  await restore();
});

t("bad values are one-line typed errors naming the variable", async () => {
  for (const [vars, want] of [
    [{ AETNET_BACKEND: "tpu" }, /\[setBackendFromEnv\] AETNET_BACKEND must be one of cpu, reference, gpu, got "tpu"/],
    [{ AETNET_THREADS: "0" }, /\[setBackendFromEnv\] AETNET_THREADS must be an integer ≥ 1, got "0"/],
  ] as const) {
    try {
      await withEnv({ AETNET_BACKEND: undefined, AETNET_THREADS: undefined, ...vars }, () => setBackendFromEnv());
      assert.unreachable("should throw");
    } catch (err) {
      assert.instance(err, EngineError);
      assert.match((err as Error).message, want);
    }
  }
  assert.throws(() => setThreads(1.5), /\[setThreads\] threads must be an integer ≥ 1, got 1.5/);
  try {
    await setBackend("tpu" as "cpu");
    assert.unreachable("should throw");
  } catch (err) {
    assert.instance(err, EngineError);
    assert.match((err as Error).message, /\[setBackend\] unknown backend "tpu"; expected one of cpu, reference, gpu$/);
  }
});

t.run();
