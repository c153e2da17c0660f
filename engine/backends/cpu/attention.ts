// Fused scaled-dot-product attention, forward and backward, built from other kernels of one table: two
// batched GEMMs (transposes absorbed by the GEMM, never materialised) around one in-place pass over the
// scores (scale, bias, key mask) and the table's row softmax; the backward is four GEMMs around the
// table's fused softmax backward. Only the [batch, lq, lk] scores/probabilities buffer is ever allocated
// (plus the dropped-out weights when dropout is on). With the cpu table this is the reference; the wasm
// backend builds the same kernels from its SIMD GEMM and softmax.
import type { TypedArray, FloatArray } from "../../dtype.ts";
import type { AttentionDims, AttentionDropout, KernelTable, ScoreView } from "../backend.ts";

type Parts = Pick<KernelTable, "matmul" | "softmax" | "softmaxBackward"> & {
  /**
   * A float32 work buffer of n elements where that table's GEMMs read it in place (the wasm heap), or null for a
   * JS-heap array; `release` returns it once the kernel is done with it.
   */
  readonly temp?: (n: number) => Float32Array | null;
  readonly release?: (x: Float32Array) => void;
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

/** The weights after dropout, P ⊙ keep · scale, as the composed op's mul(P, mask) rounds them. */
function dropped(p: FloatArray, drop: AttentionDropout, kt: Parts): FloatArray {
  const out = (p instanceof Float32Array ? kt.temp?.(p.length) : null) ?? like(p, p.length);
  const { keep, scale } = drop;
  for (let i = 0; i < p.length; i++) out[i] = keep[i] !== 0 ? p[i] * scale : 0;
  return out;
}

/** Returns a work buffer to where temp() took it from (a JS-heap array is left to the collector). */
function done(x: FloatArray, kt: Parts): void {
  if (x instanceof Float32Array) kt.release?.(x);
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
      const weights = drop ? dropped(probs, drop, kt) : probs;
      kt.matmul(weights, v, out, batch, lq, lk, dv, false, false);
      if (weights !== probs) done(weights, kt);
    },
    attentionBackward(q, k, v, probs, g, dims, keyMask, drop, dScores, dq, dk, dvOut) {
      const { batch, lq, lk, d, dv, scale } = dims;
      if (dvOut) {
        const weights = drop ? dropped(probs, drop, kt) : probs;
        kt.matmul(weights, g, dvOut, batch, lk, lq, dv, true, false); // Pᵀ g
        if (weights !== probs) done(weights, kt);
      }
      kt.matmul(g, v, dScores, batch, lq, dv, lk, false, true); // dP = g vᵀ
      if (drop) {
        const { keep, scale: kept } = drop;
        for (let i = 0; i < dScores.length; i++) dScores[i] = keep[i] !== 0 ? dScores[i] * kept : 0;
      }
      kt.softmaxBackward(probs, dScores, lk, dScores, false);
      // Only a fully masked row has nonzero weights at masked keys; the composed maskedFill stops their gradient.
      if (keyMask) for (let b = 0; b < batch; b++) for (let i = 0; i < lq; i++) fillMasked(dScores, (b * lq + i) * lk, keyMask, b, i, lk, 0);
      if (dq) { kt.matmul(dScores, k, dq, batch, lq, lk, d, false, false); scaleBy(dq, scale); }
      if (dk) { kt.matmul(dScores, q, dk, batch, lk, lq, d, true, false); scaleBy(dk, scale); }
    },
  };
}
