// Runs kernel-library calls against a table of live handles. The same code serves the synchronous
// GL backends (driven by runSync) and WebGPU inside the device worker (driven by runAsync).
import { DeviceError } from "../../errors.ts";
import { GpuBuffer, mapLeaves, type LibMethod, type WireBuffer } from "./device.ts";
import type { GpuKernels, GpuHandle, GpuOp } from "./kernels.ts";

export class Executor {
  readonly #handles = new Map<number, GpuHandle>();
  constructor(readonly lib: GpuKernels) {}

  *upload(id: number, data: Float32Array): GpuOp<void> {
    this.#handles.set(id, yield* this.lib.upload(data));
  }

  /** Runs `method`; its outputs become buffers `outs` (null: freed now). An id already bound is rebound (in place). */
  *call(method: LibMethod, args: readonly unknown[], outs: readonly (number | null)[]): GpuOp<void> {
    // Live GpuBuffers (synchronous devices) and their wire form (from the main thread) both name a handle.
    const resolved = args.map((a) => mapLeaves(a, (v) =>
      v instanceof GpuBuffer ? this.handle(v.id, method) : "__gpuBuffer" in v ? this.handle((v as WireBuffer).__gpuBuffer, method) : undefined));
    // The method is named by a checked key; its arguments were checked against its signature by the caller.
    const fn = this.lib[method] as (...a: unknown[]) => GpuOp<GpuHandle | (GpuHandle | null)[]>;
    const result = yield* fn.apply(this.lib, resolved);
    const list = outs.length === 1 && !Array.isArray(result) ? [result] : (result as (GpuHandle | null)[]);
    outs.forEach((id, i) => {
      if (id === null) { if (list[i] != null) this.lib.free(list[i]); return; }
      if (list[i] == null) throw new DeviceError(`gpu ${method}`, `returned no output #${i}`);
      const old = this.#handles.get(id);
      this.#handles.set(id, list[i]!);
      if (old !== undefined && old !== list[i]) this.lib.free(old);
    });
  }

  read(id: number): Float32Array | Promise<Float32Array> { return this.lib.read(this.handle(id, "read")); }

  free(id: number): void {
    const h = this.#handles.get(id);
    if (h === undefined) return;
    this.#handles.delete(id);
    this.lib.free(h);
  }

  private handle(id: number, op: string): GpuHandle {
    const h = this.#handles.get(id);
    if (h === undefined) throw new DeviceError(`gpu ${op}`, `device buffer #${id} does not exist (freed, or its producing kernel failed)`);
    return h;
  }
}
