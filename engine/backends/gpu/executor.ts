// Runs kernel-library calls against a table of live handles. The same code serves the synchronous
// GL backends (driven by runSync) and WebGPU inside the device worker (driven by runAsync).
import { EngineError } from "../../errors.ts";
import { GpuBuffer, mapLeaves, type WireBuffer } from "./device.ts";

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
    // Live GpuBuffers (synchronous devices) and their wire form (from the main thread) both name a handle.
    const resolved = args.map((a) => mapLeaves(a, (v) =>
      v instanceof GpuBuffer ? this.handle(v.id, method) : "__gpuBuffer" in v ? this.handle((v as WireBuffer).__gpuBuffer, method) : undefined));
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

  private handle(id: number, op: string): unknown {
    const h = this.#handles.get(id);
    if (h === undefined) throw new EngineError("gpu", `${op}: device buffer #${id} does not exist (freed, or its producing kernel failed)`);
    return h;
  }
}
