// clipGradNorm: rescales gradients in place so their joint norm is at most maxNorm (torch.nn.utils.clip_grad_norm_).
import { NonFiniteError } from "../errors.ts";
import type { Tensor } from "../tensor.ts";
import { noGrad } from "../autograd.ts";
import { onDevice } from "../backends/registry.ts";

/**
 * The norm of all grads taken together (as if concatenated; Infinity = max |g|). When it exceeds
 * maxNorm every grad is multiplied by maxNorm / (norm + 1e-6), torch's formula. Parameters without
 * a grad are ignored. Returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number, normType = 2, options: { errorIfNonfinite?: boolean } = {}): number {
  const grads = [...params].flatMap((p) => (p.grad === null ? [] : [p.grad]));
  if (grads.length === 0) return 0;
  if (normType === 2 && onDevice(...grads)) return clipOnDevice(grads, maxNorm, options);
  let total = 0;
  if (normType === Infinity) {
    for (const g of grads) for (const v of g.storage) total = Math.max(total, Math.abs(v)); // a NaN sticks, as torch's max
  } else {
    for (const g of grads) for (const v of g.storage) total += Math.abs(v) ** normType;
    total **= 1 / normType;
  }
  if (options.errorIfNonfinite && !Number.isFinite(total)) {
    throw new NonFiniteError("clipGradNorm", `the total norm of order ${normType} of the gradients is ${total}; pass errorIfNonfinite: false to clip anyway`);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1); // NaN propagates into the grads, as torch
  if (coef !== 1) for (const g of grads) for (let i = 0; i < g.storage.length; i++) g.storage[i] *= coef;
  return total;
}

/** The 2-norm on the gpu device: one scalar read back, the scaling done by a kernel per grad. */
function clipOnDevice(grads: Tensor[], maxNorm: number, options: { errorIfNonfinite?: boolean }): number {
  return noGrad(() => {
    const total = Math.sqrt(grads.map((g) => g.mul(g).sum()).reduce((a, b) => a.add(b)).item());
    if (options.errorIfNonfinite && !Number.isFinite(total)) {
      throw new NonFiniteError("clipGradNorm", `the total norm of order 2 of the gradients is ${total}; pass errorIfNonfinite: false to clip anyway`);
    }
    const coef = Math.min(maxNorm / (total + 1e-6), 1);
    if (coef !== 1) for (const g of grads) g.buf.adopt(g.mul(coef).buf);
    return total;
  });
}
