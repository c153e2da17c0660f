// wasm row kernels (softmax and log-softmax forward and backward, fused cross-entropy forward and backward,
// layer norm forward and backward), GELU maps and the AdamW update against the float64 cpu reference kernels on odd row counts and lengths (tails of 1–3 elements), −∞ and
// ignored rows included, on 1 and 2 threads with the split threshold lowered so that every size splits.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { setWasmThreads, wasmKernels } from "../../../engine/backends/wasm/index.ts";
import { rowTuning } from "../../../engine/backends/wasm/softmax.ts";
import { fusedTuning } from "../../../engine/backends/wasm/fused.ts";
import { skipWhen } from "../../skip.ts";
import { RUNS } from "../../helpers.ts";
import { maxDiff, values } from "./fused_helpers.ts";

const t = suite("wasm row kernels");
const fast = { ...cpuKernels, ...wasmKernels };
const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");

/** Rows × cols large enough for the wasm path (≥ 1024 elements), with odd lengths. */
const shapeArb = fc.record({
  rows: fc.integer({ min: 1, max: 90 }), cols: fc.integer({ min: 1, max: 300 }), seed: fc.integer(),
  threads: fc.constantFrom(1, 2), split: fc.constantFrom(1, 1 << 15),
}).filter(({ rows, cols }) => rows * cols >= 1024);

function withSplit<T>(threads: number, split: number, fn: () => T): T {
  const saved = [rowTuning.splitElements, fusedTuning.splitElements];
  setWasmThreads(threads);
  rowTuning.splitElements = fusedTuning.splitElements = split;
  try { return fn(); } finally { [rowTuning.splitElements, fusedTuning.splitElements] = saved; }
}

/** |got − want| ≤ tol·(1 + |want|), NaN exactly where the reference has NaN. */
function close(got: ArrayLike<number>, want: ArrayLike<number>, tol: number): boolean {
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    if (Number.isNaN(want[i]) ? !Number.isNaN(got[i]) : !(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])))) return false;
  }
  return true;
}

simd("softmax / logSoftmax forward and backward match the float64 reference", () => {
  fc.assert(fc.property(shapeArb, fc.boolean(), ({ rows, cols, seed, threads, split }, log) => withSplit(threads, split, () => {
    const n = rows * cols;
    const x = values(n, seed, 8), g = values(n, seed + 1, 1);
    x.fill(-Infinity, 0, cols); // an all −∞ row: NaN in both
    if (rows > 1) x[cols + (seed >>> 0) % cols] = -Infinity;
    const [want, got] = [new Float64Array(n), new Float32Array(n)];
    cpuKernels.softmax(Float64Array.from(x), cols, want, log);
    fast.softmax(x, cols, got, log);
    const y = Float32Array.from(want.map((v) => (Number.isNaN(v) ? 0 : v)));
    const [wantB, gotB] = [new Float64Array(n), new Float32Array(n)];
    cpuKernels.softmaxBackward(Float64Array.from(y), Float64Array.from(g), cols, wantB, log);
    fast.softmaxBackward(y, g, cols, gotB, log);
    return close(got, want, 2e-6) && close(gotB, wantB, 4e-6 * Math.sqrt(cols));
  })), { numRuns: RUNS });
});

simd("fused cross-entropy forward and backward match the float64 reference (ignored rows, label smoothing)", () => {
  fc.assert(fc.property(shapeArb, fc.constantFrom(0, 0.1, 1), ({ rows, cols, seed, threads, split }, eps) => withSplit(threads, split, () => {
    const n = rows * cols;
    const x = values(n, seed, 8), g = values(rows, seed + 2, 1);
    const target = Int32Array.from({ length: rows }, (_, r) => (r % 3 === 1 ? -1 : ((seed >>> 0) + 7 * r) % cols));
    const [loss, lse, loss64, lse64] = [new Float32Array(rows), new Float32Array(rows), new Float64Array(rows), new Float64Array(rows)];
    const x64 = Float64Array.from(x);
    cpuKernels.crossEntropy(x64, target, cols, eps, loss64, lse64);
    fast.crossEntropy(x, target, cols, eps, loss, lse);
    const [dx, dx64] = [new Float32Array(n), new Float64Array(n)];
    cpuKernels.crossEntropyBackward(x64, target, lse64, Float64Array.from(g), cols, eps, dx64);
    fast.crossEntropyBackward(x, target, Float32Array.from(lse64), g, cols, eps, dx);
    return close(loss, loss64, 2e-6 * Math.sqrt(cols)) && close(lse, lse64, 2e-6) && maxDiff(dx, dx64) < 2e-6;
  })), { numRuns: RUNS });
});

