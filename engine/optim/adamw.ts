// AdamW (decoupled weight decay, bias-corrected moments), as torch.optim.AdamW without amsgrad.
import { EngineError } from "../errors.ts";
import { Tensor, zeros } from "../tensor.ts";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.ts";
import { dispatch } from "../backends/registry.ts";

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

  /** The `adamw` kernel of whichever backend holds the tensors (cpu reference: backends/cpu/adamw.ts). */
  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdamWOptions>, state: AdamWState | undefined): AdamWState {
    const s = state ?? this.stateTemplate(p);
    s.step += 1;
    const [beta1, beta2] = group.betas;
    const ex = dispatch("adamw", p.dtype, [p, g, s.expAvg, s.expAvgSq], p.numel);
    ex.kernels.adamw(ex.mut(p), ex.arg(g), ex.mut(s.expAvg), ex.mut(s.expAvgSq),
      { lr: group.lr, beta1, beta2, eps: group.eps, weightDecay: group.weightDecay, step: s.step });
    return s;
  }

  protected stateTemplate(p: Tensor): AdamWState {
    return { step: 0, expAvg: zeros(p.shape, p.dtype), expAvgSq: zeros(p.shape, p.dtype) };
  }
}
