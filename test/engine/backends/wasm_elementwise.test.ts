// wasm elementwise and softmax kernels against the cpu reference: exp/erf/sigmoid maps on random
// lengths (not multiples of 4 included), binary fast paths on broadcast shapes (exact), and row
// softmax/log-softmax with odd row counts and lengths, on 1 and 2 threads.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { BinaryOp, UnaryOp } from "../../../engine/backends/backend.ts";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { skipWhen } from "../../skip.ts";
import { setWasmThreads, wasmKernels } from "../../../engine/backends/wasm/index.ts";
import { elementwiseTuning } from "../../../engine/backends/wasm/elementwise.ts";
import { broadcastStrides, stridesOf } from "../../../engine/shape.ts";
import { RUNS, broadcastPairArb } from "../../helpers.ts";

const t = suite("wasm elementwise");
const kernels = { ...cpuKernels, ...wasmKernels };

function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed | 0;
  return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) | 0; return (s / 2 ** 31) * scale; });
}

/** |got − want| ≤ atol + rtol·|want|, with NaN only where the reference has NaN. */
function close(got: Float32Array, want: Float32Array, rtol: number, atol: number): boolean {
  for (let i = 0; i < want.length; i++) {
    if (got[i] === want[i]) continue;
    if (Number.isNaN(want[i]) ? !Number.isNaN(got[i]) : !(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) return false;
  }
  return true;
}

const threadArb = fc.constantFrom(1, 2);

const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");
simd("exp, erf and sigmoid match the reference", () => {
  const arb = fc.record({ op: fc.constantFrom<UnaryOp>("exp", "erf", "sigmoid"), n: fc.integer({ min: 1, max: 5000 }), seed: fc.integer(), scale: fc.constantFrom(0.5, 4, 40, 120), threads: threadArb });
  fc.assert(fc.property(arb, ({ op, n, seed, scale, threads }) => {
    setWasmThreads(threads);
    const x = values(n, seed, scale);
    if (n > 3) x.set([0, Infinity, -Infinity, NaN].slice(0, n % 4), 0);
    const want = new Float32Array(n), got = new Float32Array(n);
    cpuKernels.unary(op, x, want);
    kernels.unary(op, x, got);
    return close(got, want, 4e-7, op === "erf" ? 2e-7 : 1e-37);
  }), { numRuns: RUNS });
});

simd("binary fast paths equal the reference exactly", () => {
  const arb = fc.record({ op: fc.constantFrom<BinaryOp>("add", "sub", "mul", "div", "maximum"), shapes: broadcastPairArb(4, 5), seed: fc.integer() });
  fc.assert(fc.property(arb, ({ op, shapes: [sa, sb], seed }) => {
    const out = sa.map((d, i, all) => Math.max(d, sb[sb.length - all.length + i] ?? 1));
    const shape = sb.length > sa.length ? sb.map((d, i) => Math.max(d, sa[i - (sb.length - sa.length)] ?? 1)) : out;
    const n = shape.reduce((x, y) => x * y, 1);
    const a = values(sa.reduce((x, y) => x * y, 1), seed, 2), b = values(sb.reduce((x, y) => x * y, 1), seed + 7, 2);
    const stA = sa.length === shape.length && sa.every((d, i) => d === shape[i]) ? stridesOf(shape) : broadcastStrides(sa, shape);
    const stB = sb.length === shape.length && sb.every((d, i) => d === shape[i]) ? stridesOf(shape) : broadcastStrides(sb, shape);
    const want = new Float32Array(n), got = new Float32Array(n);
    cpuKernels.binary(op, a, stA, b, stB, shape, want);
    kernels.binary(op, a, stA, b, stB, shape, got);
    return want.every((v, i) => Object.is(v, got[i]));
  }), { numRuns: RUNS * 2 });
});

simd("binary arithmetic on wasm lanes equals the reference exactly (same shape, bias rows, scalars; 1 and 2 threads)", () => {
  const arb = fc.record({
    op: fc.constantFrom<BinaryOp>("add", "sub", "mul", "div"), rows: fc.integer({ min: 1, max: 70 }), cols: fc.integer({ min: 1, max: 300 }),
    form: fc.constantFrom("same", "rowB", "rowA", "scalarB", "scalarA"), seed: fc.integer(), threads: threadArb, split: fc.constantFrom(1, 1 << 16),
  }).filter(({ rows, cols }) => rows * cols >= 1024);
  fc.assert(fc.property(arb, ({ op, rows, cols, form, seed, threads, split }) => {
    setWasmThreads(threads);
    const saved = elementwiseTuning.splitElements;
    elementwiseTuning.splitElements = split;
    try {
      const shape = [rows, cols];
      const sa = form === "rowA" ? [1, cols] : form === "scalarA" ? [1, 1] : shape;
      const sb = form === "rowB" ? [1, cols] : form === "scalarB" ? [1, 1] : shape;
      const a = values(sa[0] * sa[1], seed, 3), b = values(sb[0] * sb[1], seed + 1, 3);
      if (a.length > 2) a[1] = 0;
      const strides = (s: number[]): number[] => broadcastStrides(s, shape);
      const want = new Float32Array(rows * cols), got = new Float32Array(rows * cols);
      cpuKernels.binary(op, a, strides(sa), b, strides(sb), shape, want);
      kernels.binary(op, a, strides(sa), b, strides(sb), shape, got);
      return want.every((v, i) => Object.is(v, got[i]) || (Number.isNaN(v) && Number.isNaN(got[i])));
    } finally { elementwiseTuning.splitElements = saved; }
  }), { numRuns: RUNS });
});

simd("softmax and log-softmax rows match the reference", () => {
  const arb = fc.record({ rows: fc.integer({ min: 1, max: 300 }), cols: fc.integer({ min: 1, max: 70 }), log: fc.boolean(), seed: fc.integer(), scale: fc.constantFrom(1, 10, 100), threads: threadArb, masked: fc.boolean() });
  fc.assert(fc.property(arb, ({ rows, cols, log, seed, scale, threads, masked }) => {
    setWasmThreads(threads);
    const x = values(rows * cols, seed, scale);
    if (masked) { x.fill(-Infinity, 0, cols); x[cols * rows - 1] = -Infinity; } // a fully masked row, a masked entry
    const want = new Float32Array(x.length), got = new Float32Array(x.length);
    cpuKernels.softmax(x, cols, want, log);
    kernels.softmax(x, cols, got, log);
    return close(got, want, 2e-6, log ? 2e-6 * scale : 1e-7);
  }), { numRuns: RUNS });
});

simd("softmax on a large batch uses the wasm path", () => {
  setWasmThreads(2);
  const x = values(64 * 256, 3, 5);
  const want = new Float32Array(x.length), got = new Float32Array(x.length);
  cpuKernels.softmax(x, 256, want, false);
  kernels.softmax(x, 256, got, false);
  assert.ok(close(got, want, 2e-6, 1e-7));
});

t.run();
