// Every float32 elementwise kernel on wasm against the plain-TypeScript reference: all unary maps (log and
// tanh within a few ulp, the rest exact), binary maps with arbitrary broadcasting over ranks 1–6, transposed
// operands included, for every op (exact; comparisons as int32; pow within 1 ulp, counted, and exact on every
// special case) and on int32 operands, clamp and where — on odd lengths, 1 and 2 threads with the split
// lowered, with operands on the JS heap (staged) and resident in wasm memory (used in place).
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { BinaryOp, UnaryOp } from "../../../engine/backends/backend.ts";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { setWasmThreads, wasmKernels, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { elementwiseTuning } from "../../../engine/backends/wasm/elementwise.ts";
import { collapse } from "../../../engine/backends/wasm/broadcast.ts";
import { allocResident, freeResident } from "../../../engine/backends/wasm/tensor_memory.ts";
import { broadcastStrides } from "../../../engine/shape.ts";
import { skipWhen } from "../../skip.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("wasm elementwise ops");
const kernels = { ...cpuKernels, ...wasmKernels };
const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");

/** Deterministic values in ±scale with the awkward ones (zeros, infinities, NaN, denormals, ties) mixed in. */
function values(n: number, seed: number, scale: number, special: boolean): Float32Array {
  let s = seed | 0;
  const x = Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) | 0; return (s / 2 ** 31) * scale; });
  if (special) [0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1, 0.625, -0.625, 2].forEach((v, i) => { if (i * 7 < n) x[i * 7] = v; });
  return x;
}

/** A copy of x resident in wasm memory, or x itself (staged through scratch by the kernels). */
function place(x: Float32Array, resident: boolean, live: Float32Array[]): Float32Array {
  if (!resident) return x;
  const r = allocResident(wasmRuntime(), x.length, false);
  if (r === null) return x;
  r.set(x);
  live.push(r);
  return r;
}

const same = (got: ArrayLike<number>, want: ArrayLike<number>): boolean =>
  Array.from(want).every((v, i) => Object.is(v, got[i]) || (Number.isNaN(v) && Number.isNaN(got[i])));

/** Runs body with the thread count and split threshold set, restoring both and freeing resident arrays. */
function withSetup<T>(threads: number, split: number, body: (live: Float32Array[]) => T): T {
  setWasmThreads(threads);
  const saved = { ...elementwiseTuning };
  elementwiseTuning.splitElements = elementwiseTuning.splitCostly = split;
  const live: Float32Array[] = [];
  try { return body(live); } finally { Object.assign(elementwiseTuning, saved); live.forEach(freeResident); setWasmThreads(1); }
}

const common = { threads: fc.constantFrom(1, 2), split: fc.constantFrom(64, 1 << 16), resident: fc.boolean(), seed: fc.integer() };
const UNARY: UnaryOp[] = ["neg", "exp", "log", "sqrt", "rsqrt", "abs", "tanh", "sigmoid", "relu", "erf", "sign", "step"];
/** Ops computed by one IEEE operation or an exact select equal the reference bit for bit. */
const EXACT = new Set<UnaryOp>(["neg", "sqrt", "abs", "relu", "sign", "step"]);

simd("every unary map matches the reference (log, tanh, rsqrt to ~1 ulp, the rest as before)", () => {
  const arb = fc.record({ ...common, op: fc.constantFrom(...UNARY), n: fc.integer({ min: 1, max: 3000 }), scale: fc.constantFrom(0.5, 3, 40, 1e4) });
  fc.assert(fc.property(arb, ({ op, n, scale, seed, threads, split, resident }) => withSetup(threads, split, (live) => {
    const x = place(values(n, seed, scale, true), resident, live);
    const want = new Float32Array(n), got = place(new Float32Array(n), resident, live);
    cpuKernels.unary(op, x, want);
    kernels.unary(op, x, got);
    if (EXACT.has(op)) return same(got, want);
    const [rtol, atol] = op === "erf" ? [4e-7, 2e-7] : op === "sigmoid" || op === "exp" ? [4e-7, 1e-37] : [2.5e-7, 0];
    return Array.from(want).every((v, i) => (Number.isNaN(v) ? Number.isNaN(got[i]) : got[i] === v || Math.abs(got[i] - v) <= atol + rtol * Math.abs(v)));
  })), { numRuns: RUNS * 3 });
});

