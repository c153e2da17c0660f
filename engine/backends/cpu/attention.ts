// Fused scaled-dot-product attention, forward and backward, built from other kernels of one table: two
// batched GEMMs (transposes absorbed by the GEMM, never materialised) around one in-place pass over the
// scores (scale, bias, key mask) and the table's row softmax; the backward is four GEMMs around the
// table's fused softmax backward. Only the [batch, lq, lk] scores/probabilities buffer is ever allocated
// (plus the dropped-out weights when dropout is on). With the cpu table this is the reference; the wasm
// backend builds the same kernels from its SIMD GEMM, softmax and dropout.
import type { TypedArray, FloatArray } from "../../dtype.ts";
import type { AttentionDims, AttentionDropout, KernelTable, ScoreView } from "../backend.ts";

type Parts = Pick<KernelTable, "matmul" | "softmax" | "softmaxBackward"> & {
  /**
   * A float32 work buffer of n elements where that table's GEMMs read it in place (the wasm heap), or null for a
   * JS-heap array; `release` returns it once the kernel is done with it.
   */
  readonly temp?: (n: number) => Float32Array | null;
  readonly release?: (x: Float32Array) => void;
  /** applyDropout's work in that table's kernels (out may be x); applyDropout itself where absent. */
  readonly dropout?: (x: FloatArray, drop: AttentionDropout, out: FloatArray) => void;
};

/** The lowest finite value of the array's precision: a masked key gets exactly zero weight (as HF and the composed op). */
const lowestOf = (x: FloatArray): number => (x instanceof Float64Array ? -Number.MAX_VALUE : -3.4028234663852886e38);

const like = (x: FloatArray, n: number): FloatArray => (x instanceof Float64Array ? new Float64Array(n) : new Float32Array(n));

/** s ← s·scale + bias in place, then the lowest finite value at masked keys. */
function scoreRows(s: FloatArray, dims: AttentionDims, bias: ScoreView | null, keyMask: ScoreView<TypedArray> | null): void {
  const { batch, lq, lk, scale } = dims;
  const lowest = lowestOf(s);
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < lq; i++) {
      const r = (b * lq + i) * lk;
      if (bias) {
        const { data, colStride: bc } = bias;
        const bo = bias.offsets[b] + i * bias.rowStride;
        for (let j = 0; j < lk; j++) s[r + j] = s[r + j] * scale + data[bo + j * bc];
      } else {
        for (let j = 0; j < lk; j++) s[r + j] *= scale;
      }
      if (keyMask) fillMasked(s, r, keyMask, b, i, lk, lowest);
    }
  }
}

/** Row r of s gets `value` wherever the key mask (row i of batch b) is zero. */
function fillMasked(s: FloatArray, r: number, keyMask: ScoreView<TypedArray>, b: number, i: number, lk: number, value: number): void {
  const { data, colStride: mc } = keyMask;
  const mo = keyMask.offsets[b] + i * keyMask.rowStride;
  for (let j = 0; j < lk; j++) if (data[mo + j * mc] === 0) s[r + j] = value;
}

/**
 * out ← x ⊙ keep · scale (out may be x): the weights after dropout, as the composed op's mul(P, mask) rounds
 * them.
 */
export function applyDropout(x: FloatArray, drop: AttentionDropout, out: FloatArray): void {
  const { keep, scale } = drop;
  for (let i = 0; i < x.length; i++) out[i] = keep[i] !== 0 ? x[i] * scale : 0;
}

/**
 * Runs `use` on the attention weights: the probabilities themselves, or with dropout their dropped-out copy in a
 * work buffer (where the table's GEMM reads it in place) that is returned once `use` is done.
 */
function withWeights(
  probs: FloatArray, drop: AttentionDropout | null, kt: Parts, use: (weights: FloatArray) => void,
): void {
  if (!drop) { use(probs); return; }
  const weights = (probs instanceof Float32Array ? kt.temp?.(probs.length) : null) ?? like(probs, probs.length);
  try {
    (kt.dropout ?? applyDropout)(probs, drop, weights);
    use(weights);
  } finally {
    if (weights instanceof Float32Array) kt.release?.(weights);
  }
}

function scaleBy(x: FloatArray, s: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= s;
}

/** The attention kernel pair over a table's matmul, softmax and softmaxBackward. */
export function attentionWith(kt: Parts): Pick<KernelTable, "attention" | "attentionBackward"> {
  return {
    attention(q, k, v, dims, bias, keyMask, drop, probs, out) {
      const { batch, lq, lk, d, dv } = dims;
      kt.matmul(q, k, probs, batch, lq, d, lk, false, true); // q kᵀ
      scoreRows(probs, dims, bias, keyMask);
      kt.softmax(probs, lk, probs, false);
      withWeights(probs, drop, kt, (weights) => kt.matmul(weights, v, out, batch, lq, lk, dv, false, false));
    },
    attentionBackward(q, k, v, probs, g, dims, keyMask, drop, dScores, dq, dk, dvOut) {
      const { batch, lq, lk, d, dv, scale } = dims;
      // Pᵀ g
      if (dvOut) withWeights(probs, drop, kt, (w) => kt.matmul(w, g, dvOut, batch, lk, lq, dv, true, false));
      kt.matmul(g, v, dScores, batch, lq, dv, lk, false, true); // dP = g vᵀ
      if (drop) (kt.dropout ?? applyDropout)(dScores, drop, dScores);
      kt.softmaxBackward(probs, dScores, lk, dScores, false);
      // Only a fully masked row has nonzero weights at masked keys; the composed maskedFill stops their gradient.
      if (keyMask) for (let b = 0; b < batch; b++) for (let i = 0; i < lq; i++) fillMasked(dScores, (b * lq + i) * lk, keyMask, b, i, lk, 0);
      if (dq) { kt.matmul(dScores, k, dq, batch, lq, lk, d, false, false); scaleBy(dq, scale); }
      if (dk) { kt.matmul(dScores, q, dk, batch, lk, lq, d, true, false); scaleBy(dk, scale); }
    },
  };
}
