// wasm matmul against the cpu reference: random shapes (odd sizes, several k slices and L2 blocks),
// every transpose form, batched, on 1 and 2 threads; plus the default-backend choice.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { defaultBackend } from "../../../engine/backends/registry.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { skipWhen } from "../../skip.ts";
import { setWasmThreads, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { matmulF32, matmulTuning } from "../../../engine/backends/wasm/matmul.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("wasm matmul");

const problemArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  m: fc.integer({ min: 1, max: 70 }),
  k: fc.integer({ min: 1, max: 600 }),
  n: fc.integer({ min: 1, max: 70 }),
  transA: fc.boolean(),
  transB: fc.boolean(),
  seed: fc.integer(),
});

/** Deterministic values in [-1, 1) from a seed (fast-check arrays this long would be slow to shrink). */
function values(n: number, seed: number): Float32Array {
  let s = seed | 0;
  return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) | 0; return s / 2 ** 31; });
}

function checkAgainstCpu(threads: number): void {
  setWasmThreads(threads);
  const saved = matmulTuning.splitWork;
  matmulTuning.splitWork = 1; // split even tiny problems, so every partition path runs
  try {
    fc.assert(fc.property(problemArb, ({ batch, m, k, n, transA, transB, seed }) => {
      const a = values(batch * m * k, seed);
      const b = values(batch * k * n, seed + 1);
      const want = new Float32Array(batch * m * n);
      const got = new Float32Array(batch * m * n).fill(NaN);
      cpuKernels.matmul(a, b, want, batch, m, k, n, transA, transB);
      matmulF32(wasmRuntime(), a, b, got, batch, m, k, n, transA, transB);
      const tol = 1e-6 * k + 1e-6; // float32 accumulation vs the reference's float64 accumulator
      for (let i = 0; i < want.length; i++) {
        if (!(Math.abs(got[i] - want[i]) <= tol)) return false;
      }
      return true;
    }), { numRuns: RUNS });
  } finally {
    matmulTuning.splitWork = saved;
  }
}

const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");
simd("matches the cpu reference on 1 thread", () => checkAgainstCpu(1));
simd("matches the cpu reference on 2 threads", () => {
  checkAgainstCpu(2);
  assert.ok(wasmRuntime().threads <= 2);
});
simd("large square product on 2 threads (blocked path)", () => {
  setWasmThreads(2);
  const [m, k, n] = [131, 515, 77];
  const a = values(m * k, 1), b = values(k * n, 2);
  const want = new Float32Array(m * n), got = new Float32Array(m * n);
  cpuKernels.matmul(a, b, want, 1, m, k, n, false, true);
  matmulF32(wasmRuntime(), a, b, got, 1, m, k, n, false, true);
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) < 1e-3, `element ${i}`);
});
simd("is the default backend where WebAssembly SIMD validates", () => {
  assert.is(defaultBackend().name, "wasm");
});

t.run();
