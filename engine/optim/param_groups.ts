// paramGroupsNoDecay: the usual BERT/ViT split into a weight-decay group and a no-decay group.
import type { Tensor } from "../tensor.ts";
import type { Module } from "../nn/module.ts";

/** Biases, LayerNorm/norm weights and every 1-D parameter (norm scales, tokens' biases) skip weight decay, as in HF's run scripts. */
export function isNoDecay(name: string, p: Tensor): boolean {
  return p.ndim <= 1 || name.endsWith("bias") || /(^|\.)LayerNorm\.weight$/.test(name) || /(^|\.)norm[^.]*\.weight$/.test(name);
}

/**
 * [{ params: decayed, weightDecay }, { params: rest, weightDecay: 0 }] over the module's trainable
 * parameters, in namedParameters order; an empty group is left out. Pass straight to an optimizer.
 */
export function paramGroupsNoDecay(module: Module, weightDecay: number): { params: Tensor[]; weightDecay: number }[] {
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of module.namedParameters()) {
    if (!p.requiresGrad) continue;
    (isNoDecay(name, p) ? noDecay : decay).push(p);
  }
  return [{ params: decay, weightDecay }, { params: noDecay, weightDecay: 0 }].filter((g) => g.params.length > 0);
}
