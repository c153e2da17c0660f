// float32 fast paths of the fused kernels, as monomorphic JS loops (no copy into linear memory: these are
// one or two passes over memory, where the copies would cost as much as the work). GELU uses a float32-
// accurate erf instead of the reference's float64 series; other dtypes go to the cpu reference.
import type { FloatArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";

/**
 * Φ(x) = (1 + erf(x/√2))/2 to float32 accuracy: the odd Taylor series of erf for |z| < 0.5, and erfc
 * by Abramowitz–Stegun 7.1.26 above, used directly on the small side (no 1 − (1 − ε) cancellation).
 */
function phi(x: number): number {
  const z = x * Math.SQRT1_2;
  const az = Math.abs(z);
  if (az < 0.5) {
    const z2 = z * z;
    const s = 1 + z2 * (-1 / 3 + z2 * (1 / 10 + z2 * (-1 / 42 + z2 * (1 / 216 + z2 * (-1 / 1320)))));
    return 0.5 + z * s * (1 / Math.sqrt(Math.PI));
  }
  const t = 1 / (1 + 0.3275911 * az);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-az * az);
  return z < 0 ? 0.5 * erfc : 1 - 0.5 * erfc;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

function geluF32(x: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] * phi(x[i]);
}

function geluBackwardF32(x: Float32Array, g: Float32Array, out: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = g[i] * (phi(v) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
  }
}

export function gelu(x: FloatArray, out: FloatArray): void {
  if (x instanceof Float32Array && out instanceof Float32Array) geluF32(x, out);
  else cpuKernels.gelu(x, out);
}

export function geluBackward(x: FloatArray, g: FloatArray, out: FloatArray): void {
  if (x instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array) geluBackwardF32(x, g, out);
  else cpuKernels.geluBackward(x, g, out);
}
