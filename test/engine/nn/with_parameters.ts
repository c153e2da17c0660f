// Test helper: runs a module with some parameters swapped for given tensors, so gradcheck can perturb them.
import type { Tensor } from "../../../engine/index.ts";
import { nn } from "../../../engine/index.ts";

/**
 * Returns fn(...tensors) for gradcheck: the first tensors go to `body` as inputs, the last
 * names.length replace the named parameters while body runs (restored afterwards).
 */
export function withParameters(module: nn.Module, names: string[], body: (inputs: Tensor[]) => Tensor): (...xs: Tensor[]) => Tensor {
  const owners = new Map([...module.namedModules()]);
  const slots = names.map((name) => {
    const cut = name.lastIndexOf(".");
    const owner = owners.get(cut < 0 ? "" : name.slice(0, cut));
    if (owner === undefined) throw new Error(`[withParameters] no module owns ${name}`);
    return { owner, key: name.slice(cut + 1) };
  });
  return (...xs: Tensor[]): Tensor => {
    const inputs = xs.slice(0, xs.length - names.length);
    const params = xs.slice(xs.length - names.length);
    const saved: unknown[] = slots.map(({ owner, key }) => Reflect.get(owner, key));
    slots.forEach(({ owner, key }, i) => Reflect.set(owner, key, params[i]));
    try { return body(inputs); } finally { slots.forEach(({ owner, key }, i) => Reflect.set(owner, key, saved[i])); }
  };
}
