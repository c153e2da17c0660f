// Reductions over any set of axes (keepdim or not), with gradients; argmax/argmin carry none.
import { record } from "../autograd.ts";
import type { ReduceOp } from "../backends/backend.ts";
import { dispatch } from "../backends/registry.ts";
import { floatOf, type DType } from "../dtype.ts";
import { IndexError, fmtShape } from "../errors.ts";
import { normalizeDim, normalizeDims, numelOf } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { add, div, eq, exp, log, mul, sub } from "./elementwise.ts";
import { expand, permute, reshape } from "./movement.ts";

type Dims = number | readonly number[] | undefined;

/** The input's shape with reduced axes set to 1 (the keepdim shape). */
const keptShape = (shape: readonly number[], axes: readonly number[]): number[] =>
  shape.map((d, i) => (axes.includes(i) ? 1 : d));

/** Runs a row reduction after moving the reduced axes last (a copy only when they are not already last). */
function reduceRaw(op: ReduceOp, x: Tensor, axes: readonly number[], dtype: DType, name: string = op): Tensor {
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const order = [...kept, ...axes];
  const rowLength = numelOf(axes.map((a) => x.shape[a]));
  if (rowLength === 0 && op !== "sum") {
    throw new IndexError(name, `cannot reduce over an empty dimension of tensor ${fmtShape(x.shape)}`);
  }
  const block = op === "sum" ? middleBlock(x.shape, axes) : null;
  const keep = keptShape(x.shape, axes);
  if (block) {
    const ex = dispatch("sumAxis", dtype, [x], block.outer * block.inner);
    const out = ex.out(dtype, block.outer * block.inner);
    ex.kernels.sumAxis(ex.arg(x), block.outer, block.size, block.inner, out);
    return fromStorage(out, keep);
  }
  const ex = dispatch("reduceRows", dtype, [x], numelOf(keep));
  const rows = order.some((d, i) => d !== i) ? permute(x.detach(), order) : x;
  const out = ex.out(dtype, numelOf(keep));
  ex.kernels.reduceRows(op, ex.arg(rows), rowLength, out);
  return fromStorage(out, keep);
}

/**
 * x as [outer, size, inner] with the reduced axes (size-1 dims ignored) forming the middle block, when they
 * are adjacent but not trailing; trailing axes need no copy and take reduceRows.
 */
function middleBlock(shape: readonly number[], axes: readonly number[]): { outer: number; size: number; inner: number } | null {
  const big = axes.filter((a) => shape[a] !== 1);
  if (big.length === 0) return null;
  const [first, last] = [Math.min(...big), Math.max(...big)];
  for (let d = first; d <= last; d++) if (shape[d] !== 1 && !axes.includes(d)) return null;
  const inner = numelOf(shape.slice(last + 1));
  if (inner === 1) return null;
  return { outer: numelOf(shape.slice(0, first)), size: numelOf(big.map((a) => shape[a])), inner };
}

const finish = (keep: Tensor, x: Tensor, axes: readonly number[], keepdim: boolean): Tensor =>
  keepdim ? keep : reshape(keep, x.shape.filter((_, i) => !axes.includes(i)));

/** An unrecorded keepdim result, its reduced axes dropped unless keepdim (so one node is recorded, as torch's SumBackward0). */
const squeezeAxes = (keep: Tensor, axes: readonly number[], keepdim: boolean): Tensor =>
  keepdim ? keep : fromStorage(keep.buf, keep.shape.filter((_, i) => !axes.includes(i)));

/** The sum over the given dimensions (all when omitted). */
export function sum(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const axes = normalizeDims("sum", dim, x.ndim);
  const keep = reduceRaw("sum", x, axes, x.dtype);
  return record("sum", squeezeAxes(keep, axes, keepdim), [x], (g) => [expand(reshape(g, keep.shape), x.shape)]);
}

/** The mean over the given dimensions (all when omitted). */
export function mean(x: Tensor, dim?: Dims, keepdim = false): Tensor {
  const axes = normalizeDims("mean", dim, x.ndim);
  const count = numelOf(axes.map((a) => x.shape[a]));
  const xs = x.dtype === "int32" ? x.to("float32") : x;
  return div(sum(xs, axes, keepdim), count);
}

function extreme(op: "max" | "min", x: Tensor, dim: Dims, keepdim: boolean): Tensor {
  const name = op === "max" ? "amax" : "amin";
  const axes = normalizeDims(name, dim, x.ndim);
  const keep = reduceRaw(op, x, axes, x.dtype, name);
  // The gradient goes to the arg-extremum; ties share it evenly (PyTorch's amax rule).
  return record(name, squeezeAxes(keep, axes, keepdim), [x], (g) => {
    const hit = eq(x, keep);
    return [div(mul(expand(reshape(g, keep.shape), x.shape), hit), expand(sum(hit, axes, true), x.shape))];
  });
}
/** The maximum over the given dimensions (all when omitted); ties share the gradient. */
export const amax = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme("max", x, dim, keepdim);
/** The minimum over the given dimensions (all when omitted); ties share the gradient. */
export const amin = (x: Tensor, dim?: Dims, keepdim = false): Tensor => extreme("min", x, dim, keepdim);

/** Variance with Bessel's correction by default (correction = 1), as torch.var. */
export function variance(x: Tensor, dim?: Dims, keepdim = false, correction = 1): Tensor {
  const axes = normalizeDims("var", dim, x.ndim);
  const count = numelOf(axes.map((a) => x.shape[a]));
  const centred = sub(x, mean(x, axes, true));
  return div(sum(mul(centred, centred), axes, keepdim), Math.max(0, count - correction));
}

/** log Σ exp, stabilised by the (constant) row max; its gradient is the softmax. */
export function logsumexp(x: Tensor, dim: Dims, keepdim = false): Tensor {
  const axes = normalizeDims("logsumexp", dim, x.ndim);
  const m = reduceRaw("max", x.detach(), axes, floatOf(x.dtype), "logsumexp");
  for (let i = 0; i < m.numel; i++) if (!Number.isFinite(m.storage[i])) m.storage[i] = 0;
  const lse = add(log(sum(exp(sub(x, m)), axes, true)), m);
  return finish(lse, x, axes, keepdim);
}

function argExtreme(op: "argmax" | "argmin", x: Tensor, dim: number | undefined, keepdim: boolean): Tensor {
  if (dim === undefined) return argExtreme(op, reshape(x, [-1]), 0, false);
  const axis = normalizeDim(op, dim, x.ndim);
  const keep = reduceRaw(op, x, x.ndim === 0 ? [] : [axis], "int32");
  return x.ndim === 0 || keepdim ? keep : reshape(keep, x.shape.filter((_, i) => i !== axis));
}
/** Indices (int32) of the maxima along a dimension (of the flattened tensor when omitted). */
export const argmax = (x: Tensor, dim?: number, keepdim = false): Tensor => argExtreme("argmax", x, dim, keepdim);
/** Indices (int32) of the minima along a dimension (of the flattened tensor when omitted). */
export const argmin = (x: Tensor, dim?: number, keepdim = false): Tensor => argExtreme("argmin", x, dim, keepdim);
