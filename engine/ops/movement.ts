// Shape and movement ops: reshape shares storage; permute, expand, slice and cat copy.
import { record } from "../autograd.ts";
import { dispatch, kernels, onDevice } from "../backends/registry.ts";
import { allocate, convert, copyOf, isFloat, type DType } from "../dtype.ts";
import { IndexError, ShapeError, fmtShape } from "../errors.ts";
import { broadcastStrides, checkShape, inferShape, normalizeDim, numelOf, stridesOf } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { sumToShape } from "./elementwise.ts";

/** The same elements in a new shape (one dimension may be −1). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const target = inferShape("reshape", x.shape, shape);
  return record("reshape", fromStorage(x.buf, target), [x], (g) => [reshape(g, x.shape)]);
}

/** Merges dimensions startDim..endDim into one. */
export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim("flatten", startDim, x.ndim);
  const e = normalizeDim("flatten", endDim, x.ndim);
  return reshape(x, [...x.shape.slice(0, s), numelOf(x.shape.slice(s, e + 1)), ...x.shape.slice(e + 1)]);
}

/** Inserts a size-1 dimension. */
export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim("unsqueeze", dim, x.ndim + 1);
  return reshape(x, [...x.shape.slice(0, d), 1, ...x.shape.slice(d)]);
}

/** Removes size-1 dimensions (all of them, or those named). */
export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims = dim === undefined ? x.shape.map((_, i) => i) : (typeof dim === "number" ? [dim] : dim).map((d) => normalizeDim("squeeze", d, x.ndim));
  return reshape(x, x.shape.filter((s, i) => !(s === 1 && dims.includes(i))));
}

/** out[idx] = x[offset + Σ idx·strides] over `shape`. */
function gatherStrided(x: Tensor, offset: number, strides: readonly number[], shape: readonly number[]): Tensor {
  const ex = dispatch("stridedCopy", x.dtype, [x], numelOf(shape));
  const out = ex.out(x.dtype, numelOf(shape), false);
  ex.kernels.stridedCopy(ex.arg(x), offset, strides, shape, out);
  return fromStorage(out, shape);
}

/** Reorders the dimensions. */
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const perm = dims.map((d) => normalizeDim("permute", d, x.ndim));
  if (perm.length !== x.ndim || new Set(perm).size !== x.ndim) {
    throw new ShapeError("permute", `dims ${fmtShape(dims)} are not a permutation of the ${x.ndim} dims of tensor ${fmtShape(x.shape)}`);
  }
  if (perm.every((d, i) => d === i)) return x;
  const strides = stridesOf(x.shape);
  const shape = perm.map((d) => x.shape[d]);
  const out = gatherStrided(x, 0, perm.map((d) => strides[d]), shape);
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return record("permute", out, [x], (g) => [permute(g, inverse)]);
}

/** Swaps two dimensions. */
export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const perm = x.shape.map((_, i) => i);
  const a = normalizeDim("transpose", dim0, x.ndim);
  const b = normalizeDim("transpose", dim1, x.ndim);
  if (a === b) return x; // also the only transpose a 0-d tensor has
  [perm[a], perm[b]] = [perm[b], perm[a]];
  return permute(x, perm);
}

/** Broadcasts size-1 dims (and new leading dims) to `shape`; -1 keeps a dim. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - x.ndim;
  if (lead < 0) throw new ShapeError("expand", `cannot expand tensor ${fmtShape(x.shape)} to fewer dims ${fmtShape(shape)}`);
  const target = shape.map((d, i) => (d === -1 && i >= lead ? x.shape[i - lead] : d));
  checkShape("expand", target);
  x.shape.forEach((d, i) => {
    if (d !== 1 && d !== target[i + lead]) {
      throw new ShapeError("expand", `cannot expand tensor ${fmtShape(x.shape)} to ${fmtShape(shape)}: dim ${i + lead} has size ${d}, expected 1 or ${target[i + lead]}`);
    }
  });
  if (lead === 0 && target.every((d, i) => d === x.shape[i])) return x;
  const out = gatherStrided(x, 0, broadcastStrides(x.shape, target), target);
  return record("expand", out, [x], (g) => [sumToShape(g, x.shape)]);
}

/** Python-style slice along one dim: negative indices count from the end, bounds are clamped. */
export function slice(x: Tensor, dim: number, start?: number, end?: number, step = 1): Tensor {
  const d = normalizeDim("slice", dim, x.ndim);
  const size = x.shape[d];
  if (!Number.isInteger(step) || step < 1) throw new IndexError("slice", `step must be a positive integer, got ${step}`);
  const clampIndex = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const s = clampIndex(start ?? 0);
  const e = clampIndex(end ?? size);
  const len = Math.max(0, Math.ceil((e - s) / step));
  const strides = stridesOf(x.shape);
  const shape = x.shape.map((v, i) => (i === d ? len : v));
  const sliceStrides = strides.map((v, i) => (i === d ? v * step : v));
  const offset = s * strides[d];
  const out = gatherStrided(x, offset, sliceStrides, shape);
  return record("slice", out, [x], (g) => [sliceBackward(g, x.shape, d, s, step)]);
}

