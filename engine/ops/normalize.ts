// L2 normalisation and cosine similarity along a dim, as torch.nn.functional.normalize / cosine_similarity.
import { DTypeError, EngineError, fmtShape } from "../errors.ts";
import { broadcastShapes, normalizeDim } from "../shape.ts";
import type { Tensor } from "../tensor.ts";
import { maximum, mul, rsqrt } from "./elementwise.ts";
import { sum } from "./reduce.ts";
import { expand, squeeze } from "./movement.ts";

/**
 * 1 / max(‖x‖₂, eps) along dim (kept). Clamping the squared norm at eps² is the same value,
 * but keeps the gradient finite for an all-zero slice (sqrt'(0) would be infinite).
 */
function inverseNorm(op: string, x: Tensor, dim: number, eps: number): Tensor {
  if (!(eps > 0)) throw new EngineError(op, `eps must be positive, got ${eps} (input ${fmtShape(x.shape)})`);
  return rsqrt(maximum(sum(mul(x, x), dim, true), eps * eps));
}

/** x / max(‖x‖₂, eps) along dim. */
export function normalize(x: Tensor, dim = 1, eps = 1e-12): Tensor {
  if (!x.isFloatingPoint()) throw new DTypeError("normalize", `expected a floating-point tensor, got ${x.dtype} of shape ${fmtShape(x.shape)}`);
  const d = normalizeDim("normalize", dim, x.ndim);
  return mul(x, inverseNorm("normalize", x, d, eps));
}

/**
 * a·b / (max(‖a‖, eps) · max(‖b‖, eps)) along dim, after broadcasting a and b together;
 * the per-norm clamp is PyTorch's (≥ 1.12) definition.
 */
export function cosineSimilarity(a: Tensor, b: Tensor, dim = 1, eps = 1e-8): Tensor {
  const shape = broadcastShapes("cosineSimilarity", a.shape, b.shape);
  const d = normalizeDim("cosineSimilarity", dim, shape.length);
  const x = expand(a, shape);
  const y = expand(b, shape);
  const dot = sum(mul(x, y), d);
  const inv = mul(inverseNorm("cosineSimilarity", x, d, eps), inverseNorm("cosineSimilarity", y, d, eps));
  return mul(dot, squeeze(inv, d));
}
