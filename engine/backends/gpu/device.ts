// The gpu backend's device: tensors' buffers live here and kernels are called on them by name.
// Calls are synchronous and return buffers at once; on WebGPU the work behind them is still pending
// and only a read waits for it, so a chain of kernels never round-trips through the host.
import type { Device, DeviceBuffer } from "../../storage.ts";

export class GpuBuffer implements DeviceBuffer {
  constructor(readonly id: number, readonly length: number, readonly device: GpuDevice) {}
}

/** Counters that make the backend's behaviour visible: what ran on the device and what fell back. */
export interface GpuStats {
  kernelCalls: number;
  uploads: number;
  /** Blocking device → host reads (each is a sync point; `await t.data()` is counted in asyncReads). */
  syncReads: number;
  asyncReads: number;
  /** Device buffers alive now (uploaded or produced, not yet freed). */
  liveBuffers: number;
  /** Ops that ran on the CPU backend while the gpu backend was active, by op name. */
  fallbacks: Record<string, number>;
}

export const emptyStats = (): GpuStats => ({ kernelCalls: 0, uploads: 0, syncReads: 0, asyncReads: 0, liveBuffers: 0, fallbacks: {} });

export interface GpuDevice extends Device {
  /** The gpu.js mode it was opened with (webgpu, webgl2, webgl, headlessgl, cpu). */
  readonly mode: string;
  /** The gpu.js kernel class that really runs: WebGPUKernel, WebGL2Kernel, HeadlessGLKernel, CPUKernel. */
  readonly kernel: string;
  /** The adapter or context the kernels run on, as the driver describes it. */
  readonly adapter: string;
  readonly stats: GpuStats;
  /**
   * Runs kernel-library method `method` (see kernels/) on `args`, where GpuBuffers stand for device data
   * (also inside plain objects and arrays); returns one new buffer per entry of outLengths (null: not wanted).
   */
  call(method: string, args: readonly unknown[], outLengths: readonly (number | null)[]): (GpuBuffer | null)[];
  destroy(): Promise<void>;
}

/** Replaces every GpuBuffer inside args (arrays and plain objects included) by f(buffer). */
export function mapBuffers(value: unknown, f: (b: GpuBuffer) => unknown): unknown {
  if (value instanceof GpuBuffer) return f(value);
  if (Array.isArray(value)) return value.map((v) => mapBuffers(v, f));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapBuffers(v, f)]));
  }
  return value;
}
