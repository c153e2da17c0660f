// The worker pool under load: many small back-to-back split calls of random sizes and job counts (more jobs
// than threads, claimed by whichever thread is free), each checked against a plain loop; a kernel that traps
// in the middle of a call fails that call with a typed error and leaves the pool working; and a process
// whose pool is idle exits by itself.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { matmulF32, matmulTuning } from "../../../engine/backends/wasm/matmul.ts";
import { share } from "../../../engine/backends/wasm/split.ts";
import { MAX_JOBS, type Job } from "../../../engine/backends/wasm/pool.ts";
import { WasmRuntime } from "../../../engine/backends/wasm/runtime.ts";
import { RUNS } from "../../helpers.ts";
import { skipWhen } from "../../skip.ts";

const t = suite("wasm worker pool");
const test = skipWhen(t, !hasWasmSimd() ? "this runtime has no WebAssembly SIMD"
  : typeof SharedArrayBuffer !== "function" ? "no SharedArrayBuffer: the pool needs shared memory" : null);

/** More threads than this machine may have cores: claims then race the hardest. */
let rt: WasmRuntime | undefined;
const runtime = (): WasmRuntime => (rt ??= new WasmRuntime(4));

function values(n: number, seed: number): Float32Array {
  let s = seed | 0;
  return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) | 0; return s / 2 ** 31; });
}

/**
 * out += b in place over rows×p elements (out starting as a), split into `parts` jobs of whole rows: a job run
 * twice adds b twice, a job never run leaves a. Every element is checked, and the guard row after stays NaN.
 */
function splitAdd(r: WasmRuntime, rows: number, p: number, parts: number, seed: number): boolean {
  const [a, b] = [values(rows * p, seed), values(rows * p, seed + 1)];
  const [rb, out] = [r.allocF32(rows * p, false), r.allocF32((rows + 1) * p, false)];
  if (!rb || !out) throw new Error("no room in the wasm heap");
  try {
    rb.set(b); out.fill(NaN); out.set(a);
    const [ba, oa] = [r.addressOf(rb), r.addressOf(out)];
    r.parallel(Array.from({ length: parts }, (_, j): Job => {
      const [s, e] = share(rows, parts, j);
      return ["addRows", [oa + s * p * 4, ba + s * p * 4, oa + s * p * 4, e - s, p, p * 4, p * 4]];
    }));
    for (let i = 0; i < rows * p; i++) if (out[i] !== Math.fround(a[i] + b[i])) return false;
    for (let i = rows * p; i < out.length; i++) if (!Number.isNaN(out[i])) return false;
    return true;
  } finally {
    r.freeF32(rb); r.freeF32(out);
  }
}

test("many small back-to-back calls with random job counts give exact results", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 40 }),
    fc.integer({ min: 2, max: MAX_JOBS }), fc.integer(), (rows, p, parts, seed) => {
      for (let rep = 0; rep < 20; rep++) if (!splitAdd(runtime(), rows, p, parts, seed + rep)) return false;
      return true;
    }), { numRuns: RUNS * 4 });
});

test("split matmuls of random shapes interleaved with other split calls match the reference", () => {
  const saved = matmulTuning.splitWork;
  matmulTuning.splitWork = 1; // split every product, so every path (problems per job, tile jobs) runs
  try {
    fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 200 }), fc.boolean(), fc.boolean(), fc.integer(),
      (batch, m, k, n, transA, transB, seed) => {
        const a = values(batch * m * k, seed), b = values(batch * k * n, seed + 1);
        const want = new Float32Array(batch * m * n), got = new Float32Array(batch * m * n).fill(NaN);
        cpuKernels.matmul(a, b, want, batch, m, k, n, transA, transB);
        matmulF32(runtime(), a, b, got, batch, m, k, n, transA, transB);
        if (!splitAdd(runtime(), 7, 13, 5, seed)) return false;
        for (let i = 0; i < want.length; i++) if (!(Math.abs(got[i] - want[i]) <= 1e-6 * k + 1e-6)) return false;
        return true;
      }), { numRuns: RUNS });
  } finally {
    matmulTuning.splitWork = saved;
  }
});

test("a job that traps fails its call with a typed error; the pool keeps working", () => {
  const r = runtime();
  const out = r.allocF32(64);
  if (!out) throw new Error("no room in the wasm heap");
  const at = r.addressOf(out);
  // Job j reads and writes its own 4 floats only: the jobs of a call are independent, as the pool requires.
  const good = (j: number): Job => ["addRows", [at + j * 16, at + j * 16, at + j * 16, 1, 4, 0, 0]];
  const trap: Job = ["addRows", [0x7ffffff0, 0x7ffffff0, 0x7ffffff0, 1, 4, 0, 0]];
  for (const bad of [0, 3, 7]) {
    const jobs = Array.from({ length: 8 }, (_, j): Job => (j === bad ? trap : good(j)));
    assert.throws(() => r.parallel(jobs), /\[wasm\] a kernel trapped/);
  }
  assert.throws(() => r.parallel(Array.from({ length: MAX_JOBS + 1 }, (_, j) => good(j % 4))), /max/);
  r.freeF32(out);
  for (let i = 0; i < 20; i++) assert.ok(splitAdd(r, 16, 9, 6, i));
});

test("lowering the thread count limits which threads run jobs; raising it again uses them", () => {
  const r = new WasmRuntime(4);
  const rows = 64, p = 4096;
  const x = r.allocF32(rows * p);
  if (!x) throw new Error("no room in the wasm heap");
  const xa = r.addressOf(x);
  // Many back-to-back calls of more jobs than threads: every worker allowed to claim gets some.
  const threadsUsed = (): Set<number> => {
    const used = new Set<number>();
    for (let call = 0; call < 200; call++) {
      r.parallel(Array.from({ length: rows }, (_, j): Job => ["addRows", [xa + j * p * 4, xa + j * p * 4,
        xa + j * p * 4, 1, p, 0, 0]]));
      for (const t of r.jobThreads(rows)) used.add(t);
    }
    return used;
  };
  try {
    assert.ok([...threadsUsed()].every((t) => t >= 0 && t <= 3));
    for (const [n, most] of [[2, 1], [1, 0]]) {
      r.setThreads(4);
      threadsUsed();
      r.setThreads(n);
      assert.is(r.threads, n);
      const used = [...threadsUsed()].sort();
      assert.ok(used.every((t) => t <= most), `setThreads(${n}): jobs ran on threads ${used.join(", ")}`);
    }
    r.setThreads(4);
    assert.is(r.threads, 4);
    assert.ok(threadsUsed().size > 1, "after setThreads(4) only the calling thread ran jobs");
  } finally {
    r.freeF32(x);
  }
});

test("a process whose pool is idle exits by itself", () => {
  const child = fileURLToPath(new URL("../../fixtures/pool_idle_exit.ts", import.meta.url));
  const run = spawnSync(process.execPath, ["--import", "tsx", child], { encoding: "utf8", timeout: 60_000 });
  assert.is(run.signal, null, "killed after 60 s: the idle pool kept the process alive");
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stdout, /^ok [1-9]/);
});

t.run();
