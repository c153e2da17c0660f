// Which backend runs kernels now, and the one dispatch every op goes through: dispatch(kernel, …) picks the
// backend for one kernel call and says how its operands and outputs are reached. The CPU backend uses the
// wasm SIMD kernels where WebAssembly SIMD validates, the plain TypeScript reference kernels otherwise (or
// after setBackend('reference')); missing kernels fall back to the cpu reference here, in one place. The gpu
// backend (`await setBackend('gpu')`) keeps float32 tensors on a gpu.js device and runs the kernels it has
// there; everything else runs on the CPU backend, counted in backendInfo().stats.fallbacks. Chosen lazily:
// importing has no side effects; environment variables (AETNET_BACKEND, AETNET_THREADS) apply only through
// an explicit setBackendFromEnv().
import type { Backend, KernelName, KernelTable, Operands } from "./backend.ts";
import { cpuBackend, cpuKernels } from "./cpu/index.ts";
import { setWasmThreads, wasmBackend, wasmRuntime, wasmThreads, wasmThreadsReady } from "./wasm/index.ts";
import { allocResident, freeResident } from "./wasm/tensor_memory.ts";
import type { GpuDevice } from "./gpu/device.ts";
import type { GpuStats } from "./gpu/stats.ts";
import { allocate, allocateEmpty, setFloat32Memory, type DType, type TypedArray } from "../dtype.ts";
import { EngineError } from "../errors.ts";
import type { DeviceBuffer } from "../storage.ts";
import type { Tensor } from "../tensor.ts";

let current: Backend | undefined;
let table: KernelTable = cpuKernels;
let gpu: GpuDevice | null = null;
let gpuExec: DeviceExec | null = null;

/** A tensor's elements as a kernel operand: a host array (cpu, wasm) or a device buffer (gpu). */
export type Operand = TypedArray | DeviceBuffer;
export interface AnyOperands extends Operands { array: Operand; float: Operand }

/**
 * One backend as an op sees it: its kernel table, how a tensor becomes an operand and where outputs come
 * from. Ops are written once against this; fromStorage(output, shape) makes a tensor of either kind.
 */
export interface Exec {
  readonly kernels: KernelTable<AnyOperands>;
  /** Where the work runs: the host, or the gpu device (which computes float32 only). */
  readonly onDevice: boolean;
  /** t's elements for reading (a device uploads a host tensor once and keeps it until a host write). */
  arg(t: Tensor): Operand;
  /** t's elements for an in-place kernel: the copy there becomes the only one (a stale copy is dropped). */
  mut(t: Tensor): Operand;
  /**
   * A new zeroed output of n elements of dtype (the device computes float32 only: dispatch sees to it).
   * `zeroed: false` where the kernel writes every element: the host then skips zero-filling reused memory.
   */
  out(dtype: DType, n: number, zeroed?: boolean): Operand;
}

/** A device backend: an Exec with a partial table and a size limit. */
export interface DeviceExec extends Exec {
  has(kernel: KernelName): boolean;
  /** Whether an array of n elements can live on the device. */
  fits(n: number): boolean;
  /** Blocks until every kernel queued so far has run (a one-element read). */
  sync(): void;
}

const hostExec: Exec = {
  get kernels() { return kernels(); },
  onDevice: false,
  arg: (t) => t.storage,
  mut: (t) => t.storage,
  out: (dtype, n, zeroed = true) => (zeroed ? allocate(dtype, n) : allocateEmpty(dtype, n)),
};

/**
 * The backend that runs `kernel` producing `dtype` outputs (the main one of `outElements`) from `operands`:
 * the gpu device when it is active, has the kernel and every operand is a non-empty float32 tensor that fits;
 * the host otherwise (reading device operands back: a fallback, counted by op in backendInfo()).
 */
export function dispatch(kernel: KernelName, dtype: DType, operands: readonly (Tensor | null | undefined)[], outElements: number): Exec {
  return deviceFor(dtype, operands, outElements)?.has(kernel) ? gpuExec! : hostExec;
}

/**
 * For a fused kernel: as dispatch, but null where the device would run the work and lacks the kernel; the op
 * then runs its composed reference there instead of sending the work to the host.
 */