simd("log and tanh stay within 2 ulp over a dense sweep (near 1 for log, across the 0.625 switch for tanh)", () => {
  withSetup(2, 64, () => {
    const n = 1 << 16;
    const x = Float32Array.from({ length: n }, (_, i) => 0.5 + (1.5 * i) / n);
    for (const op of ["log", "tanh"] as const) {
      const want = new Float32Array(n), got = new Float32Array(n);
      cpuKernels.unary(op, x, want);
      kernels.unary(op, x, got);
      for (let i = 0; i < n; i++) assert.ok(Math.abs(got[i] - want[i]) <= 2.4e-7 * Math.abs(want[i]), `${op}(${x[i]}) = ${got[i]}, want ${want[i]}`);
    }
  });
});

simd("exp stays within 1 ulp over a sweep of floats, with exact 0, +∞ and NaN past the ends", () => {
  withSetup(2, 64, () => {
    // every 4099th float pattern from 90 down to 0 and from −0 down to −110: overflow, denormal results, underflow
    const bits: number[] = [];
    const bitsOf = (v: number): number => new Uint32Array(Float32Array.of(v).buffer)[0];
    const [top, bottom] = [bitsOf(90), bitsOf(-110)];
    for (let b = top; b > 0; b -= 4099) bits.push(b);
    for (let b = 0x80000000; b <= bottom; b += 4099) bits.push(b);
    const x = new Float32Array(Uint32Array.from(bits).buffer);
    x.set([Infinity, -Infinity, NaN, 89, 100, -104, -200, 0, -0], 0);
    const want = new Float32Array(x.length), got = new Float32Array(x.length);
    cpuKernels.unary("exp", x, want);
    kernels.unary("exp", x, got);
    for (let i = 0; i < x.length; i++) {
      const ulp = Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(want[i]))) - 23));
      const near = Number.isFinite(want[i]) && want[i] !== 0 && Math.abs(got[i] - want[i]) <= ulp;
      const ok = Object.is(got[i], want[i]) || near;
      assert.ok(ok, `exp(${x[i]}) = ${got[i]}, want ${want[i]}`);
    }
  });
});

const OPS: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
const COMPARE = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge"]);

/**
 * Strides of an operand of `own` shape stored with its dims in memory order `order` (outermost first), aligned
 * to `shape`.
 */
function stridesIn(own: number[], order: number[], shape: number[]): number[] {
  const st = new Array<number>(own.length).fill(0);
  let step = 1;
  for (let q = order.length - 1; q >= 0; q--) { st[order[q]] = step; step *= own[order[q]]; }
  const off = shape.length - own.length;
  return shape.map((_, i) => (i < off || own[i - off] === 1 ? 0 : st[i - off]));
}

/**
 * An output shape of rank 1–6 and two operand shapes broadcasting to it (each dim kept or set to 1, leading dims
 * maybe dropped), each operand stored in a random dim order (a transposed operand) or contiguously.
 */
const broadcastArb = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }).chain((shape) => {
  const ones = fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length });
  const operand = fc.tuple(ones, fc.integer({ min: 0, max: shape.length }), fc.boolean(), fc.integer())
    .map(([ones, drop, permute, seed]) => {
      const own = shape.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
      const order = own.map((_, i) => i);
      if (permute) {
        for (let i = order.length - 1, s = seed; i > 0; i--) {
          s = (Math.imul(s, 1664525) + 1013904223) | 0;
          const j = (s >>> 0) % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      return { own, strides: stridesIn(own, order, shape) };
    });
  return fc.tuple(fc.constant(shape), operand, operand).map(([s, a, b]) => ({ shape: s, a, b }));
});

