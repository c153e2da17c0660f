// Plain-JS references for the F tests: loops over flat row-major arrays, no engine ops.
import { assertClose } from "../../../engine/testing/index.ts";
import type { Tensor } from "../../../engine/index.ts";

export const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Asserts a tensor's shape and values (float64-tight by default). */
export function expectTensor(got: Tensor, shape: readonly number[], values: ArrayLike<number>, rtol = 1e-9, atol = 1e-12): void {
  if (got.shape.join() !== shape.join()) throw new Error(`shape [${got.shape}] vs expected [${shape}]`);
  assertClose(got, values, rtol, atol);
}

/** Asserts fn throws an error whose message contains every fragment (the op name, the shapes). */
export function expectError(fn: () => unknown, ...fragments: string[]): void {
  let message: string | null = null;
  try { fn(); } catch (e) { message = e instanceof Error ? e.message : String(e); }
  if (message === null) throw new Error(`expected an error mentioning ${fragments.join(", ")}`);
  for (const f of fragments) if (!message.includes(f)) throw new Error(`error "${message}" does not mention "${f}"`);
}

export function logSoftmaxRow(row: readonly number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
  return row.map((v) => v - lse);
}

/** Rows [M][C] of an input [N, C, d...] (or [C]) with classes on dim 1, in the order of target positions. */
export function classRows(data: ArrayLike<number>, shape: readonly number[]): number[][] {
  if (shape.length === 1) return [Array.from(data)];
  const [n, c] = shape;
  const r = prod(shape.slice(2));
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) for (let k = 0; k < r; k++) rows.push(Array.from({ length: c }, (_, j) => data[i * c * r + j * r + k]));
  return rows;
}

export interface CeRef { ignoreIndex?: number; reduction?: "mean" | "sum" | "none"; labelSmoothing?: number; weight?: number[] }

/** PyTorch's cross_entropy for class-index targets: nll and smoothing terms reduced separately, then mixed. */
export function crossEntropyRef(logp: number[][], target: ArrayLike<number>, o: CeRef): number[] {
  const { ignoreIndex = -100, reduction = "mean", labelSmoothing: e = 0, weight } = o;
  const classes = logp[0].length;
  const w = (c: number): number => (weight ? weight[c] : 1);
  let nllSum = 0, smoothSum = 0, wSum = 0;
  const per = logp.map((row, i) => {
    const t = target[i];
    if (t === ignoreIndex) return 0;
    const nll = -w(t) * row[t];
    const smooth = -row.reduce((a, v, c) => a + w(c) * v, 0);
    nllSum += nll; smoothSum += smooth; wSum += w(t);
    return (1 - e) * nll + (e / classes) * smooth;
  });
  if (reduction === "none") return per;
  if (reduction === "sum") return [(1 - e) * nllSum + (e / classes) * smoothSum];
  return [(1 - e) * (nllSum / wSum) + (e / classes) * (smoothSum / wSum)];
}

/** Soft-target cross entropy: -Σ_c w_c·t_c·log p_c per row; the mean divides by the row count. */
export function softCrossEntropyRef(logp: number[][], probs: number[][], o: CeRef): number[] {
  const { reduction = "mean", labelSmoothing: e = 0, weight } = o;
  const classes = logp[0].length;
  const per = logp.map((row, i) => -row.reduce((a, v, c) => a + (weight ? weight[c] : 1) * ((1 - e) * probs[i][c] + e / classes) * v, 0));
  if (reduction === "none") return per;
  const total = per.reduce((a, b) => a + b, 0);
  return [reduction === "sum" ? total : total / per.length];
}

/** Direct sliding-window average over the last two dims; no padding, floor mode. */
export function avgPoolRef(x: ArrayLike<number>, shape: readonly number[], kh: number, kw: number, sh: number, sw: number): { shape: number[]; data: number[] } {
  const [h, w] = shape.slice(-2);
  const lead = shape.slice(0, -2);
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const data: number[] = [];
  for (let p = 0; p < prod(lead); p++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let acc = 0;
        for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) acc += x[p * h * w + (i * sh + a) * w + j * sw + b];
        data.push(acc / (kh * kw));
      }
    }
  }
  return { shape: [...lead, oh, ow], data };
}

/** Direct convolution with stride = kernel: out[b, o, i, j] = bias[o] + Σ x[b, c, i·kh + a, j·kw + e]·w[o, c, a, e]. */
export function patchConvRef(x: ArrayLike<number>, xs: readonly number[], w: ArrayLike<number>, ws: readonly number[], bias?: ArrayLike<number>): number[] {
  const [bn, c, h, wd] = xs;
  const [o, , kh, kw] = ws;
  const [ph, pw] = [h / kh, wd / kw];
  const out: number[] = [];
  for (let b = 0; b < bn; b++) for (let q = 0; q < o; q++) for (let i = 0; i < ph; i++) for (let j = 0; j < pw; j++) {
    let acc = bias ? bias[q] : 0;
    for (let ch = 0; ch < c; ch++) for (let a = 0; a < kh; a++) for (let e = 0; e < kw; e++) {
      acc += x[((b * c + ch) * h + i * kh + a) * wd + j * kw + e] * w[((q * c + ch) * kh + a) * kw + e];
    }
    out.push(acc);
  }
  return out;
}

/**
 * Attention for one batch entry: q [Lq][d], k [Lk][d], v [Lk][dv], bias [Lq][Lk] | null, keep [Lk];
 * masked keys are simply left out of the softmax.
 */
export function attentionRef(q: number[][], k: number[][], v: number[][], bias: number[][] | null, keep: boolean[], scale: number): number[][] {
  return q.map((qi, i) => {
    const scores = k.map((kj, j) => qi.reduce((a, x, t) => a + x * kj[t], 0) * scale + (bias ? bias[i][j] : 0));
    const kept = scores.map((s, j) => (keep[j] ? s : -Infinity));
    const m = Math.max(...kept);
    const e = kept.map((s) => (s === -Infinity ? 0 : Math.exp(s - m)));
    const z = e.reduce((a, b) => a + b, 0);
    return v[0].map((_, c) => e.reduce((a, p, j) => a + (p / z) * v[j][c], 0));
  });
}
