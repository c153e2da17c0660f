// Which backend runs kernels now; missing kernels fall back to the cpu reference here, in one place.
// The CPU backend uses the wasm SIMD kernels where WebAssembly SIMD validates, the plain TypeScript
// reference kernels otherwise (or with AETNET_BACKEND=reference). The gpu backend (`await setBackend('gpu')`)
// keeps float32 tensors on a gpu.js device and runs the ops that have device kernels there; everything
// else runs on the CPU backend, counted in backendInfo().fallbacks. Chosen lazily: importing has no side effects.
import type { Backend, KernelTable } from "./backend.ts";
import { cpuBackend, cpuKernels } from "./cpu/index.ts";
import { wasmBackend, wasmRuntime } from "./wasm/index.ts";
import { allocResident, freeResident } from "./wasm/tensor_memory.ts";
import { setFloat32Memory } from "../dtype.ts";
import type { GpuDevice } from "./gpu/device.ts";
import { EngineError } from "../errors.ts";

let current: Backend | undefined;
let table: KernelTable = cpuKernels;
let gpu: GpuDevice | null = null;

// Float32 storage follows the kernels: in wasm memory while the wasm backend runs them (also under the gpu
// backend, for the ops that fall back), on the JS heap on the reference backend. Arrays made in wasm memory
// can always be freed there, whatever the backend is by then.
setFloat32Memory({
  alloc: (n, zero) => (currentBackend().name === "wasm" ? allocResident(wasmRuntime(), n, zero) : null),
  free: freeResident,
});

/** An environment variable, or undefined where there is no process (a browser page). */
export const env = (name: string): string | undefined => (typeof process === "undefined" ? undefined : process.env?.[name]);

export function useBackend(backend: Backend): void {
  current = backend;
  table = { ...cpuKernels, ...backend.kernels };
}

/** wasm unless AETNET_BACKEND=reference or the runtime lacks WebAssembly SIMD. */
export function defaultBackend(): Backend {
  return (env("AETNET_BACKEND") !== "reference" && wasmBackend()) || cpuBackend;
}

export const currentBackend = (): Backend => {
  if (!current) useBackend(defaultBackend());
  return current!;
};

/** The kernels ops dispatch to: the current backend's, completed by cpu's. */
export const kernels = (): KernelTable => {
  if (!current) useBackend(defaultBackend());
  return table;
};

/** The gpu device while the gpu backend is active (and not suspended). */
export const gpuDevice = (): GpuDevice | null => (suspended ? null : gpu);
let suspended = false;

/** Runs fn with the gpu backend's device set aside: ops inside run on the CPU backend (parity references). */
export function onCpu<T>(fn: () => T): T {
  const was = suspended;
  suspended = true;
  try { return fn(); } finally { suspended = was; }
}

export type BackendName = "cpu" | "reference" | "gpu";

export interface BackendOptions {
  /** gpu.js mode for the gpu backend: webgpu (Node default, through Dawn), webgl2 (browser default), webgl, headlessgl, cpu. */
  mode?: string;
}

export interface BackendInfo {
  name: "cpu" | "gpu";
  /** cpu: the kernel set (wasm-simd or reference); gpu: the gpu.js kernel class that really runs. */
  kernel: string;
  adapter?: string;
  /** gpu only: kernel calls, uploads, reads and per-op CPU fallbacks since the backend started. */
  stats?: GpuDevice["stats"];
}

/**
 * Selects the backend: 'cpu' (wasm SIMD kernels where available), 'reference' (plain TypeScript kernels)
 * or 'gpu' (gpu.js; async because the device must be opened). Leaving 'gpu' destroys its device.
 */
export async function setBackend(name: BackendName, opts: BackendOptions = {}): Promise<BackendInfo> {
  if (name !== "cpu" && name !== "reference" && name !== "gpu") {
    throw new EngineError("setBackend", `unknown backend ${JSON.stringify(name)}; expected 'cpu', 'reference' or 'gpu'`);
  }
  if (name === "gpu") {
    const { openGpuDevice } = await import("./gpu/open_device.ts");
    const mode = opts.mode ?? env("AETNET_GPU_MODE");
    if (gpu && (mode === undefined || gpu.mode === mode)) return backendInfo();
    const opened = await openGpuDevice(mode); // a failure leaves the current backend as it was
    await closeGpu();
    gpu = opened;
  } else if (gpu) {
    await closeGpu();
  }
  useBackend(name === "reference" ? cpuBackend : (wasmBackend() ?? cpuBackend));
  return backendInfo();
}

async function closeGpu(): Promise<void> {
  const d = gpu;
  gpu = null;
  await d?.destroy();
}

export function backendInfo(): BackendInfo {
  if (gpu) return { name: "gpu", kernel: gpu.kernel, adapter: gpu.adapter, stats: gpu.stats };
  const b = currentBackend();
  return { name: "cpu", kernel: b.name === "wasm" ? "wasm-simd" : "reference" };
}

let fused = env("AETNET_FUSED") !== "0";

/**
 * Whether ops take their fused kernels (layerNorm, gelu, softmax backward, …). Off, every op runs its
 * composed form: the reference the fused paths are tested against (AETNET_FUSED=0 starts it off).
 */
export const fusedOps = (): boolean => fused;
export function setFusedOps(on: boolean): void { fused = on; }
