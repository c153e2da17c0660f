// nn.Module: parameters, buffers and children found by walking own properties; state dicts with dotted names.
import { Tensor } from "../tensor.ts";
import { ShapeError, fmtShape } from "../errors.ts";

export type StateDict = Record<string, Tensor>;

/**
 * A parameter is any trainable Tensor property (requiresGrad); a child is any Module property
 * (arrays of modules count too: ModuleList). Property names are the checkpoint keys, so a layer
 * named `attention.self.query` in HF is reached by the same path here. Buffers are registered
 * explicitly (registerBuffer) because they are not trainable. State that must stay out of the
 * walk lives in #private fields.
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
    if (b === undefined) throw new ShapeError("getBuffer", `no buffer named ${name}`);
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

  *namedModules(prefix = ""): Generator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.namedChildren()) yield* child.namedModules(prefix ? `${prefix}.${name}` : name);
  }

  /** Trainable tensors with dotted names, each once even if shared. */
  *namedParameters(prefix = "", seen = new Set<Tensor>()): Generator<[string, Tensor]> {
    for (const [key, value] of Object.entries(this)) {
      if (value instanceof Tensor && value.requiresGrad && !seen.has(value)) {
        seen.add(value);
        yield [prefix ? `${prefix}.${key}` : key, value];
      }
    }
    for (const [name, child] of this.namedChildren()) yield* child.namedParameters(prefix ? `${prefix}.${name}` : name, seen);
  }
  parameters(): Tensor[] { return [...this.namedParameters()].map(([, p]) => p); }

  *namedBuffers(prefix = ""): Generator<[string, Tensor]> {
    for (const [key, value] of this.#buffers) yield [prefix ? `${prefix}.${key}` : key, value];
    for (const [name, child] of this.namedChildren()) yield* child.namedBuffers(prefix ? `${prefix}.${name}` : name);
  }

  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.#training = mode;
    return this;
  }
  eval(): this { return this.train(false); }

  zeroGrad(): void { for (const p of this.parameters()) p.grad = null; }

  /** Parameters and buffers by dotted name (the tensors themselves, not copies). */
  stateDict(): StateDict {
    const sd: StateDict = {};
    for (const [k, v] of this.namedParameters()) sd[k] = v;
    for (const [k, v] of this.namedBuffers()) sd[k] = v;
    return sd;
  }

  /**
   * Copies values in by name. With strict (default) any missing, unexpected or shape-mismatched
   * key is an error listing all three groups; non-strict loads what matches and returns the rest.
   */
  loadStateDict(sd: StateDict, options: { strict?: boolean } = {}): { missing: string[]; unexpected: string[]; mismatched: string[] } {
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
      target.storage.set(src.dtype === target.dtype ? src.storage : Array.from(src.storage));
    }
    return { missing, unexpected, mismatched };
  }
}