const numel = (s: number[]): number => s.reduce((x, y) => x * y, 1);
/** Float32 bit patterns apart (same sign), for the pow bound. */
const bitsOf = (x: number): number => new Int32Array(Float32Array.of(x).buffer)[0];
const ulps = (x: number, y: number): number => Math.abs(bitsOf(x) - bitsOf(y));

simd("binary maps with any broadcast over ranks 1–6 equal the reference (comparisons as int32; pow within 1 ulp)",
  () => {
  const arb = fc.record({ ...common, op: fc.constantFrom(...OPS), dims: broadcastArb, ties: fc.boolean() });
  let [powLanes, powExact] = [0, 0];
  fc.assert(fc.property(arb, ({ op, dims, seed, threads, split, resident, ties }) => withSetup(threads, split, (live) => {
    const { shape, a: opA, b: opB } = dims;
    // Small integers make equal pairs common, so comparisons and max/min ties are exercised.
    const gen = (s: number[], k: number): Float32Array =>
      (ties ? values(numel(s), seed + k, 3, false).map(Math.round) : values(numel(s), seed + k, 3, true));
    const a = place(gen(opA.own, 0), resident, live), b = place(gen(opB.own, 1), resident, live);
    const n = numel(shape);
    const make = (): Float32Array | Int32Array =>
      (COMPARE.has(op) ? new Int32Array(n) : place(new Float32Array(n), resident, live));
    const want = make(), got = make();
    elementwiseTuning.minResident = 1; elementwiseTuning.minStaged = 1; // every size through the kernel
    cpuKernels.binary(op, a, opA.strides, b, opB.strides, shape, want);
    kernels.binary(op, a, opA.strides, b, opB.strides, shape, got);
    if (op !== "pow") return same(got, want);
    powLanes += n;
    powExact += Array.from(want).filter((v, i) => Object.is(v, got[i]) || (Number.isNaN(v) && Number.isNaN(got[i])))
      .length;
    return Array.from(want).every((v, i) =>
      (Number.isNaN(v) ? Number.isNaN(got[i]) : Math.sign(v) === Math.sign(got[i]) && ulps(v, got[i]) <= 1));
  })), { numRuns: RUNS * 6 });
  // Near-ties are rare (a double within ~3e-14 of a float32 tie): nearly every lane is exact.
  assert.ok(powExact >= powLanes * 0.999, `pow exact on ${powExact} of ${powLanes} lanes`);
});

const INT_OPS: BinaryOp[] = ["add", "sub", "mul", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];

simd("int32 binary maps with any broadcast equal the reference, wrapping at ±2^31 (mul stays on the reference)",
  () => {
  const arb = fc.record({ ...common, op: fc.constantFrom(...INT_OPS), dims: broadcastArb, big: fc.boolean() });
  fc.assert(fc.property(arb, ({ op, dims, seed, threads, split, big }) => withSetup(threads, split, () => {
    const { shape, a: opA, b: opB } = dims;
    // Small values make equal pairs common; big ones (and the extremes) make sums and differences wrap.
    const gen = (s: number[], k: number): Int32Array => {
      const x = Int32Array.from(values(numel(s), seed + k, big ? 2 ** 31 : 4, false), Math.round);
      if (big) [2 ** 31 - 1, -(2 ** 31), -1, 0].forEach((v, i) => { if (i * 5 < x.length) x[i * 5] = v; });
      return x;
    };
    const a = gen(opA.own, 0), b = gen(opB.own, 1);
    const n = numel(shape);
    const want = new Int32Array(n), got = new Int32Array(n);
    elementwiseTuning.minResident = 1; elementwiseTuning.minStaged = 1;
    cpuKernels.binary(op, a, opA.strides, b, opB.strides, shape, want);
    kernels.binary(op, a, opA.strides, b, opB.strides, shape, got);
    return same(got, want);
  })), { numRuns: RUNS * 3 });
});

