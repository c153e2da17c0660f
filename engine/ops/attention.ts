// Scaled dot-product attention with an additive bias and a key-padding mask, composed from ops.
import { ShapeError, fmtShape } from "../errors.ts";
import type { Generator } from "../random.ts";
import type { Tensor } from "../tensor.ts";
import { add, eq, maskedFill, mul } from "./elementwise.ts";
import { matmul, mm } from "./matmul.ts";
import { unsqueeze } from "./movement.ts";
import { softmax } from "./softmax.ts";
import { dropout } from "./nn_basic.ts";

export interface AttentionOptions {
  /** Added to the scaled scores; broadcastable to [..., Lq, Lk] (e.g. relative-position bias). */
  bias?: Tensor | null;
  /**
   * Broadcastable to [..., Lk] (q's batch dims, then keys); nonzero keeps a key, zero masks it out for
   * every query. For q [B, H, Lq, d] pass [B, 1, Lk]: a [B, Lk] mask would line B up with H.
   * A row with every key masked gets uniform weights (as HF's additive mask), not NaN.
   */
  keyMask?: Tensor | null;
  /** Defaults to 1/√d. */
  scale?: number;
  dropoutP?: number;
  training?: boolean;
  generator?: Generator;
}

/** Whether `shape` broadcasts to `target` without growing it. */
const broadcastsTo = (shape: readonly number[], target: readonly number[]): boolean =>
  shape.length <= target.length && shape.every((d, i) => d === 1 || d === target[target.length - shape.length + i]);

/** The most negative finite value of the scores' dtype: a masked key gets exactly zero weight, as HF does. */
const lowest = (t: Tensor): number => (t.dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38);

/** softmax(q kᵀ · scale + bias, masked) @ v: q [..., Lq, d], k [..., Lk, d], v [..., Lk, dv] → [..., Lq, dv]. */
export function scaledDotProductAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor {
  const op = "scaledDotProductAttention";
  if (q.ndim < 2 || k.ndim < 2 || v.ndim < 2) {
    throw new ShapeError(op, `q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)} and v ${fmtShape(v.shape)} need at least 2 dims [..., L, d]`);
  }
  const d = q.shape[q.ndim - 1];
  const lk = k.shape[k.ndim - 2];
  if (k.shape[k.ndim - 1] !== d || v.shape[v.ndim - 2] !== lk) {
    throw new ShapeError(op, `expected q [..., Lq, d], k [..., Lk, d], v [..., Lk, dv], got q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`);
  }
  const scale = opts.scale ?? 1 / Math.sqrt(d);
  let scores = mul(mm(q, k, false, true), scale); // [..., Lq, Lk]
  if (opts.bias) {
    const bias = opts.bias;
    if (!broadcastsTo(bias.shape, scores.shape)) {
      throw new ShapeError(op, `bias ${fmtShape(bias.shape)} must broadcast to the scores' shape ${fmtShape(scores.shape)} [..., Lq, Lk]`);
    }
    scores = add(scores, bias);
  }
  if (opts.keyMask) {
    const mask = unsqueeze(eq(opts.keyMask, 0), -2); // [..., 1, Lk]: true where masked
    if (!broadcastsTo(mask.shape, scores.shape)) {
      throw new ShapeError(op, `keyMask ${fmtShape(opts.keyMask.shape)} must broadcast to [..., Lk] of the scores ${fmtShape(scores.shape)}`);
    }
    scores = maskedFill(scores, mask, lowest(scores));
  }
  let probs = softmax(scores, -1);
  if (opts.training && (opts.dropoutP ?? 0) > 0) probs = dropout(probs, opts.dropoutP, true, opts.generator);
  return matmul(probs, v);
}
