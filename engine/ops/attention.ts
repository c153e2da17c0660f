// Scaled dot-product attention with an additive bias and a key-padding mask: composed from ops (the
// reference), or one fused kernel pair when fused ops are on.
import { isGradEnabled, record } from "../autograd.ts";
import type { AttentionDims, AttentionDropout, ScoreView } from "../backends/backend.ts";
import { dispatchFused, fusedOps, kernels, onDevice, type Exec, type Operand } from "../backends/registry.ts";
import { ShapeError, fmtShape } from "../errors.ts";
import { defaultGenerator, type Generator } from "../random.ts";
import { broadcastStrides, numelOf, shapesEqual } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { add, eq, maskedFill, mul, sub, sumToShape } from "./elementwise.ts";
import { matmul, mm } from "./matmul.ts";
import { unsqueeze } from "./movement.ts";
import { sum } from "./reduce.ts";
import { softmax } from "./softmax.ts";
import { dropout } from "./nn_basic.ts";

/** Options of scaledDotProductAttention: an additive bias, a key mask, the scale, and seeded dropout while training. */
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

/** Turns just this op's fused kernels off, with the other fused ops on (benches measure its share). */
export const attentionTuning = { fused: true };

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
  const p = opts.training ? opts.dropoutP ?? 0 : 0;
  if (fusedOps() && attentionTuning.fused && fusable(q, k, v, opts.bias ?? null, opts.keyMask ?? null, p)) {
    const fused = fusedAttention(q, k, v, opts.bias ?? null, opts.keyMask ?? null, scale, p, opts.generator ?? defaultGenerator);
    if (fused) return fused;
  }
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
  if (p > 0) probs = dropout(probs, p, true, opts.generator);
  return matmul(probs, v);
}

// ---- fused path ----

/** The key mask as [..., 1, Lk], the shape it broadcasts to the scores with. */
const maskShape = (m: Tensor): number[] => [...m.shape.slice(0, -1), 1, m.shape[m.ndim - 1]];

/**
 * The fused kernels take float32 (float64 stays on the composed reference), q, k, v with the same batch dims,
 * a bias and key mask that broadcast (anything else goes to the composed path, which also reports shape
 * errors), no empty operand, and dropout p < 1.
 */
function fusable(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, keyMask: Tensor | null, p: number): boolean {
  const batch = q.shape.slice(0, -2);
  const scores = [...batch, q.shape[q.ndim - 2], k.shape[k.ndim - 2]];
  return q.dtype === "float32" && k.dtype === "float32" && v.dtype === "float32" && (!bias || bias.dtype === "float32")
    && shapesEqual(k.shape.slice(0, -2), batch) && shapesEqual(v.shape.slice(0, -2), batch)
    && q.numel > 0 && k.numel > 0 && v.numel > 0 && p < 1
    && (!bias || broadcastsTo(bias.shape, scores))
    && (!keyMask || (keyMask.ndim >= 1 && broadcastsTo(maskShape(keyMask), scores)));
}

/** `data` of `shape` read as the [batch, lq, lk] scores `target` through broadcasting. */
function scoreView<T>(data: T, shape: readonly number[], target: readonly number[]): ScoreView<T> {
  const strides = broadcastStrides(shape, target);
  const lead = target.slice(0, -2);
  const offsets = new Int32Array(numelOf(lead));
  const idx = lead.map(() => 0);
  for (let b = 0, off = 0; b < offsets.length; b++) {
    offsets[b] = off;
    // Odometer over the batch dims, keeping the offset in step.
    for (let a = lead.length - 1; a >= 0; a--) {
      off += strides[a];
      if (++idx[a] < lead[a]) break;
      off -= strides[a] * lead[a];
      idx[a] = 0;
    }
  }
  return { data, offsets, rowStride: strides[target.length - 2], colStride: strides[target.length - 1] };
}

/**
 * One kernel forward (saving the probabilities and the dropout keep-mask), one kernel backward. The dropout
 * mask draws the numbers generator.random() would, one per weight in the composed op's order, so both paths
 * drop the same weights.
 * Null where the backend that would run it lacks the kernels (the gpu has no attention dropout): the
 * composed form runs there.
 */
