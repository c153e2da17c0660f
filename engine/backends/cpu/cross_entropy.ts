// Reference fused cross-entropy (log-softmax + NLL with label smoothing) and its backward
// (softmax − smoothed one-hot), in float64 accumulators: the ground truth of the wasm kernels.
import type { FloatArray } from "../../dtype.ts";

/** log Σ exp(x[base..base+cols)), shifted by the row max (0 for an all −∞ row, as softmax does). */
function logSumExp(x: FloatArray, base: number, cols: number): number {
  let max = -Infinity;
  for (let j = 0; j < cols; j++) if (x[base + j] > max) max = x[base + j];
  if (max === -Infinity) max = 0;
  let sum = 0;
  for (let j = 0; j < cols; j++) sum += Math.exp(x[base + j] - max);
  return max + Math.log(sum);
}

export function crossEntropy(x: FloatArray, target: Int32Array, cols: number, smoothing: number, loss: FloatArray, lse: FloatArray): void {
  for (let r = 0; r < target.length; r++) {
    const base = r * cols;
    const l = logSumExp(x, base, cols);
    lse[r] = l;
    const t = target[r];
    if (t < 0) { loss[r] = 0; continue; }
    let smooth = 0;
    if (smoothing > 0) {
      for (let j = 0; j < cols; j++) smooth += x[base + j];
      smooth *= smoothing / cols;
    }
    loss[r] = l - (1 - smoothing) * x[base + t] - smooth;
  }
}

export function crossEntropyBackward(x: FloatArray, target: Int32Array, lse: FloatArray, g: FloatArray, cols: number, smoothing: number, dx: FloatArray): void {
  const b = smoothing / cols;
  for (let r = 0; r < target.length; r++) {
    const base = r * cols;
    const t = target[r];
    if (t < 0) { dx.fill(0, base, base + cols); continue; }
    const gr = g[r];
    const l = lse[r];
    for (let j = 0; j < cols; j++) dx[base + j] = gr * (Math.exp(x[base + j] - l) - b);
    dx[base + t] -= gr * (1 - smoothing);
  }
}
