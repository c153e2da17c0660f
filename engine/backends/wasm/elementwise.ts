// Elementwise fast paths: exp/erf/sigmoid on wasm SIMD lanes for float32, and binary arithmetic on
// contiguous operands (same shape, a scalar, or a row repeated along leading dims, as a bias add): on wasm
// SIMD split over the worker pool for float32, as monomorphic loops for other dtypes and small calls,
// instead of the reference's strided odometer.
import type { TypedArray } from "../../dtype.ts";
import type { BinaryOp, UnaryOp } from "../backend.ts";
import { cpuKernels } from "../cpu/index.ts";
import { share } from "./matmul.ts";
import type { WasmRuntime } from "./runtime.ts";

/** Elements below which copying into linear memory costs more than the reference map. */
const UNARY_MIN = 1024;
/** Elements per thread below which a split is not worth the wake-up; tests lower it. */
export const elementwiseTuning = { splitElements: 1 << 16 };
const WASM_UNARY: Partial<Record<UnaryOp, string>> = { exp: "exp", erf: "erf", sigmoid: "sigmoid" };

export function unaryWith(rt: () => WasmRuntime, op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const fn = WASM_UNARY[op];
  if (!fn || !(x instanceof Float32Array) || !(out instanceof Float32Array) || x.length < UNARY_MIN) return cpuKernels.unary(op, x, out);
  const r = rt();
  const n = x.length;
  const vecs = Math.ceil(n / 4);
  const ops = [{ read: x }, { write: out }];
  const [src, dst] = r.layout(ops);
  const threads = Math.min(r.threads, Math.max(1, Math.floor(n / elementwiseTuning.splitElements)));
  r.parallel(Array.from({ length: threads }, (_, t) => {
    const [s, e] = share(vecs, threads, t);
    return [fn, [src + s * 16, dst + s * 16, (e - s) * 4]] as const;
  }));
  r.writeBack(ops, [src, dst]);
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

/** Elements below which the JS loop beats a kernel call; periods below which rows are too short for lanes. */
const BINARY_MIN = 1024;
const PERIOD_MIN = 8;

/** arith on wasm SIMD: float32 operands, one of them full-length, the other full-length, periodic or scalar. */
function arithWasm(r: WasmRuntime, op: Arith, a: Float32Array, pa: number, b: Float32Array, pb: number, out: Float32Array): void {
  const n = out.length;
  const ops = [{ read: a }, { read: b }, { write: out }];
  const [aa, ba, oa] = r.layout(ops);
  const threads = Math.min(r.threads, Math.max(1, Math.floor(n / elementwiseTuning.splitElements)));
  const split = (parts: number, job: (s: number, e: number) => readonly [string, number[]]): void =>
    r.parallel(Array.from({ length: Math.min(threads, parts) }, (_, t) => { const [s, e] = share(parts, Math.min(threads, parts), t); return job(s, e); }));
  const scalarFirst = pa === 1 && pb === n;
  if (scalarFirst || (pb === 1 && pa === n)) {
    const [x, xa, s] = scalarFirst ? [b, ba, a[0]] : [a, aa, b[0]];
    const fn = scalarFirst && (op === "sub" || op === "div") ? `${op}ScalarFirst` : `${op}Scalar`;
    const sBits = new Int32Array(new Float32Array([s]).buffer)[0];
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
  if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && n >= BINARY_MIN && (Math.min(pa, pb) === 1 || Math.min(pa, pb) >= PERIOD_MIN)) {
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
  cpuKernels.binary(op, a, sa, b, sb, shape, out);
}