simd("layerNorm forward and backward (with and without weight/bias) match the float64 reference", () => {
  fc.assert(fc.property(shapeArb, fc.boolean(), ({ rows, cols, seed, threads, split }, affine) => withSplit(threads, split, () => {
    const n = rows * cols;
    const x = values(n, seed, 3).map((v, i) => v + (i % 7)), g = values(n, seed + 1, 1);
    const w = affine ? values(cols, seed + 2, 2) : null, b = affine ? values(cols, seed + 3, 1) : null;
    const f64 = (a: Float32Array | null): Float64Array | null => (a ? Float64Array.from(a) : null);
    const [out, mean, rstd] = [new Float32Array(n), new Float32Array(rows), new Float32Array(rows)];
    const [out64, mean64, rstd64] = [new Float64Array(n), new Float64Array(rows), new Float64Array(rows)];
    cpuKernels.layerNorm(Float64Array.from(x), cols, f64(w), f64(b), 1e-5, out64, mean64, rstd64);
    fast.layerNorm(x, cols, w, b, 1e-5, out, mean, rstd);
    const [dx, dw, db] = [new Float32Array(n), new Float32Array(cols), new Float32Array(cols)];
    const [dx64, dw64, db64] = [new Float64Array(n), new Float64Array(cols), new Float64Array(cols)];
    cpuKernels.layerNormBackward(Float64Array.from(x), Float64Array.from(g), cols, f64(w), mean64, rstd64, dx64, dw64, db64);
    fast.layerNormBackward(x, g, cols, w, Float32Array.from(mean64), Float32Array.from(rstd64), dx, dw, db);
    const sumTol = 2e-6 * Math.sqrt(rows) * 8;
    return close(out, out64, 1e-5) && close(mean, mean64, 1e-6) && close(rstd, rstd64, 1e-5) && close(dx, dx64, 2e-5)
      && close(dw, dw64, sumTol) && close(db, db64, sumTol);
  })), { numRuns: RUNS });
});

simd("gelu and geluBackward match the float64 reference", () => {
  fc.assert(fc.property(shapeArb, fc.constantFrom(0.3, 3, 12), ({ rows, cols, seed, threads, split }, scale) => withSplit(threads, split, () => {
    const n = rows * cols;
    const x = values(n, seed, scale), g = values(n, seed + 1, 1);
    x.set([0, Infinity, -Infinity, NaN].slice(0, n % 5), 0);
    const [y, y64, d, d64] = [new Float32Array(n), new Float64Array(n), new Float32Array(n), new Float64Array(n)];
    cpuKernels.gelu(Float64Array.from(x), y64); fast.gelu(x, y);
    cpuKernels.geluBackward(Float64Array.from(x), Float64Array.from(g), d64); fast.geluBackward(x, g, d);
    return close(y, y64, 4e-7) && close(d, d64, 1e-6);
  })), { numRuns: RUNS });
});

simd("adamw matches the float64 reference, in place", () => {
  const arb = fc.record({ n: fc.integer({ min: 1024, max: 9000 }), seed: fc.integer(), step: fc.integer({ min: 1, max: 50 }), threads: fc.constantFrom(1, 2), split: fc.constantFrom(1, 1 << 14) });
  fc.assert(fc.property(arb, ({ n, seed, step, threads, split }) => withSplit(threads, split, () => {
    const o = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step };
    const [p, g, m] = [values(n, seed, 1), values(n, seed + 1, 0.1), values(n, seed + 2, 0.01)];
    const v = values(n, seed + 3, 1e-4).map(Math.abs);
    const [p64, m64, v64] = [Float64Array.from(p), Float64Array.from(m), Float64Array.from(v)];
    cpuKernels.adamw(p64, Float64Array.from(g), m64, v64, o);
    fast.adamw(p, g, m, v, o);
    return close(p, p64, 2e-6) && close(m, m64, 1e-6) && close(v, v64, 1e-6);
  })), { numRuns: RUNS });
});

simd("a NaN or +∞ in a row (in its vectors or its tail) gives NaN exactly where the reference does", () => {
  const [rows, cols] = [6, 203];
  const x = values(rows * cols, 5, 4);
  [[0, 17, NaN], [1, 201, NaN], [2, 40, Infinity], [3, 202, Infinity], [4, 3, NaN], [4, 90, Infinity]]
    .forEach(([r, j, v]) => { x[r * cols + j] = v; });
  for (const log of [false, true]) {
    const [want, got] = [new Float64Array(rows * cols), new Float32Array(rows * cols)];
    cpuKernels.softmax(Float64Array.from(x), cols, want, log);
    fast.softmax(x, cols, got, log);
    const nan = (a: ArrayLike<number>): number => Array.from(a).filter(Number.isNaN).length;
    assert.ok(close(got, want, 2e-6), `log=${log}: ${nan(got)} NaN, want ${nan(want)}`);
  }
  const target = Int32Array.from({ length: rows }, (_, r) => r);
  const [loss, lse] = [new Float32Array(rows), new Float32Array(rows)];
  const [loss64, lse64] = [new Float64Array(rows), new Float64Array(rows)];
  cpuKernels.crossEntropy(Float64Array.from(x), target, cols, 0.1, loss64, lse64);
  fast.crossEntropy(x, target, cols, 0.1, loss, lse);
  assert.ok(close(loss, loss64, 2e-5) && close(lse, lse64, 2e-6), `${loss} / ${loss64}`);
});

simd("cross-entropy keeps −∞ logits finite without smoothing", () => {
  const [rows, cols] = [8, 200];
  const x = values(rows * cols, 3, 4);
  for (let r = 0; r < rows; r++) x[r * cols + 150] = -Infinity;
  const target = Int32Array.from({ length: rows }, (_, r) => r);
  const [loss, lse] = [new Float32Array(rows), new Float32Array(rows)];
  fast.crossEntropy(x, target, cols, 0, loss, lse);
  assert.ok(loss.every(Number.isFinite), `${loss}`);
});

t.run();
