// The gpu backend's device: tensors' buffers live here and kernel-library methods are called on them.
// Calls are synchronous and write into buffers reserved beforehand (alloc); on WebGPU the work behind them
// is still pending and only a read waits for it, so a chain of kernels never round-trips through the host.
import type { Device, DeviceBuffer } from "../../storage.ts";
import type { GpuKernels, GpuOp } from "./kernels.ts";
import type { GpuStats } from "./stats.ts";

export class GpuBuffer implements DeviceBuffer {
  constructor(readonly id: number, readonly length: number, readonly device: GpuDevice) {}
}

/** The kernel-library methods a call may name: every generator method but upload. */
export type LibMethod = Exclude<{ [K in keyof GpuKernels]: GpuKernels[K] extends (...a: never[]) => GpuOp<unknown> ? K : never }[keyof GpuKernels], "upload">;
/** A method's arguments; GpuBuffers (also inside score views) stand where the library takes handles. */
export type LibArgs<M extends LibMethod> = Parameters<GpuKernels[M]>;

// The counters live in stats.ts, which imports nothing from gpu.js, so backendInfo()'s type needs no gpu.js types.
export { emptyStats, type GpuStats } from "./stats.ts";

export interface GpuDevice extends Device {
  /** The gpu.js mode it was opened with (webgpu, webgl2, webgl, headlessgl, cpu). */
  readonly mode: string;
  /** The gpu.js kernel class that really runs: WebGPUKernel, WebGL2Kernel, HeadlessGLKernel, CPUKernel. */
  readonly kernel: string;
  /** The adapter or context the kernels run on, as the driver describes it. */
  readonly adapter: string;
  readonly stats: GpuStats;
  /** A buffer of n floats for a call to write (no device work: its contents exist once a call wrote them). */
  alloc(n: number): GpuBuffer;
  upload(data: Float32Array): GpuBuffer;
  /**
   * Runs kernel-library method `method` (see kernels.ts) on `args` and binds its outputs, in order, to `outs`
   * (null: not wanted, freed at once). A buffer in `outs` that already holds data (an input of the same call)
   * is updated in place: it is rebound to the new data and the old data is freed.
   */
  call<M extends LibMethod>(method: M, args: LibArgs<M>, outs: readonly (GpuBuffer | null)[]): void;
  destroy(): Promise<void>;
}

/** The wire form of a GpuBuffer inside a message to the device worker. */
export interface WireBuffer { __gpuBuffer: number }

/**
 * Rebuilds call arguments with every object `f` claims replaced by what it returns (undefined: not
 * claimed); arrays and plain objects are walked, anything else (numbers, typed arrays) is kept as is.
 */
export function mapLeaves(value: unknown, f: (v: object) => unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const claimed = f(value);
  if (claimed !== undefined) return claimed;
  if (Array.isArray(value)) return value.map((v) => mapLeaves(v, f));
  if (Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapLeaves(v, f)]));
  }
  return value;
}
