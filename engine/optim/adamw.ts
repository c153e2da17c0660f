// AdamW (decoupled weight decay, bias-corrected moments), as torch.optim.AdamW without amsgrad.
import type { TypedArray } from "../dtype.ts";
import { EngineError } from "../errors.ts";
import { Tensor, zeros } from "../tensor.ts";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { on } from "../backends/gpu/dispatch.ts";
import type { GpuDevice } from "../backends/gpu/device.ts";

/** AdamW's hyperparameters (per parameter group): lr, betas, eps, decoupled weight decay. */
export type AdamWOptions = {
  lr: number;
  betas: readonly [number, number];
  eps: number;
  /** Decoupled: p -= lr·wd·p before the Adam step, never mixed into the moments. */
  weightDecay: number;
};
/** AdamW's state per parameter: the step count and both moment estimates. */
export type AdamWState = { step: number; expAvg: Tensor; expAvgSq: Tensor };

/**
 * Per element at step t:  p *= 1 - lr·wd;  m = β1·m + (1-β1)·g;  v = β2·v + (1-β2)·g²;
 * p -= lr/(1-β1ᵗ) · m / (√v / √(1-β2ᵗ) + eps)   (torch's order of operations, eps outside the correction).
 */
export class AdamW extends Optimizer<AdamWOptions, AdamWState> {
  constructor(params: ParamsInput<AdamWOptions>, options: Partial<AdamWOptions> = {}) {
    const defaults: AdamWOptions = { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, ...options };
    const [b1, b2] = defaults.betas;
    if (!(b1 >= 0 && b1 < 1 && b2 >= 0 && b2 < 1)) throw new EngineError("AdamW", `betas must be in [0, 1), got [${b1}, ${b2}]`);
    super("AdamW", params, defaults);
  }

  protected update(p: TypedArray, g: TypedArray, group: ParamGroup<AdamWOptions>, state: AdamWState | undefined, param: Tensor): AdamWState {
    const s = state ?? this.stateTemplate(param);
    s.step += 1;
    const { lr, eps, weightDecay } = group;
    const [b1, b2] = group.betas;
    const stepSize = lr / (1 - b1 ** s.step);
    const correction2Sqrt = Math.sqrt(1 - b2 ** s.step);
    const m = s.expAvg.storage;
    const v = s.expAvgSq.storage;
    for (let i = 0; i < p.length; i++) {
      p[i] *= 1 - lr * weightDecay;
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2Sqrt + eps);
    }
    return s;
  }

  protected override updateOnDevice(dev: GpuDevice, p: Tensor, g: Tensor, group: ParamGroup<AdamWOptions>, state: AdamWState | undefined): AdamWState | null {
    const s = state ?? this.stateTemplate(p);
    if (s.expAvg.dtype !== "float32") return null;
    s.step += 1;
    const [beta1, beta2] = group.betas;
    const [p2, m2, v2] = dev.call("adamw", [on(p, dev), on(g, dev), on(s.expAvg, dev), on(s.expAvgSq, dev), p.numel,
      { lr: group.lr, beta1, beta2, eps: group.eps, weightDecay: group.weightDecay, step: s.step }], [p.numel, p.numel, p.numel]);
    p.buf.assignDevice(p2!);
    s.expAvg.buf.assignDevice(m2!);
    s.expAvgSq.buf.assignDevice(v2!);
    return s;
  }

  protected stateTemplate(p: Tensor): AdamWState {
    return { step: 0, expAvg: zeros(p.shape, p.dtype), expAvgSq: zeros(p.shape, p.dtype) };
  }
}
