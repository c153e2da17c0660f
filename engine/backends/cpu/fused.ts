// Reference fused kernels (layer norm, softmax backward, GELU): plain loops in float64 accumulators,
// the ground truth the wasm backend's versions are tested against. Their op-level composed
// counterparts (engine/ops) stay the ground truth for the formulas themselves.
import type { FloatArray } from "../../dtype.ts";
import { erf } from "./elementwise.ts";
import { matmul } from "./matmul.ts";

export function softmaxBackward(y: FloatArray, g: FloatArray, cols: number, out: FloatArray, log: boolean): void {
  const rows = cols === 0 ? 0 : y.length / cols;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let dot = 0;
    if (log) {
      for (let j = 0; j < cols; j++) dot += g[base + j];
      for (let j = 0; j < cols; j++) out[base + j] = g[base + j] - Math.exp(y[base + j]) * dot;
    } else {
      for (let j = 0; j < cols; j++) dot += g[base + j] * y[base + j];
      for (let j = 0; j < cols; j++) out[base + j] = y[base + j] * (g[base + j] - dot);
    }
  }
}

export function layerNorm(x: FloatArray, cols: number, weight: FloatArray | null, bias: FloatArray | null, eps: number, out: FloatArray, mean: FloatArray, rstd: FloatArray): void {
  const rows = mean.length;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[base + j];
    const mu = s / cols;
    let v = 0;
    for (let j = 0; j < cols; j++) { const d = x[base + j] - mu; v += d * d; }
    const rs = 1 / Math.sqrt(v / cols + eps);
    mean[r] = mu;
    rstd[r] = rs;
    for (let j = 0; j < cols; j++) {
      const h = (x[base + j] - mu) * rs;
      out[base + j] = (weight ? h * weight[j] : h) + (bias ? bias[j] : 0);
    }
  }
}

export function layerNormBackward(x: FloatArray, g: FloatArray, cols: number, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, dx: FloatArray, dw: FloatArray | null, db: FloatArray | null): void {
  const rows = mean.length;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const mu = mean[r];
    const rs = rstd[r];
    let sg = 0;
    let sgx = 0;
    for (let j = 0; j < cols; j++) {
      const gj = weight ? g[base + j] * weight[j] : g[base + j];
      const h = (x[base + j] - mu) * rs;
      sg += gj;
      sgx += gj * h;
      if (dw) dw[j] += g[base + j] * h;
      if (db) db[j] += g[base + j];
    }
    sg /= cols;
    sgx /= cols;
    for (let j = 0; j < cols; j++) {
      const gj = weight ? g[base + j] * weight[j] : g[base + j];
      const h = (x[base + j] - mu) * rs;
      dx[base + j] = rs * (gj - sg - h * sgx);
    }
  }
}

const PHI = 1 / Math.sqrt(2 * Math.PI);

/** The reference linear (see KernelTable.linear): the reference matmul, then bias and GELU element by element. */
export function linear(x: FloatArray, w: FloatArray, bias: FloatArray, rows: number, inF: number, outF: number, gelu: boolean, out: FloatArray, pre: FloatArray | null): void {
  matmul(x, w, out, 1, rows, inF, outF, false, true);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < outF; j++) {
      const z = out[r * outF + j] + bias[j];
      if (pre) pre[r * outF + j] = z;
      out[r * outF + j] = gelu ? 0.5 * z * (1 + erf(z * Math.SQRT1_2)) : z;
    }
  }
}

export function gelu(x: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) out[i] = 0.5 * x[i] * (1 + erf(x[i] * Math.SQRT1_2));
}

export function geluBackward(x: FloatArray, g: FloatArray, out: FloatArray): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    out[i] = g[i] * (0.5 * (1 + erf(v * Math.SQRT1_2)) + v * PHI * Math.exp(-0.5 * v * v));
  }
}
