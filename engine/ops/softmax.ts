// softmax and logSoftmax along any dim: a fused, stable row kernel; the backward is a fused row kernel
// too, with the composed form (written in ops) as its reference and for double backward.
import { isGradEnabled, record } from "../autograd.ts";
import { dispatch, fusedOps } from "../backends/registry.ts";
import { floatOf } from "../dtype.ts";
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
  const cols = x.ndim === 0 ? 1 : x.shape[last];
  const ex = dispatch("softmax", xs.dtype, [xs], xs.numel);
  const out = ex.out(xs.dtype, xs.numel, false);
  ex.kernels.softmax(ex.arg(xs), cols, out, op === "logSoftmax");
  const y = fromStorage(out, x.shape);
  return record(op, y, [xs], (g) => [
    // The fused kernel when this backward is not itself recorded; the composed form is its reference.
    fusedOps() && !isGradEnabled() && g.dtype === y.dtype ? fusedBackward(op, y, g)
      : op === "softmax"
        ? mul(y, sub(g, sum(mul(g, y), -1, true)))
        : sub(g, mul(exp(y), sum(g, -1, true))),
  ]);
}

function fusedBackward(op: "softmax" | "logSoftmax", y: Tensor, g: Tensor): Tensor {
  const cols = y.ndim === 0 ? 1 : y.shape[y.ndim - 1];
  const ex = dispatch("softmaxBackward", y.dtype, [y, g], y.numel);
  const out = ex.out(y.dtype, y.numel, false);
  ex.kernels.softmaxBackward(ex.arg(y), ex.arg(g), cols, out, op === "logSoftmax");
  return fromStorage(out, y.shape);
}

/** Softmax along a dimension. */
export const softmax = (x: Tensor, dim: number): Tensor => rowwise("softmax", x, dim);
/** log(softmax(x)) along a dimension, computed stably. */
export const logSoftmax = (x: Tensor, dim: number): Tensor => rowwise("logSoftmax", x, dim);
