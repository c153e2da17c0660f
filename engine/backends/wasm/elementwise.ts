// Elementwise kernels on wasm SIMD for float32, split over the worker pool when large: every unary map, clamp,
// where, and every binary map with any broadcast of any rank (broadcast.ts; pow in float64 lanes), int32 add,
// sub, maximum, minimum and comparisons too. Binary arithmetic with a full-length and a periodic operand of
// other dtypes, and small calls, run as monomorphic JS loops or the reference, instead of copying into linear
// memory for a few elements.
import type { TypedArray } from "../../dtype.ts";
import type { BinaryOp, UnaryOp } from "../backend.ts";
import { cpuKernels } from "../cpu/index.ts";
import { broadcastWasm, collapse, laneKernel, lanes } from "./broadcast.ts";
import { f32Bits as bits } from "./emit/encoding.ts";
import type { Job } from "./pool.ts";
import type { WasmRuntime } from "./runtime.ts";
import { mapVectors, splitJobs, threadsFor } from "./split.ts";

/**
 * Elements below which the reference loop beats a kernel call: with operands staged through scratch (copied
 * in and out), and for a costly op with every operand already in wasm memory; elements per thread from which a call is split
 * over threads: 2^16 for memory-bound maps, 2^14 for the costly ones (exp, log, tanh, sigmoid, erf, pow), whose
 * split already pays at 65536 elements where a split add or relu does not. Measured by bench/elementwise.ts.
 */
export const elementwiseTuning = { minStaged: 1024, minResident: 256, splitElements: 1 << 16, splitCostly: 1 << 14 };

const COSTLY = new Set<UnaryOp | BinaryOp>(["exp", "log", "tanh", "sigmoid", "erf", "pow"]);
/** Elements per thread from which op's call is split. */
const splitFor = (op: UnaryOp | BinaryOp): number =>
  COSTLY.has(op) ? elementwiseTuning.splitCostly : elementwiseTuning.splitElements;


/**
 * Whether a call of n elements repays the kernel: from minStaged always; from minResident for a costly op whose
 * arrays are all resident in wasm memory (a cheap one, e.g. add or where, still loses to the plain loop at 256).
 */
function worthIt(r: WasmRuntime, n: number, arrays: readonly ArrayBufferView[], costly: boolean): boolean {
  if (n >= elementwiseTuning.minStaged) return true;
  return costly && n >= elementwiseTuning.minResident && arrays.every((x) => r.addressOf(x) >= 0);
}

export function unaryWith(rt: () => WasmRuntime, op: UnaryOp, x: TypedArray, out: TypedArray): void {
  if (!(x instanceof Float32Array) || !(out instanceof Float32Array) || x.length < elementwiseTuning.minResident) return cpuKernels.unary(op, x, out);
  const r = rt();
  if (!worthIt(r, x.length, [x, out], COSTLY.has(op))) return cpuKernels.unary(op, x, out);
  mapVectors(r, op, [x], out, splitFor(op));
}

export function clampWith(rt: () => WasmRuntime, x: TypedArray, lo: number, hi: number, out: TypedArray): void {
  if (!(x instanceof Float32Array) || !(out instanceof Float32Array) || x.length < elementwiseTuning.minResident) return cpuKernels.clamp(x, lo, hi, out);
  const r = rt();
  if (!worthIt(r, x.length, [x, out], false)) return cpuKernels.clamp(x, lo, hi, out);
  mapVectors(r, "clamp", [x], out, elementwiseTuning.splitElements, [bits(lo), bits(hi)]);
}

/** where on lanes: float32 values, a float32 or int32 condition (its bits read as float32 lanes and staged alike). */
export function whereWith(rt: () => WasmRuntime, cond: TypedArray, a: TypedArray, b: TypedArray, out: TypedArray): void {
  const condOk = cond instanceof Float32Array || cond instanceof Int32Array;
  const n = out.length;
  if (!condOk || !(a instanceof Float32Array) || !(b instanceof Float32Array) || !(out instanceof Float32Array) || n < elementwiseTuning.minResident) return cpuKernels.where(cond, a, b, out);
  const r = rt();
  const c = cond instanceof Float32Array ? cond : new Float32Array(cond.buffer, cond.byteOffset, cond.length);
  if (!worthIt(r, n, [c, a, b, out], false)) return cpuKernels.where(cond, a, b, out);
  mapVectors(r, cond instanceof Int32Array ? "whereI32" : "whereF32", [c, a, b], out, elementwiseTuning.splitElements);
}

/** Contiguous strides of `shape` (the layout of a same-shape operand). */
function isContiguous(strides: readonly number[], shape: readonly number[]): boolean {
  let expect = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && strides[d] !== expect) return false;
    expect *= shape[d];
  }
  return true;
}

/** The period p when x[i] is read at i mod p: contiguous trailing dims after broadcast (0-stride) leading ones. */
function period(strides: readonly number[], shape: readonly number[]): number {
  let d = shape.length;
  let expect = 1;
  while (d > 0 && (shape[d - 1] === 1 || strides[d - 1] === expect)) { expect *= shape[d - 1]; d--; }
  for (let q = 0; q < d; q++) if (strides[q] !== 0 && shape[q] !== 1) return -1;
  return expect;
}

type Arith = "add" | "sub" | "mul" | "div";
const ARITH = new Set<BinaryOp>(["add", "sub", "mul", "div"]);

