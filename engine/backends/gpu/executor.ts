// Runs kernel-library calls against a table of live handles. The same code serves the synchronous
// GL backends (driven by runSync) and WebGPU inside the device worker (driven by runAsync).
import { EngineError } from "../../errors.ts";

/** The kernel library as the executor sees it: generator methods over gpu.js handles, plus read and free. */
export interface KernelLibrary {
  readonly kernelName: string;
  upload(data: Float32Array): Generator<unknown, unknown, unknown>;
  read(handle: unknown): Float32Array | Promise<Float32Array>;
  free(handle: unknown): void;
}

export class Executor {
  readonly #handles = new Map<number, unknown>();
  constructor(readonly lib: KernelLibrary) {}

  *upload(id: number, data: Float32Array): Generator<unknown, void, unknown> {
    this.#handles.set(id, yield* this.lib.upload(data));
  }

  *call(method: string, args: readonly unknown[], outs: readonly (number | null)[]): Generator<unknown, void, unknown> {
    const fn = (this.lib as unknown as Record<string, unknown>)[method];
    if (typeof fn !== "function") throw new EngineError("gpu", `the kernel library has no method ${method}`);
    const resolved = args.map((a) => resolve(a, (id) => this.handle(id, method)));
    const result = yield* (fn as (...a: unknown[]) => Generator<unknown, unknown, unknown>).apply(this.lib, resolved);
    const list = outs.length === 1 && !Array.isArray(result) ? [result] : (result as unknown[]);
    outs.forEach((id, i) => {
      if (id === null) { if (list[i] != null) this.lib.free(list[i]); return; }
      if (list[i] == null) throw new EngineError("gpu", `${method} returned no output #${i}`);
      this.#handles.set(id, list[i]);
    });
  }

  read(id: number): Float32Array | Promise<Float32Array> { return this.lib.read(this.handle(id, "read")); }

  free(id: number): void {
    const h = this.#handles.get(id);
    if (h === undefined) return;
    this.#handles.delete(id);
    this.lib.free(h);
  }

  get live(): number { return this.#handles.size; }

  private handle(id: number, op: string): unknown {
    const h = this.#handles.get(id);
    if (h === undefined) throw new EngineError("gpu", `${op}: device buffer #${id} does not exist (freed, or its producing kernel failed)`);
    return h;
  }
}

/** Serialised buffers are {__gpuBuffer: id}; live ones are GpuBuffer objects; both carry an id. */
function resolve(value: unknown, handle: (id: number) => unknown): unknown {
  if (value !== null && typeof value === "object") {
    if ("__gpuBuffer" in value) return handle((value as { __gpuBuffer: number }).__gpuBuffer);
    if ("id" in value && "device" in value && "length" in value) return handle((value as { id: number }).id);
    if (Array.isArray(value)) return value.map((v) => resolve(v, handle));
    if (Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, handle)]));
    }
  }
  return value;
}
