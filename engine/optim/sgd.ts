// SGD with momentum, dampening, Nesterov and (coupled) weight decay, as torch.optim.SGD.
import { EngineError } from "../errors.ts";
import { type Tensor, zeros } from "../tensor.ts";
import { Optimizer, type ParamGroup, type ParamsInput } from "./optimizer.ts";

/** SGD's hyperparameters (per parameter group): lr, momentum, dampening, Nesterov, weight decay. */
export type SGDOptions = {
  lr: number;
  momentum: number;
  dampening: number;
  /** L2 penalty added to the gradient (coupled, unlike AdamW). */
  weightDecay: number;
  nesterov: boolean;
};
/** momentumBuffer exists only when the group's momentum is nonzero (torch's momentum_buffer). */
export type SGDState = { momentumBuffer?: Tensor };

/**
 * Per element, with d = g + wd·p:  buf = d on the first step, else momentum·buf + (1 - dampening)·d;
 * d = nesterov ? d + momentum·buf : buf;  p -= lr·d.
 */
export class SGD extends Optimizer<SGDOptions, SGDState> {
  constructor(params: ParamsInput<SGDOptions>, options: Partial<SGDOptions> & { lr: number }) {
    const defaults: SGDOptions = { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...options };
    if (defaults.nesterov && (defaults.momentum <= 0 || defaults.dampening !== 0)) {
      throw new EngineError("SGD", "nesterov momentum requires a momentum > 0 and zero dampening");
    }
    super("SGD", params, defaults);
  }

  protected update(param: Tensor, grad: Tensor, group: ParamGroup<SGDOptions>, state: SGDState | undefined): SGDState {
    const [p, g] = [param.storage, grad.storage]; // on the host: work in doubles, store into the typed arrays
    const { lr, momentum, dampening, weightDecay, nesterov } = group;
    const first = momentum !== 0 && state?.momentumBuffer === undefined;
    const buf = momentum === 0 ? undefined : (state?.momentumBuffer ?? zeros(param.shape, param.dtype));
    const b = buf?.storage;
    for (let i = 0; i < p.length; i++) {
      let d = g[i] + weightDecay * p[i];
      if (b !== undefined) {
        b[i] = first ? d : momentum * b[i] + (1 - dampening) * d;
        d = nesterov ? d + momentum * b[i] : b[i];
      }
      p[i] -= lr * d;
    }
    return buf === undefined ? {} : { momentumBuffer: buf };
  }

  protected stateTemplate(p: Tensor, group: ParamGroup<SGDOptions>): SGDState {
    return group.momentum !== 0 ? { momentumBuffer: zeros(p.shape, p.dtype) } : {};
  }
}
