// softmax and logSoftmax along any dim: a fused, stable row kernel; the backward is a fused row kernel
// too, with the composed form (written in ops) as its reference and for double backward.
import { isGradEnabled, record } from "../autograd.ts";
import { fusedOps, kernels } from "../backends/registry.ts";
import { allocate, allocateEmpty, floatOf, type FloatArray } from "../dtype.ts";
import { normalizeDim } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { exp, mul, sub } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import { transpose } from "./movement.ts";
import { gpuFor, on, run1 } from "../backends/gpu/dispatch.ts";

function rowwise(op: "softmax" | "logSoftmax", x: Tensor, dim: number): Tensor {
  const d = normalizeDim(op, dim, x.ndim);
  const last = Math.max(x.ndim - 1, 0);
  // Other dims are moved last and back, so the gradient flows through the transposes.
  if (d !== last) return transpose(rowwise(op, transpose(x, d, last), last), d, last);
  const xs = x.isFloatingPoint() ? x : x.to(floatOf(x.dtype));
  const cols = x.ndim === 0 ? 1 : x.shape[last];
  const dev = xs.numel > 0 ? gpuFor(xs) : null;
  let y: Tensor;
  if (dev) {
    y = run1(dev, "softmax", [on(xs, dev), xs.numel / cols, cols, op === "logSoftmax"], x.shape);
  } else {
    const out = allocateEmpty(xs.dtype, xs.numel) as FloatArray;
    kernels().softmax(xs.storage as FloatArray, cols, out, op === "logSoftmax");
    y = fromStorage(out, x.shape);
  }
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
  const d = y.numel > 0 ? gpuFor(y, g) : null;
  if (d) return run1(d, "softmaxBackward", [on(y, d), on(g, d), y.numel / cols, cols, op === "logSoftmax"], y.shape);
  const out = allocateEmpty(y.dtype, y.numel) as FloatArray;
  kernels().softmaxBackward(y.storage as FloatArray, g.storage as FloatArray, y.ndim === 0 ? 1 : y.shape[y.ndim - 1], out, op === "logSoftmax");
  return fromStorage(out, y.shape);
}

export const softmax = (x: Tensor, dim: number): Tensor => rowwise("softmax", x, dim);
export const logSoftmax = (x: Tensor, dim: number): Tensor => rowwise("logSoftmax", x, dim);