simd("pow equals Math.pow on every pair of special and awkward values, and on exact ties", () => {
  const special = [0, -0, Infinity, -Infinity, NaN, 1, -1, 2, -2, 3, -3, 0.5, -0.5, 1.5, -2.5, 1e-40, -1e-40, 1e-45,
    3.4e38, -3.4e38, 1e30, -1e30, 1e-30, 0.999, 1.001, 4097, 100, -100, 40, -40, 127, 128, -149, -150, 150, 0.1, 7, -7];
  const a = Float32Array.from(special.flatMap((x) => special.map(() => x)));
  const b = Float32Array.from(special.flatMap(() => special));
  // Exact results with 25 significant bits are float32 ties: 4097², 4097³ (exact in double), 257³ as (257²)^1.5.
  const ties = [[4097, 2], [-4097, 3], [4097, 3], [8191, 2], [2049, 3], [66049, 1.5], [2, -150], [0.5, 150], [-2, -149],
    [2, 127.5]];
  const all = {
    a: Float32Array.from([...a, ...ties.map((p) => p[0])]), b: Float32Array.from([...b, ...ties.map((p) => p[1])]),
  };
  for (const threads of [1, 2]) {
    withSetup(threads, 64, () => {
      elementwiseTuning.minResident = 1; elementwiseTuning.minStaged = 1;
      const n = all.a.length;
      const want = new Float32Array(n), got = new Float32Array(n);
      cpuKernels.binary("pow", all.a, [1], all.b, [1], [n], want);
      kernels.binary("pow", all.a, [1], all.b, [1], [n], got);
      for (let i = 0; i < n; i++) {
        assert.ok(same([got[i]], [want[i]]), `pow(${all.a[i]}, ${all.b[i]}) = ${got[i]}, want ${want[i]}`);
      }
    });
  }
});

simd("the broadcast collapses to rows of its last dim: [B,1,T] against [B,H,T], a column against rows, a transpose",
  () => {
  assert.equal(collapse([2, 3, 5], [5, 0, 1], [15, 5, 1]),
    { inner: { n: 5, a: 1, b: 1 }, outer: [{ n: 2, a: 5, b: 15 }, { n: 3, a: 0, b: 5 }] });
  assert.equal(collapse([4, 1, 6], [1, 0, 0], [6, 6, 1]),
    { inner: { n: 6, a: 0, b: 1 }, outer: [{ n: 4, a: 1, b: 6 }] });
  assert.equal(collapse([2, 3, 4, 5], [60, 20, 5, 1], [60, 20, 5, 1]), { inner: { n: 120, a: 1, b: 1 }, outer: [] });
  assert.equal(collapse([3, 4], [1, 3], [4, 1]), { inner: { n: 4, a: 3, b: 1 }, outer: [{ n: 3, a: 1, b: 4 }] });
});

simd("clamp and where match the reference exactly", () => {
  const arb = fc.record({ ...common, n: fc.integer({ min: 1, max: 3000 }), lo: fc.constantFrom(-Infinity, -1, 0, 0.1), hi: fc.constantFrom(Infinity, 1, 0.3), intCond: fc.boolean() });
  fc.assert(fc.property(arb, ({ n, lo, hi, seed, threads, split, resident, intCond }) => withSetup(threads, split, (live) => {
    elementwiseTuning.minResident = 1; elementwiseTuning.minStaged = 1;
    const x = place(values(n, seed, 2, true), resident, live);
    const want = new Float32Array(n), got = place(new Float32Array(n), resident, live);
    cpuKernels.clamp(x, lo, hi, want);
    kernels.clamp(x, lo, hi, got);
    if (!same(got, want)) return false;
    const y = place(values(n, seed + 1, 2, false), resident, live);
    const cond = intCond ? Int32Array.from(values(n, seed + 2, 2, false), (v) => (v > 0 ? 7 : 0)) : place(values(n, seed + 2, 1, true).map((v) => (v > 0 ? v : 0)), resident, live);
    const w2 = new Float32Array(n), g2 = place(new Float32Array(n), resident, live);
    cpuKernels.where(cond, x, y, w2);
    kernels.where(cond, x, y, g2);
    return same(g2, w2);
  })), { numRuns: RUNS * 2 });
});

t.run();
