// Reverse-mode autograd: graph nodes recorded by ops, an iterative topological sort, backward(), noGrad().
import type { Tensor } from "./tensor.ts";
import { noteResult } from "./backends/registry.ts";
import { scopes, type Storage } from "./storage.ts";
import type { DType } from "./dtype.ts";
import { AutogradError, NonFiniteError, fmtShape } from "./errors.ts";
import { shapesEqual } from "./shape.ts";

/** A gradient stored on a tensor outlives the tidy() scope it was computed in. */
function keepGrad(g: Tensor): Tensor {
  g.buf.escapeScopes();
  return g;
}

/** Given the gradient of the output, returns one gradient per input (null where not needed). */
export type BackwardFn = (grad: Tensor, needs: readonly boolean[]) => readonly (Tensor | null | undefined)[];

/** How a non-leaf tensor was made: the op, its inputs, and the rule to push a gradient back. */
export class Node {
  #backward: BackwardFn | null;
  constructor(readonly op: string, readonly inputs: readonly Tensor[], backward: BackwardFn) {
    this.#backward = backward;
  }
  get freed(): boolean { return this.#backward === null; }
  apply(grad: Tensor, needs: readonly boolean[]): readonly (Tensor | null | undefined)[] {
    if (this.#backward === null) {
      throw new AutogradError(this.op, "trying to backward through the graph a second time (its saved tensors were freed); pass { retainGraph: true } to the first backward()");
    }
    return this.#backward(grad, needs);
  }
  /** Drops the closure and with it every saved tensor. */
  free(): void { this.#backward = null; }
}

let gradEnabled = true;
let trapNonFinite = false;

/** Whether ops record the autograd graph now (false inside noGrad). */
export const isGradEnabled = (): boolean => gradEnabled;

/** Runs fn without recording a graph (torch.no_grad). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try { return fn(); } finally { gradEnabled = prev; }
}

/** Runs fn with recording on, e.g. inside a noGrad block. */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try { return fn(); } finally { gradEnabled = prev; }
}

/** When on, every op checks its output and throws NonFiniteError naming the op that made a NaN or Inf. */
export function setDebugNaN(on: boolean): void { trapNonFinite = on; }

/**
 * Every op ends here: attaches the backward rule when any input needs a gradient,
 * and (in debug mode) checks the output for NaN/Inf.
 */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: BackwardFn): Tensor {
  noteResult(op, out, inputs); // counts host work while a device is active: visible fallbacks
  if (trapNonFinite && out.isFloatingPoint()) {
    const data = out.storage;
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new NonFiniteError(op, `produced ${data[i]} at flat index ${i} of its output ${fmtShape(out.shape)}`);
      }
    }
  }
  if (gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.gradFn = new Node(op, inputs, backward);
    out.requiresGrad = true;
  }
  return out;
}

/** Options of backward(): keep the graph for another backward, or build one for higher-order gradients. */
export interface BackwardOptions {
  /** Keep saved tensors so backward can run through this graph again; defaults to createGraph, as in PyTorch. */
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Tensors reachable from root through nodes, in an order where every tensor precedes its inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: [Tensor, number][] = [[root, 0]];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const inputs = top[0].gradFn?.inputs ?? [];
    if (top[1] < inputs.length) {
      const next = inputs[top[1]++];
      if (next.requiresGrad && !visited.has(next)) { visited.add(next); stack.push([next, 0]); }
    } else {
      stack.pop();
      order.push(top[0]);
    }
  }
  return order.reverse();
}

