// A device whose gpu.js kernels answer synchronously: WebGL2 / WebGL in a browser, headless GL in Node,
// and gpu.js's own cpu mode (a slow stand-in used to test the plumbing without a GPU).
import { DeviceError } from "../../errors.ts";
import { GpuBuffer, emptyStats, type GpuDevice, type GpuStats, type LibArgs, type LibMethod } from "./device.ts";
import { Executor } from "./executor.ts";
import { runSync } from "./generators.ts";
import type { GpuKernels } from "./kernels.ts";

export class SyncGpuDevice implements GpuDevice {
  readonly stats: GpuStats = emptyStats();
  readonly #exec: Executor;
  #next = 1;

  constructor(lib: GpuKernels, readonly mode: string, readonly adapter: string, private readonly destroyGpu: () => Promise<void>) {
    this.#exec = new Executor(lib);
  }

  get kernel(): string { return this.#exec.lib.kernelName; }

  upload(data: Float32Array): GpuBuffer {
    const b = new GpuBuffer(this.#next++, data.length, this);
    runSync(this.#exec.upload(b.id, data));
    this.stats.uploads++;
    this.stats.liveBuffers++;
    return b;
  }

  alloc(n: number): GpuBuffer {
    this.stats.liveBuffers++;
    return new GpuBuffer(this.#next++, n, this);
  }

  call<M extends LibMethod>(method: M, args: LibArgs<M>, outs: readonly (GpuBuffer | null)[]): void {
    runSync(this.#exec.call(method, args, outs.map((b) => b?.id ?? null)));
    this.stats.kernelCalls++;
  }

  readSync(b: GpuBuffer): Float32Array {
    const r = this.#exec.read(b.id);
    if (r instanceof Promise) throw new DeviceError("gpu", `${this.kernel} reads asynchronously; use await t.data()`);
    this.stats.syncReads++;
    return r;
  }

  async read(b: GpuBuffer): Promise<Float32Array> {
    this.stats.asyncReads++;
    return await this.#exec.read(b.id);
  }

  free(b: GpuBuffer): void {
    this.#exec.free(b.id);
    this.stats.liveBuffers--;
  }

  async destroy(): Promise<void> { await this.destroyGpu(); }
}
