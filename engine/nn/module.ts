// nn.Module: parameters, buffers and children found by walking own properties; state dicts with dotted names.
import { Tensor, fromStorage } from "../tensor.ts";
import { convert, isFloat, type DType } from "../dtype.ts";
import { DTypeError, ShapeError, fmtShape } from "../errors.ts";

/** Tensors by dotted attribute path, as stateDict() returns and loadStateDict() takes. */
export type StateDict = Record<string, Tensor>;

/** What loadStateDict did not load; strict mode throws instead of returning a non-empty one. */
export interface LoadResult { missing: string[]; unexpected: string[]; mismatched: string[] }

/**
 * A parameter is any floating-point Tensor property, trainable or frozen (requiresGrad false), as
 * torch keeps frozen parameters in parameters() and the state dict; a child is any Module property
 * (arrays of modules count too, named `key.0`, `key.1`, ...). Property names are the checkpoint keys,
 * so a layer named `attention.self.query` in HF is reached by the same path here. Buffers are
 * registered explicitly (registerBuffer) because they are not trainable. State that must stay out
 * of the walk (caches, index tensors) lives in #private fields.
 */
export class Module {
  #training = true;
  #buffers = new Map<string, Tensor>();

  get training(): boolean { return this.#training; }

  /** Registers non-trainable state (running stats, queues) saved with the state dict. */
  registerBuffer(name: string, value: Tensor): Tensor {
    this.#buffers.set(name, value);
    return value;
  }
  getBuffer(name: string): Tensor {
    const b = this.#buffers.get(name);
    if (b === undefined) throw new ShapeError("getBuffer", `no buffer named ${name}; registered: ${[...this.#buffers.keys()].join(", ") || "none"}`);
    return b;
  }
  /** Replaces a buffer's tensor (e.g. a queue after enqueue); shape must match. */
  setBuffer(name: string, value: Tensor): void {
    const old = this.getBuffer(name);
    if (old.shape.join() !== value.shape.join()) throw new ShapeError("setBuffer", `buffer ${name} has shape ${fmtShape(old.shape)}, got ${fmtShape(value.shape)}`);
    this.#buffers.set(name, value);
  }

  /** Direct children with their attribute names (array entries are named by index). */
  *namedChildren(): Generator<[string, Module]> {
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Module) yield [key, value];
      else if (Array.isArray(value)) {
        for (const [i, item] of value.entries()) if (item instanceof Module) yield [`${key}.${i}`, item];
      }
    }
  }
  *children(): Generator<Module> { for (const [, m] of this.namedChildren()) yield m; }

  /** This module and every descendant, pre-order, each once even if reachable by two paths (as torch). */
  *namedModules(prefix = "", seen = new Set<Module>()): Generator<[string, Module]> {
    if (seen.has(this)) return;
    seen.add(this);
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(join(prefix, name), seen);
  }
  *modules(): Generator<Module> { for (const [, m] of this.namedModules()) yield m; }

  /** Parameters with dotted names, each once even if shared; frozen ones included (filter on requiresGrad to train). */
  *namedParameters(prefix = ""): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [key, value] of Object.entries(m)) {
        if (value instanceof Tensor && value.isFloatingPoint() && !seen.has(value)) {
          seen.add(value);
          yield [join(path, key), value];
        }
      }
    }
  }
  parameters(): Tensor[] { return [...this.namedParameters()].map(([, p]) => p); }

  *namedBuffers(prefix = ""): Generator<[string, Tensor]> {
    const seen = new Set<Tensor>();
    for (const [path, m] of this.namedModules(prefix)) {
      for (const [key, value] of m.#buffers) {
        if (!seen.has(value)) { seen.add(value); yield [join(path, key), value]; }
      }
    }
  }

  train(mode = true): this {
    for (const m of this.modules()) m.#training = mode;
    return this;
  }
  eval(): this { return this.train(false); }

  /** Freezes (false) or unfreezes every parameter, as torch's module.requires_grad_(). */
  requiresGrad_(on = true): this {
    for (const p of this.parameters()) p.requiresGrad_(on);
    return this;
  }

  zeroGrad(): void { for (const p of this.parameters()) p.zeroGrad(); }

  /**
   * Converts every floating-point parameter and buffer to dtype. Parameters are replaced by new
   * tensors (a Tensor's dtype is fixed), so build optimizers after calling this. Shared
   * parameters stay shared; requiresGrad is kept; int32 tensors are left alone.
   */
  to(dtype: DType): this {
    if (!isFloat(dtype)) throw new DTypeError("Module.to", `parameters must stay floating point, got ${dtype}`);
    const replaced = new Map<Tensor, Tensor>();
    const cast = (t: Tensor): Tensor => {
      if (!t.isFloatingPoint() || t.dtype === dtype) return t;
      let out = replaced.get(t);
      if (out === undefined) {
        out = fromStorage(convert(t.storage, dtype), t.shape);
        if (t.requiresGrad) out.requiresGrad_();
        replaced.set(t, out);
      }
      return out;
    };
    for (const m of this.modules()) {
      for (const [key, value] of Object.entries(m)) if (value instanceof Tensor) Reflect.set(m, key, cast(value));
      for (const [key, value] of m.#buffers) m.#buffers.set(key, cast(value));
    }
    return this;
  }

  /** Parameters and buffers by dotted name (the tensors themselves, not copies). */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [k, v] of this.namedParameters()) sd[k] = v;
    for (const [k, v] of this.namedBuffers()) sd[k] = v;
    return sd;
  }

  /**
   * Copies values in by name (converting dtype). With strict (default) any missing, unexpected or
   * shape-mismatched key is an error listing all three groups; non-strict loads what matches and
   * returns the rest.
   */
  loadStateDict(sd: StateDict, options: { strict?: boolean } = {}): LoadResult {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    const mismatched = Object.keys(sd).filter((k) => k in own && own[k].shape.join() !== sd[k].shape.join())
      .map((k) => `${k}: checkpoint ${fmtShape(sd[k].shape)} vs model ${fmtShape(own[k].shape)}`);
    if (strict && (missing.length || unexpected.length || mismatched.length)) {
      throw new ShapeError("loadStateDict", `state dict does not match the model.\n  missing: ${missing.join(", ") || "none"}\n  unexpected: ${unexpected.join(", ") || "none"}\n  shape mismatch: ${mismatched.join("; ") || "none"}`);
    }
    for (const [k, target] of Object.entries(own)) {
      const src = sd[k];
      if (src === undefined || src.shape.join() !== target.shape.join()) continue;
      target.storage.set(convert(src.storage, target.dtype));
    }
    return { missing, unexpected, mismatched };
  }
}

/** Number of parameter elements, shared ones counted once; trainableOnly skips frozen ones. */
export function parameterCount(module: Module, options: { trainableOnly?: boolean } = {}): number {
  let n = 0;
  for (const p of module.parameters()) if (!options.trainableOnly || p.requiresGrad) n += p.numel;
  return n;
}

const join = (prefix: string, name: string): string => (prefix ? `${prefix}.${name}` : name);
