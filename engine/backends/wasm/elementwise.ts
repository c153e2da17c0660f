// Elementwise fast paths: exp/erf/sigmoid on wasm SIMD lanes for float32, and binary arithmetic on
// contiguous operands (same shape, a scalar, or a row repeated along leading dims, as a bias add)
// as monomorphic loops instead of the reference's strided odometer.
import type { TypedArray } from "../../dtype.ts";
import type { BinaryOp, UnaryOp } from "../backend.ts";
import { cpuKernels } from "../cpu/index.ts";
import { share } from "./matmul.ts";
import type { WasmRuntime } from "./runtime.ts";

/** Elements below which copying into linear memory costs more than the reference map. */
const UNARY_MIN = 1024;
/** Elements per thread below which a split is not worth the wake-up. */
const SPLIT_ELEMENTS = 1 << 16;
const WASM_UNARY: Partial<Record<UnaryOp, string>> = { exp: "exp", erf: "erf", sigmoid: "sigmoid" };

export function unaryWith(rt: () => WasmRuntime, op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const fn = WASM_UNARY[op];
  if (!fn || !(x instanceof Float32Array) || !(out instanceof Float32Array) || x.length < UNARY_MIN) return cpuKernels.unary(op, x, out);
  const r = rt();
  const n = x.length;
  const vecs = Math.ceil(n / 4);
  const ops = [{ read: x }, { write: out }];
  const [src, dst] = r.layout(ops);
  const threads = Math.min(r.threads, Math.max(1, Math.floor(n / SPLIT_ELEMENTS)));
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

/** out[i] = a[i mod pa] ∘ b[i mod pb] where one period is the full length; one loop per op keeps V8 monomorphic. */
function arith(op: Arith, a: TypedArray, pa: number, b: TypedArray, pb: number, out: TypedArray): void {
  const n = out.length;
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

export function binary(op: BinaryOp, a: TypedArray, sa: readonly number[], b: TypedArray, sb: readonly number[], shape: readonly number[], out: TypedArray): void {
  const n = out.length;
  if (ARITH.has(op) && n > 0) {
    const pa = isContiguous(sa, shape) ? n : period(sa, shape);
    const pb = isContiguous(sb, shape) ? n : period(sb, shape);
    // One operand full-length, the other full-length or periodic (a scalar has period 1).
    if (pa > 0 && pb > 0 && (pa === n || pb === n) && n % pa === 0 && n % pb === 0) return arith(op as Arith, a, pa, b, pb, out);
  }
  cpuKernels.binary(op, a, sa, b, sb, shape, out);
}