function fusedAttention(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, keyMask: Tensor | null, scale: number, p: number, generator: Generator): Tensor | null {
  const batchShape = q.shape.slice(0, -2);
  const [lq, d] = q.shape.slice(-2);
  const [lk, dv] = v.shape.slice(-2);
  const scoreShape = [...batchShape, lq, lk];
  const dims: AttentionDims = { batch: numelOf(batchShape), lq, lk, d, dv, scale };
  const ex = p > 0 && onDevice(q, k, v, bias) ? null : dispatchFused("attention", "float32", [q, k, v, bias], numelOf(scoreShape));
  if (!ex) return null;
  const maskView = (e: Exec) => (keyMask ? scoreView(e.arg(keyMask), maskShape(keyMask), scoreShape) : null);
  let drop: AttentionDropout | null = null;
  if (p > 0) {
    const keep = new Uint8Array(numelOf(scoreShape));
    kernels().bernoulliMask(generator.streamState(), p, 1, keep);
    drop = { keep, scale: Math.fround(1 / (1 - p)) };
  }
  const probs = ex.out("float32", numelOf(scoreShape));
  const out = ex.out("float32", dims.batch * lq * dv);
  const biasView = bias ? scoreView(ex.arg(bias), bias.shape, scoreShape) : null;
  ex.kernels.attention(ex.arg(q), ex.arg(k), ex.arg(v), dims, biasView, maskView(ex), drop, probs, out);
  const saved = fromStorage(probs, scoreShape);
  const inputs = bias ? [q, k, v, bias] : [q, k, v];
  return record("scaledDotProductAttention", fromStorage(out, [...batchShape, lq, dv]), inputs, (g, needs) => {
    const eb = isGradEnabled() || g.dtype !== q.dtype ? null : dispatchFused("attentionBackward", "float32", [q, k, v, saved, g], numelOf(scoreShape));
    if (!eb) return composedBackward(q, k, v, bias, keyMask, scale, drop, g, needs);
    const grad = (t: Tensor, i: number): Operand | null => (needs[i] ? eb.out("float32", t.numel) : null);
    const [dq, dk, dvOut] = [grad(q, 0), grad(k, 1), grad(v, 2)];
    const dScores = eb.out("float32", numelOf(scoreShape));
    eb.kernels.attentionBackward(eb.arg(q), eb.arg(k), eb.arg(v), eb.arg(saved), eb.arg(g), dims, maskView(eb), drop, dScores, dq, dk, dvOut);
    const wrap = (a: Operand | null, t: Tensor): Tensor | null => (a ? fromStorage(a, t.shape) : null);
    const scores = fromStorage(dScores, scoreShape);
    const dBias = bias && needs[3] ? sumToShape(scores, bias.shape) : null;
    if (!dBias) scores.dispose(); // frees it now where it is a device buffer
    return [wrap(dq, q), wrap(dk, k), wrap(dvOut, v), ...(bias ? [dBias] : [])];
  });
}

/** The same backward written in ops (recomputing the probabilities), so it can itself be differentiated. */
function composedBackward(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, keyMask: Tensor | null, scale: number, drop: AttentionDropout | null, g: Tensor, needs: readonly boolean[]): (Tensor | null)[] {
  let scores = mul(mm(q, k, false, true), scale);
  if (bias) scores = add(scores, bias);
  const masked = keyMask ? unsqueeze(eq(keyMask, 0), -2) : null;
  if (masked) scores = maskedFill(scores, masked, lowest(scores));
  const probs = softmax(scores, -1);
  const keep = drop ? fromStorage(Float32Array.from(drop.keep, (x) => x * drop.scale), probs.shape) : null;
  const weights = keep ? mul(probs, keep) : probs;
  let dp = mm(g, v, false, true);
  if (keep) dp = mul(dp, keep);
  let ds = mul(probs, sub(dp, sum(mul(dp, probs), -1, true)));
  if (masked) ds = maskedFill(ds, masked, 0);
  return [
    needs[0] ? mul(mm(ds, k, false, false), scale) : null,
    needs[1] ? mul(mm(ds, q, true, false), scale) : null,
    needs[2] ? mm(weights, g, true, false) : null,
    ...(bias ? [needs[3] ? sumToShape(ds, bias.shape) : null] : []),
  ];
}
