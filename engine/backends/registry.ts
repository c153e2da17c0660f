// Which backend runs kernels now; missing kernels fall back to the cpu reference here, in one place.
// The CPU backend uses the wasm SIMD kernels where WebAssembly SIMD validates, the plain TypeScript
// reference kernels otherwise (or after setBackend('reference')). The gpu backend (`await setBackend('gpu')`)
// keeps float32 tensors on a gpu.js device and runs the ops that have device kernels there; everything
// else runs on the CPU backend, counted in backendInfo().fallbacks. Chosen lazily: importing has no side effects;
// environment variables (AETNET_BACKEND, AETNET_THREADS) apply only through an explicit setBackendFromEnv().
import type { Backend, KernelTable } from "./backend.ts";
import { cpuBackend, cpuKernels } from "./cpu/index.ts";
import { setWasmThreads, wasmBackend, wasmThreads, wasmThreadsReady } from "./wasm/index.ts";
import type { GpuDevice } from "./gpu/device.ts";
import { EngineError } from "../errors.ts";

let current: Backend | undefined;
let table: KernelTable = cpuKernels;
let gpu: GpuDevice | null = null;

/** An environment variable, or undefined where there is no process (a browser page). */
export const env = (name: string): string | undefined => (typeof process === "undefined" ? undefined : process.env?.[name]);

export function useBackend(backend: Backend): void {
  current = backend;
  table = { ...cpuKernels, ...backend.kernels };
}

/** wasm unless the runtime lacks WebAssembly SIMD (then the reference kernels). */
export function defaultBackend(): Backend {
  return wasmBackend() ?? cpuBackend;
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

/** The backends setBackend accepts. */
export type BackendName = "cpu" | "reference" | "gpu";
const BACKEND_NAMES: readonly BackendName[] = ["cpu", "reference", "gpu"];

/** Options of setBackend. */
export interface BackendOptions {
  /** gpu.js mode for the gpu backend: webgpu (Node default, through Dawn), webgl2 (browser default), webgl, headlessgl, cpu. */
  mode?: string;
  /** Threads the CPU's wasm SIMD kernels split one call across (main thread included); default every core. */
  threads?: number;
}

/** What the backend reports about itself (backendInfo, setBackend). */

export interface BackendInfo {
  name: "cpu" | "gpu";
  /** cpu: the kernel set (wasm-simd or reference); gpu: the gpu.js kernel class that really runs. */
  kernel: string;
  /** wasm-simd: threads one kernel call splits across (1 where memory cannot be shared, e.g. a page that is not cross-origin isolated). */
  threads?: number;
  adapter?: string;
  /** gpu only: kernel calls, uploads, reads and per-op CPU fallbacks since the backend started. */
  stats?: GpuDevice["stats"];
}

/**
 * Selects the backend: 'cpu' (wasm SIMD kernels where available), 'reference' (plain TypeScript kernels)
 * or 'gpu' (gpu.js; async because the device must be opened). Leaving 'gpu' destroys its device.
 */
export async function setBackend(name: BackendName, opts: BackendOptions = {}): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(name)) {
    throw new EngineError("setBackend", `unknown backend ${JSON.stringify(name)}; expected 'cpu', 'reference' or 'gpu'`);
  }
  if (opts.threads !== undefined) setThreads(opts.threads);
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
  const backend = name === "reference" ? cpuBackend : (wasmBackend() ?? cpuBackend);
  useBackend(backend);
  if (backend.name === "wasm") await wasmThreadsReady(); // a page's worker threads start only once it yields
  return backendInfo();
}

/** Sets how many threads the CPU's wasm SIMD kernels split one call across (1 = the calling thread only). */
export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new EngineError("setThreads", `threads must be an integer ≥ 1, got ${n}`);
  setWasmThreads(n);
}

/** Choices that win over the environment in setBackendFromEnv (e.g. from command-line flags). */
export interface BackendChoice {
  backend?: BackendName;
  threads?: number;
}

/**
 * Applies the environment's choice of backend, the one explicit place it is read: AETNET_BACKEND =
 * cpu | reference | gpu, AETNET_THREADS = N, AETNET_GPU_MODE (gpu.js mode). Values in `choice` win over
 * the variables; with neither, nothing changes. Programs call it once at start (the aetnet CLI does).
 */
export async function setBackendFromEnv(choice: BackendChoice = {}): Promise<BackendInfo> {
  const rawBackend = choice.backend ?? env("AETNET_BACKEND")?.trim();
  const rawThreads = env("AETNET_THREADS")?.trim();
  let threads = choice.threads;
  if (threads === undefined && rawThreads) {
    threads = Number(rawThreads);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new EngineError("setBackendFromEnv", `AETNET_THREADS must be an integer ≥ 1, got ${JSON.stringify(rawThreads)}`);
    }
  }
  if (rawBackend) {
    if (!(BACKEND_NAMES as readonly string[]).includes(rawBackend)) {
      throw new EngineError("setBackendFromEnv", `AETNET_BACKEND must be one of ${BACKEND_NAMES.join(", ")}, got ${JSON.stringify(rawBackend)}`);
    }
    return setBackend(rawBackend as BackendName, { threads });
  }
  if (threads !== undefined) setThreads(threads);
  return backendInfo();
}

async function closeGpu(): Promise<void> {
  const d = gpu;
  gpu = null;
  await d?.destroy();
}

/** The backend that runs ops now: its name, kernel set and (gpu) adapter and counters. */
export function backendInfo(): BackendInfo {
  if (gpu) return { name: "gpu", kernel: gpu.kernel, adapter: gpu.adapter, stats: gpu.stats };
  const b = currentBackend();
  if (b.name !== "wasm") return { name: "cpu", kernel: "reference" };
  const threads = wasmThreads();
  return threads === undefined ? { name: "cpu", kernel: "wasm-simd" } : { name: "cpu", kernel: "wasm-simd", threads };
}

let fused = env("AETNET_FUSED") !== "0";

/**
 * Whether ops take their fused kernels (layerNorm, gelu, softmax backward, …). Off, every op runs its
 * composed form: the reference the fused paths are tested against (AETNET_FUSED=0 starts it off).
 */
export const fusedOps = (): boolean => fused;
export function setFusedOps(on: boolean): void { fused = on; }
