// Reference row-wise softmax / log-softmax, subtracting the row max for stability.
import type { FloatArray } from "../../dtype.ts";

export function softmax(x: FloatArray, cols: number, out: FloatArray, log: boolean): void {
  const rows = cols === 0 ? 0 : x.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (x[base + j] > max) max = x[base + j];
    if (max === -Infinity) max = 0; // a fully masked row: keep exp finite (gives NaN only from 0/0 below, as PyTorch)
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(x[base + j] - max);
    if (log) {
      const lse = Math.log(sum);
      for (let j = 0; j < cols; j++) out[base + j] = x[base + j] - max - lse;
    } else {
      for (let j = 0; j < cols; j++) out[base + j] = Math.exp(x[base + j] - max) / sum;
    }
  }
}
