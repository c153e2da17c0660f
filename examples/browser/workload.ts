// The computation the browser example runs, shared by the page (main.ts) and its test
// (test/browser/page.test.ts), which repeats it in Node: one pre-LN TransformerEncoderLayer,
// forward and backward, from a fixed seed. Nothing here is browser- or Node-specific.
import { backendInfo, manualSeed, nn, randn, type Tensor } from "aetnet/engine";

export const SETUP = { seed: 1234, batch: 2, seq: 16, dModel: 64, nHead: 4, dimFeedforward: 128 } as const;

/**
 * Bound on compare()'s `rel`: max|gpu − cpu| / max(1, max|cpu|), relative for tensors of magnitude above 1
 * and absolute below (some gradients are exactly zero in exact arithmetic — the key bias's, since softmax
 * ignores a shift shared by all keys — and are float32 noise on both backends).
 */
export const TOLERANCE = 1e-4;

export interface Timings { buildMs: number; forwardMs: number; backwardMs: number; readMs: number; totalMs: number }

export interface LayerRun {
  /** backendInfo() of the backend that ran. */
  backend: Record<string, unknown>;
  /** "output" [B,T,E], "loss" [] (a scalar), "grad.x" [B,T,E] and "grad.<parameter>" for every parameter. */
  tensors: Record<string, { shape: number[]; values: Float32Array }>;
  /** Every parameter's initial value, concatenated: the same seed must give the same weights anywhere. */
  weights: Float32Array;
  timings: Timings;
}

/** Builds the layer and input from SETUP.seed on the current backend, runs forward + backward, reads back. */
export async function runLayer(): Promise<LayerRun> {
  const { seed, batch, seq, dModel, nHead, dimFeedforward } = SETUP;
  const t0 = performance.now();
  manualSeed(seed);
  const layer = new nn.TransformerEncoderLayer(dModel, nHead, dimFeedforward, { dropout: 0, activation: "gelu", normFirst: true });
  const x = randn([batch, seq, dModel], { requiresGrad: true });
  const params = [...layer.namedParameters()];

  const t1 = performance.now();
  const y = layer.forward(x);
  const loss = y.square().sum();
  const t2 = performance.now();
  loss.backward();
  const t3 = performance.now();

  const read = async (t: Tensor | null, name: string) => {
    if (!t) throw new Error(`no ${name} after backward`);
    return { shape: [...t.shape], values: await t.data() };
  };
  const tensors: LayerRun["tensors"] = { output: await read(y, "output"), loss: await read(loss, "loss"), "grad.x": await read(x.grad, "grad.x") };
  for (const [name, p] of params) tensors[`grad.${name}`] = await read(p.grad, `grad.${name}`);
  const t4 = performance.now();

  const parts = await Promise.all(params.map(([, p]) => p.data()));
  const weights = new Float32Array(parts.reduce((n, a) => n + a.length, 0));
  parts.reduce((at, a) => (weights.set(a, at), at + a.length), 0);

  return {
    backend: { ...backendInfo() },
    tensors,
    weights,
    timings: { buildMs: t1 - t0, forwardMs: t2 - t1, backwardMs: t3 - t2, readMs: t4 - t3, totalMs: t4 - t0 },
  };
}

/** max|a − b|, and that over max(1, max|b|) (see TOLERANCE); NaN anywhere makes both NaN. */
export function compare(a: ArrayLike<number>, b: ArrayLike<number>): { maxAbsDiff: number; rel: number } {
  if (a.length !== b.length) return { maxAbsDiff: Infinity, rel: Infinity };
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    diff = d > diff || Number.isNaN(d) ? d : diff;
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { maxAbsDiff: diff, rel: Number.isNaN(diff) ? NaN : diff / Math.max(scale, 1) };
}

/** Σ|x|: the "checksum" the page shows (a plain sum of a weight gradient mostly cancels to ~0). */
export const checksum = (v: ArrayLike<number>): number => { let s = 0; for (let i = 0; i < v.length; i++) s += Math.abs(v[i]); return s; };