/** The adjoint of slice: g placed into zeros of `shape` at the sliced positions; recorded, so double backward works. */
function sliceBackward(g: Tensor, shape: readonly number[], d: number, start: number, step: number): Tensor {
  const strides = stridesOf(shape);
  const dx = allocate(g.dtype, numelOf(shape));
  kernels().stridedAccumulate(g.storage, dx, start * strides[d], strides.map((v, i) => (i === d ? v * step : v)), g.shape);
  return record("sliceBackward", fromStorage(dx, shape), [g], (gg) => [slice(gg, d, start, start + g.shape[d] * step, step)]);
}

/** `length` elements from `start` along dim (negative start counts from the end). */
export function narrow(x: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim("narrow", dim, x.ndim);
  const s = start < 0 ? start + x.shape[d] : start;
  if (s < 0 || length < 0 || s + length > x.shape[d]) {
    throw new IndexError("narrow", `start ${start} and length ${length} exceed dim ${d} of size ${x.shape[d]} in tensor ${fmtShape(x.shape)}`);
  }
  return slice(x, d, s, s + length);
}

/** Splits along a dimension into parts of a given size or sizes. */
export function split(x: Tensor, sizeOrSections: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim("split", dim, x.ndim);
  const size = x.shape[d];
  let sizes: number[];
  if (typeof sizeOrSections === "number") {
    if (sizeOrSections <= 0) throw new ShapeError("split", `split size must be positive, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < size; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, size - s));
  } else {
    sizes = [...sizeOrSections];
    if (sizes.reduce((a, b) => a + b, 0) !== size) throw new ShapeError("split", `sections ${fmtShape(sizes)} do not add up to dim ${d} of size ${size}`);
  }
  let at = 0;
  return sizes.map((n) => { const part = slice(x, d, at, at + n); at += n; return part; });
}

/** Splits into `chunks` nearly equal parts along a dimension. */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  const d = normalizeDim("chunk", dim, x.ndim);
  return split(x, Math.max(1, Math.ceil(x.shape[d] / chunks)), d);
}

/** Joins tensors along an existing dimension. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("cat", "expected a non-empty list of tensors");
  const first = tensors[0];
  if (first.ndim === 0) throw new ShapeError("cat", "zero-dimensional tensors cannot be concatenated; use stack");
  const d = normalizeDim("cat", dim, first.ndim);
  tensors.forEach((t, k) => {
    if (t.ndim !== first.ndim || t.shape.some((s, i) => i !== d && s !== first.shape[i])) {
      throw new ShapeError("cat", `tensor ${k} has shape ${fmtShape(t.shape)}, expected ${fmtShape(first.shape)} except in dim ${d}`);
    }
  });
  const shape = first.shape.map((s, i) => (i === d ? tensors.reduce((a, t) => a + t.shape[d], 0) : s));
  const dtype = tensors.map((t) => t.dtype).reduce((a, b) => (a === "float64" || b === "float64" ? "float64" : a === "float32" || b === "float32" ? "float32" : "int32"));
  const ex = dispatch("stridedAccumulate", dtype, tensors, numelOf(shape));
  const out = ex.out(dtype, numelOf(shape));
  const strides = stridesOf(shape);
  let at = 0;
  for (const t of tensors) {
    ex.kernels.stridedAccumulate(t.dtype === dtype ? ex.arg(t) : convert(t.storage, dtype), out, at * strides[d], strides, t.shape);
    at += t.shape[d];
  }
  return record("cat", fromStorage(out, shape), tensors, (g) => split(g, tensors.map((t) => t.shape[d]), d));
}

/** Joins tensors of one shape along a new dimension. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (tensors.length === 0) throw new ShapeError("stack", "expected a non-empty list of tensors");
  const d = normalizeDim("stack", dim, tensors[0].ndim + 1);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}

/** A copy with its own storage (differentiable). */
export function clone(x: Tensor): Tensor {
  const copy = onDevice(x) ? gatherStrided(x, 0, stridesOf(x.shape), x.shape) : fromStorage(copyOf(x.storage), x.shape);
  return record("clone", copy, [x], (g) => [g]);
}

export function toDType(x: Tensor, dtype: DType): Tensor {
  if (dtype === x.dtype) return x;
  const out = fromStorage(convert(x.storage, dtype), x.shape);
  if (!isFloat(dtype)) return out;
  return record("to", out, [x], (g) => [toDType(g, x.dtype)]);
}