export function dispatchFused(kernel: KernelName, dtype: DType, operands: readonly (Tensor | null | undefined)[], outElements: number): Exec | null {
  const d = deviceFor(dtype, operands, outElements);
  return !d ? hostExec : d.has(kernel) ? d : null;
}

/** Whether work on these float32 operands would run on the gpu device. */
export const onDevice = (...operands: (Tensor | null | undefined)[]): boolean =>
  deviceFor("float32", operands, operands.reduce((n, t) => Math.max(n, t?.numel ?? 0), 0)) !== null;

function deviceFor(dtype: DType, operands: readonly (Tensor | null | undefined)[], outElements: number): DeviceExec | null {
  const d = suspended ? null : gpuExec;
  if (!d || dtype !== "float32" || outElements === 0 || !d.fits(outElements)) return null;
  for (const t of operands) if (t && (t.dtype !== "float32" || t.numel === 0 || !d.fits(t.numel))) return null;
  return d;
}

/** Waits for the device's queued work (benchmarks time whole steps); nothing to wait for on the host. */
export function syncDevice(): void { if (!suspended) gpuExec?.sync(); }

/**
 * Counts `op` as a fallback when the gpu backend is active and its float result was computed on the host
 * (views excepted): autograd reports every op's result here.
 */
export function noteResult(op: string, out: Tensor, inputs: readonly Tensor[]): void {
  if (!gpu || suspended || !out.isFloatingPoint() || out.buf.device !== null || inputs.some((t) => t.buf === out.buf)) return;
  gpu.stats.fallbacks[op] = (gpu.stats.fallbacks[op] ?? 0) + 1;
}

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

/** wasm unless the runtime lacks WebAssembly SIMD (then the reference kernels). */
export function defaultBackend(): Backend {
  return wasmBackend() ?? cpuBackend;
}

export const currentBackend = (): Backend => {
  if (!current) useBackend(defaultBackend());
  return current!;
};

/**
 * The host's kernels: the current CPU backend's, completed by cpu's. dispatch's host side, and what ops call
 * directly for the kernels only the host has (gathers, scatters and strided accumulation into host arrays).
 */
export const kernels = (): KernelTable => {
  if (!current) useBackend(defaultBackend());
  return table;
};

let suspended = false;

/** Runs fn with the gpu backend's device set aside: ops inside run on the CPU backend (parity references). */
export function onCpu<T>(fn: () => T): T {
  const was = suspended;
  suspended = true;
  try { return fn(); } finally { suspended = was; }
}

/** The backends setBackend accepts. */
export type BackendName = "cpu" | "reference" | "gpu";
/** Every BackendName, for checking a name given as text (a flag, an environment variable). */
export const BACKEND_NAMES: readonly BackendName[] = Object.freeze(["cpu", "reference", "gpu"]);

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
  stats?: GpuStats;
}

/**
 * Selects the backend: 'cpu' (wasm SIMD kernels where available), 'reference' (plain TypeScript kernels)
 * or 'gpu' (gpu.js; async because the device must be opened). Leaving 'gpu' destroys its device.
 */
export async function setBackend(name: BackendName, opts: BackendOptions = {}): Promise<BackendInfo> {
  if (!BACKEND_NAMES.includes(name)) {
    const expected = BACKEND_NAMES.join(", ");
    throw new EngineError("setBackend", `unknown backend ${JSON.stringify(name)}; expected one of ${expected}`);
  }
  if (opts.threads !== undefined) setThreads(opts.threads);
  if (name === "gpu") {
    const [{ openGpuDevice }, { gpuBackend }] = await Promise.all([import("./gpu/open_device.ts"), import("./gpu/table.ts")]);
    const mode = opts.mode ?? env("AETNET_GPU_MODE");
    if (gpu && (mode === undefined || gpu.mode === mode)) return backendInfo();
    const opened = await openGpuDevice(mode); // a failure leaves the current backend as it was
    await closeGpu();
    gpu = opened;
    gpuExec = gpuBackend(opened);
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
  gpuExec = null;
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
