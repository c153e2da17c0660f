// gradcheck: analytic gradients from backward() against central finite differences.
import { noGrad } from "../autograd.ts";
import { Generator } from "../random.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { fmtShape } from "../errors.ts";

/** Options of gradcheck: finite-difference step and tolerances. */
export interface GradcheckOptions {
  /** Finite-difference step; 1e-6 suits float64 inputs, ~1e-3 float32. */
  eps?: number;
  atol?: number;
  rtol?: number;
}

/** gradcheck's failure: names the input and element whose analytic and numeric gradients differ. */
export class GradcheckError extends Error {
  override name = "GradcheckError";
}

/**
 * Checks d(Σ w·fn(inputs))/d(inputs) for a fixed random w against central differences,
 * for every element of every floating-point input. Returns true or throws GradcheckError
 * naming the input, the element, and both values. Run it on float64 inputs for tight tolerances.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: readonly Tensor[], options: GradcheckOptions = {}): true {
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const leaves = inputs.map((x) => {
    const leaf = fromStorage(x.storage.slice(), x.shape);
    return x.isFloatingPoint() ? leaf.requiresGrad_() : leaf;
  });
  const out = fn(...leaves);
  const gen = new Generator(1234);
  const weight = fromStorage(out.storage.map(() => gen.random() * 2 - 1), out.shape);
  const objective = (): number => {
    const o = noGrad(() => fn(...leaves)).storage;
    let acc = 0;
    for (let i = 0; i < o.length; i++) acc += o[i] * weight.storage[i];
    return acc;
  };
  if (out.requiresGrad) out.backward(weight);
  leaves.forEach((leaf, k) => {
    if (!leaf.isFloatingPoint()) return;
    const data = leaf.storage;
    for (let i = 0; i < data.length; i++) {
      const orig = data[i];
      data[i] = orig + eps;
      const plus = objective();
      data[i] = orig - eps;
      const minus = objective();
      data[i] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const analytic = leaf.grad === null ? 0 : leaf.grad.storage[i];
      if (!(Math.abs(analytic - numeric) <= atol + rtol * Math.abs(numeric))) {
        throw new GradcheckError(`gradcheck failed for input ${k} (shape ${fmtShape(leaf.shape)}) at flat index ${i}: analytic ${analytic}, numeric ${numeric}`);
      }
    }
  });
  return true;
}
