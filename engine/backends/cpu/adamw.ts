// The AdamW update, in place over host arrays: work in doubles, store into the typed arrays.
import type { FloatArray } from "../../dtype.ts";
import type { AdamWStep } from "../backend.ts";

export function adamw(p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, o: AdamWStep): void {
  const { lr, beta1: b1, beta2: b2, eps, weightDecay } = o;
  const stepSize = lr / (1 - b1 ** o.step);
  const correction2Sqrt = Math.sqrt(1 - b2 ** o.step);
  for (let i = 0; i < p.length; i++) {
    p[i] *= 1 - lr * weightDecay;
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2Sqrt + eps);
  }
}