export function backward(root: Tensor, grad: Tensor | undefined, options: BackwardOptions, ops: GradOps): void {
  if (!root.requiresGrad) {
    throw new AutogradError("backward", `tensor of shape ${fmtShape(root.shape)} does not require grad and has no grad_fn`);
  }
  if (grad === undefined) {
    if (root.numel !== 1) {
      throw new AutogradError("backward", `grad can be implicitly created only for scalar outputs, got shape ${fmtShape(root.shape)}; pass the upstream gradient explicitly`);
    }
    grad = ops.onesLike(root);
  } else if (grad.shape.length !== root.shape.length || grad.shape.some((d, i) => d !== root.shape[i])) {
    // As in PyTorch: the same element count in another shape (a transpose, a flattening) is a mistake, not a reshape.
    throw new AutogradError("backward", `gradient of shape ${fmtShape(grad.shape)} does not match tensor of shape ${fmtShape(root.shape)}`);
  }
  // The graph of a createGraph backward refers to this graph's saved outputs, so it must outlive the pass.
  const retain = options.retainGraph ?? options.createGraph ?? false;
  // Gradients this pass made itself (sums of two contributions) are referenced by nothing else: they take
  // further contributions in place. A createGraph pass records every sum instead.
  const inPlace = !options.createGraph;
  const owned = new Set<Tensor>();
  // Memory is freed as soon as backward is done with it, as PyTorch frees a buffer whose last reference
  // drops (docs/MEMORY.md): every storage a rule or a sum made in this pass (`made`) is released once no
  // pending gradient and no stored .grad (`stored`) shares it. A createGraph pass frees nothing: its
  // gradients are part of the graph it records.
  const made = new Set<Storage>();
  const stored = new Set<Storage>();
  const grads = new Map<Tensor, Tensor>();
  const drop = (t: Tensor): void => {
    if (!inPlace || !made.has(t.buf) || stored.has(t.buf)) return;
    for (const x of grads.values()) if (x.buf === t.buf) return;
    made.delete(t.buf);
    t.buf.release();
  };
  const sum = (a: Tensor, b: Tensor): Tensor => {
    if (inPlace && owned.has(a) && ops.accumulateInto(a, b)) return a;
    const s = ops.add(a, b);
    if (inPlace) { owned.add(s); made.add(s.buf); }
    return s;
  };
  // A rule's temporaries (transposes, partial products) die with it: what it made and does not return is
  // freed when it returns. Only where its graph is freed too: a retained graph's rules may run again.
  const scoped = inPlace && !retain;
  const apply = (node: Node, g: Tensor, needs: readonly boolean[]): readonly (Tensor | null | undefined)[] => {
    if (!scoped) return node.apply(g, needs);
    const scope = new Set<Storage>();
    scopes.push(scope);
    let out: readonly (Tensor | null | undefined)[];
    try {
      out = node.apply(g, needs);
    } finally {
      scopes.splice(scopes.lastIndexOf(scope), 1);
    }
    const results = new Set(out.flatMap((x) => (x ? [x.buf] : [])));
    const outer = scopes.at(-1);
    for (const s of scope) {
      if (!results.has(s)) s.release();
      else { made.add(s); outer?.add(s); }
    }
    return out;
  };
  const run = (): void => {
    grads.set(root, ops.to(ops.reshape(ops.detach(grad!), root.shape), root.dtype));
    for (const t of topologicalOrder(root)) {
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      const node = t.gradFn;
      if (node === null || t.retainsGrad) {
        const old = t.grad;
        if (old === null) {
          // A buffer of its own, so in-place edits of one .grad (clipping) never alias another tensor's.
          t.grad = keepGrad(owned.has(g) ? g : ops.clone(g));
          stored.add(t.grad.buf);
        } else if (!(inPlace && ops.accumulateInto(old, g))) {
          t.grad = keepGrad(ops.add(old, g));
          stored.add(t.grad.buf);
          // The replaced gradient belongs to t alone; free its memory now (a createGraph pass may still refer to it).
          if (inPlace) old.buf.release();
        }
      }
      if (node === null) { drop(g); continue; }
      const needs = node.inputs.map((x) => x.requiresGrad);
      const inputGrads = apply(node, g, needs);
      if (!retain) node.free();
      const consumed: Tensor[] = [g];
      node.inputs.forEach((input, i) => {
        const raw = inputGrads[i];
        if (!needs[i] || raw === null || raw === undefined) return;
        if (raw.numel !== input.numel) {
          throw new AutogradError(node.op, `backward produced a gradient of shape ${fmtShape(raw.shape)} for an input of shape ${fmtShape(input.shape)}`);
        }
        // A gradient takes its input's shape and dtype (a float32 input of a float64 op gets a float32 grad).
        const shaped = shapesEqual(raw.shape, input.shape) ? raw : ops.reshape(raw, input.shape);
        const gi = shaped.dtype === input.dtype ? shaped : ops.to(shaped, input.dtype);
        const prev = grads.get(input);
        const next = prev === undefined ? gi : sum(prev, gi);
        grads.set(input, next);
        if (prev !== undefined && next !== prev) consumed.push(prev);
        if (next !== gi) consumed.push(gi);
      });
      // What was consumed is garbage now, unless it became a .grad or is still pending (passed on unchanged).
      for (const c of consumed) drop(c);
      owned.delete(g);
    }
  };
  if (options.createGraph) enableGrad(run);
  else noGrad(run);
}

/** The few ops backward itself needs, passed in to keep this file free of import cycles. */
export interface GradOps {
  onesLike(t: Tensor): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  /** dst += src in place, unrecorded; false (changing nothing) where it cannot, e.g. for device tensors. */
  accumulateInto(dst: Tensor, src: Tensor): boolean;
  clone(t: Tensor): Tensor;
  detach(t: Tensor): Tensor;
  reshape(t: Tensor, shape: readonly number[]): Tensor;
  to(t: Tensor, dtype: DType): Tensor;
}
