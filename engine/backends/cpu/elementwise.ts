// Reference elementwise kernels: unary maps and strided, broadcasting binary maps.
import type { BinaryOp, UnaryOp } from "../backend.ts";
import type { TypedArray } from "../../dtype.ts";

/**
 * erf to ~1e-15: a positive-term series below 3 (no cancellation) and the erfc continued
 * fraction above (Abramowitz–Stegun 7.1.6 and 7.1.14), so float64 gradchecks stay exact.
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax > 6) return Math.sign(x);
  const x2 = ax * ax;
  let r: number;
  if (ax < 3) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) { term *= (2 * x2) / (2 * n + 1); sum += term; }
    r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  } else {
    let f = ax;
    for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
    r = 1 - Math.exp(-x2) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

const unaryFns: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  tanh: Math.tanh,
  sigmoid: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  relu: (x) => (x > 0 ? x : 0),
  erf,
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  step: (x) => (x > 0 ? 1 : 0),
};

const binaryFns: Record<BinaryOp, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: Math.pow,
  maximum: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
  minimum: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
  eq: (a, b) => (a === b ? 1 : 0),
  ne: (a, b) => (a !== b ? 1 : 0),
  lt: (a, b) => (a < b ? 1 : 0),
  le: (a, b) => (a <= b ? 1 : 0),
  gt: (a, b) => (a > b ? 1 : 0),
  ge: (a, b) => (a >= b ? 1 : 0),
};

export function unary(op: UnaryOp, x: TypedArray, out: TypedArray): void {
  const f = unaryFns[op];
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]);
}

export function binary(op: BinaryOp, a: TypedArray, sa: readonly number[], b: TypedArray, sb: readonly number[], shape: readonly number[], out: TypedArray): void {
  const f = binaryFns[op];
  const n = out.length;
  if (n === 0) return;
  const nd = shape.length;
  if (nd === 0) { out[0] = f(a[0], b[0]); return; }
  // Odometer over all but the last dim; the last dim runs as a tight inner loop.
  const last = nd - 1;
  const len = shape[last];
  const aStep = sa[last];
  const bStep = sb[last];
  const idx = new Array<number>(nd).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < n; o += len) {
    for (let j = 0; j < len; j++) out[o + j] = f(a[ia + j * aStep], b[ib + j * bStep]);
    for (let d = last - 1; d >= 0; d--) {
      ia += sa[d]; ib += sb[d];
      if (++idx[d] < shape[d]) break;
      ia -= sa[d] * shape[d]; ib -= sb[d] * shape[d]; idx[d] = 0;
    }
  }
}

export function clamp(x: TypedArray, lo: number, hi: number, out: TypedArray): void {
  for (let i = 0; i < x.length; i++) out[i] = Math.min(Math.max(x[i], lo), hi);
}

export function where(cond: TypedArray, a: TypedArray, b: TypedArray, out: TypedArray): void {
  for (let i = 0; i < out.length; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
}
