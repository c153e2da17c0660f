// Pure shape arithmetic: sizes, strides, broadcasting, axis normalisation, reshape inference.
import { IndexError, ShapeError, fmtShape } from "./errors.ts";

export type Shape = readonly number[];

export const numelOf = (shape: Shape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides of a contiguous tensor. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
  return s;
}

export const shapesEqual = (a: Shape, b: Shape): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** NumPy broadcasting of two shapes; `op` names the caller in the error. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(op, `cannot broadcast shapes ${fmtShape(a)} and ${fmtShape(b)} (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a tensor of `shape` as if it had the (broadcast) shape `target`:
 * broadcast dimensions get stride 0, so one strided loop serves every broadcasting op.
 */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const own = stridesOf(shape);
  const off = target.length - shape.length;
  return target.map((_, i) => (i < off || shape[i - off] === 1 ? 0 : own[i - off]));
}

/** A dim in [-ndim, ndim) made non-negative. */
export function normalizeDim(op: string, dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new IndexError(op, `dim ${dim} out of range for a tensor of rank ${ndim} (expected ${lo}..${hi})`);
  }
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Sorted, de-duplicated, non-negative axes; undefined means all axes. */
export function normalizeDims(op: string, dims: number | readonly number[] | undefined, ndim: number): number[] {
  if (dims === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof dims === "number" ? [dims] : dims;
  const out = [...new Set(list.map((d) => normalizeDim(op, d, ndim)))].sort((a, b) => a - b);
  return ndim === 0 ? [] : out;
}

/** Resolves one -1 in a reshape target and checks the element count. */
export function inferShape(op: string, from: Shape, to: readonly number[]): number[] {
  const total = numelOf(from);
  const free = to.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(op, `only one dimension can be -1, got ${fmtShape(to)}`);
  if (to.some((d) => !Number.isInteger(d) || d < -1)) throw new ShapeError(op, `invalid target shape ${fmtShape(to)}`);
  const known = to.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const out = to.map((d) => (d === -1 ? (known === 0 ? 0 : total / known) : d));
  if (numelOf(out) !== total || !out.every(Number.isInteger)) {
    throw new ShapeError(op, `cannot reshape tensor of shape ${fmtShape(from)} (${total} elements) to ${fmtShape(to)}`);
  }
  return out;
}

export function checkShape(op: string, shape: readonly number[]): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(op, `invalid shape ${fmtShape(shape)}: sizes must be non-negative integers`);
  }
}