/** out[i] = a[i] ∘ s or s ∘ b[i] (a scalar operand): one pass, no per-element index arithmetic. */
function arithScalar(op: Arith, x: TypedArray, s: number, scalarFirst: boolean, out: TypedArray): void {
  const n = out.length;
  switch (op) {
    case "add": for (let i = 0; i < n; i++) out[i] = x[i] + s; break;
    case "mul": for (let i = 0; i < n; i++) out[i] = x[i] * s; break;
    case "sub": if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s - x[i]; else for (let i = 0; i < n; i++) out[i] = x[i] - s; break;
    case "div": if (scalarFirst) for (let i = 0; i < n; i++) out[i] = s / x[i]; else for (let i = 0; i < n; i++) out[i] = x[i] / s; break;
    default: op satisfies never;
  }
}

/** Periods below which rows are too short for the row kernel's lanes. */
const PERIOD_MIN = 8;

/** arith on wasm SIMD: float32 operands, one of them full-length, the other full-length, periodic or scalar. */
function arithWasm(r: WasmRuntime, op: Arith, a: Float32Array, pa: number, b: Float32Array, pb: number, out: Float32Array): void {
  const n = out.length;
  const ops = [{ read: a }, { read: b }, { write: out }];
  const [aa, ba, oa] = r.layout(ops);
  const threads = threadsFor(r, n, elementwiseTuning.splitElements);
  const split = (parts: number, job: (s: number, e: number) => Job): void => r.parallel(splitJobs(threads, parts, job));
  const scalarFirst = pa === 1 && pb === n;
  if (scalarFirst || (pb === 1 && pa === n)) {
    const [x, xa, s] = scalarFirst ? [b, ba, a[0]] : [a, aa, b[0]];
    const fn = scalarFirst && (op === "sub" || op === "div") ? `${op}ScalarFirst` : `${op}Scalar`;
    const sBits = bits(s);
    split(n, (from, to) => [fn, [xa + from * 4, sBits, oa + from * 4, to - from]]);
  } else if (pa === n && pb === n) {
    split(n, (from, to) => [`${op}Rows`, [aa + from * 4, ba + from * 4, oa + from * 4, 1, to - from, 0, 0]]);
  } else {
    // One operand repeats a row of p elements: split by rows.
    const p = Math.min(pa, pb);
    const [as, bs] = [pa === p ? 0 : p * 4, pb === p ? 0 : p * 4];
    split(n / p, (from, to) => [`${op}Rows`, [aa + from * as, ba + from * bs, oa + from * p * 4, to - from, p, as, bs]]);
  }
  r.writeBack(ops, [aa, ba, oa]);
}

/** out[i] = a[i mod pa] ∘ b[i mod pb] where one period is the full length; one loop per op keeps V8 monomorphic. */
function arith(rt: () => WasmRuntime, op: Arith, a: TypedArray, pa: number, b: TypedArray, pb: number, out: TypedArray): void {
  const n = out.length;
  if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && n >= elementwiseTuning.minStaged && (Math.min(pa, pb) === 1 || Math.min(pa, pb) >= PERIOD_MIN)) {
    return arithWasm(rt(), op, a, pa, b, pb, out);
  }
  // A scalar has period 1: the chunked loop below would run n chunks of one element.
  if (pb === 1 && pa === n) return arithScalar(op, a, b[0], false, out);
  if (pa === 1 && pb === n) return arithScalar(op, b, a[0], true, out);
  const p = Math.min(pa, pb);
  for (let o = 0; o < n; o += p) {
    const ao = pa === p ? 0 : o;
    const bo = pb === p ? 0 : o;
    switch (op) {
      case "add": for (let j = 0; j < p; j++) out[o + j] = a[ao + j] + b[bo + j]; break;
      case "sub": for (let j = 0; j < p; j++) out[o + j] = a[ao + j] - b[bo + j]; break;
      case "mul": for (let j = 0; j < p; j++) out[o + j] = a[ao + j] * b[bo + j]; break;
      case "div": for (let j = 0; j < p; j++) out[o + j] = a[ao + j] / b[bo + j]; break;
      default: op satisfies never;
    }
  }
}

export function binaryWith(rt: () => WasmRuntime, op: BinaryOp, a: TypedArray, sa: readonly number[], b: TypedArray, sb: readonly number[], shape: readonly number[], out: TypedArray): void {
  const n = out.length;
  if (ARITH.has(op) && n > 0) {
    const pa = isContiguous(sa, shape) ? n : period(sa, shape);
    const pb = isContiguous(sb, shape) ? n : period(sb, shape);
    // One operand full-length, the other full-length or periodic (a scalar has period 1).
    if (pa > 0 && pb > 0 && (pa === n || pb === n) && n % pa === 0 && n % pb === 0) return arith(rt, op as Arith, a, pa, b, pb, out);
  }
  const fn = n >= elementwiseTuning.minResident ? laneKernel(op, a, b, out) : null;
  if (fn) {
    const r = rt();
    const [la, lb, lo] = [a, b, out].map((x) => lanes(x as Float32Array | Int32Array));
    const threads = threadsFor(r, n, splitFor(op));
    const costly = COSTLY.has(op);
    if (worthIt(r, n, [la, lb, lo], costly)) return broadcastWasm(r, fn, la, lb, collapse(shape, sa, sb), lo, threads);
  }
  cpuKernels.binary(op, a, sa, b, sb, shape, out);
}
