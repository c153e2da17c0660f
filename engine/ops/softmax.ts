// softmax and logSoftmax along any dim: a fused, stable row kernel with a backward written in ops.
import { record } from "../autograd.ts";
import { kernels } from "../backends/registry.ts";
import { allocate, floatOf, type FloatArray } from "../dtype.ts";
import { normalizeDim } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { exp, mul, sub } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import { transpose } from "./movement.ts";

function rowwise(op: "softmax" | "logSoftmax", x: Tensor, dim: number): Tensor {
  const d = normalizeDim(op, dim, x.ndim);
  const last = Math.max(x.ndim - 1, 0);
  // Other dims are moved last and back, so the gradient flows through the transposes.
  if (d !== last) return transpose(rowwise(op, transpose(x, d, last), last), d, last);
  const xs = x.isFloatingPoint() ? x : x.to(floatOf(x.dtype));
  const out = allocate(xs.dtype, xs.numel) as FloatArray;
  kernels().softmax(xs.storage as FloatArray, x.ndim === 0 ? 1 : x.shape[last], out, op === "logSoftmax");
  const y = fromStorage(out, x.shape);
  return record(op, y, [xs], (g) => [
    op === "softmax"
      ? mul(y, sub(g, sum(mul(g, y), -1, true)))
      : sub(g, mul(exp(y), sum(g, -1, true))),
  ]);
}

export const softmax = (x: Tensor, dim: number): Tensor => rowwise("softmax", x, dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => rowwise("logSoftmax", x, dim);
