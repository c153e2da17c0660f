// Containers: ModuleList (children named 0, 1, ... as torch) and Sequential built on it.
import { Tensor } from "../tensor.ts";
import { IndexError } from "../errors.ts";
import { Module } from "./module.ts";

/** Anything with forward(x) → x can be chained. */
export interface Layer { forward(x: Tensor): Tensor }

/**
 * An indexable list of modules. Its items are children named by index, so a property
 * `layers = new ModuleList(...)` gives checkpoint keys `layers.0.weight`, as torch's nn.ModuleList.
 * (A plain array property gives the same keys; use this class when the list itself is a child.)
 */
export class ModuleList<M extends Module = Module> extends Module {
  #items: M[];
  constructor(modules: Iterable<M> = []) {
    super();
    this.#items = [...modules];
  }
  get length(): number { return this.#items.length; }
  /** Item i; negative i counts from the end. */
  at(i: number): M {
    const item = this.#items.at(i);
    if (item === undefined) throw new IndexError("ModuleList.at", `index ${i} out of range for a list of ${this.#items.length} modules`);
    return item;
  }
  push(...modules: M[]): this {
    this.#items.push(...modules);
    return this;
  }
  [Symbol.iterator](): Iterator<M> { return this.#items[Symbol.iterator](); }
  override *namedChildren(): Generator<[string, Module]> {
    yield* super.namedChildren();
    for (const [i, m] of this.#items.entries()) yield [String(i), m];
  }
}

/** Chains layers; children are named 0, 1, ... so keys read `seq.0.weight` as in torch. */
export class Sequential extends ModuleList<Module & Layer> {
  constructor(...layers: (Module & Layer)[]) { super(layers); }
  /** The layers in order (a copy). */
  get layers(): (Module & Layer)[] { return [...this]; }
  forward(x: Tensor): Tensor {
    let h = x;
    for (const layer of this) h = layer.forward(h);
    return h;
  }
}
