// Which backend runs kernels now; missing kernels fall back to the cpu reference here, in one place.
// The default is wasm where WebAssembly SIMD validates (AETNET_BACKEND=cpu forces the reference),
// chosen on the first kernels() call so importing the engine has no side effects.
import type { Backend, KernelTable } from "./backend.ts";
import { cpuBackend, cpuKernels } from "./cpu/index.ts";
import { wasmBackend } from "./wasm/index.ts";

let current: Backend | undefined;
let table: KernelTable = cpuKernels;

export function useBackend(backend: Backend): void {
  current = backend;
  table = { ...cpuKernels, ...backend.kernels };
}

/** wasm unless AETNET_BACKEND=cpu or the runtime lacks WebAssembly SIMD. */
export function defaultBackend(): Backend {
  return (process.env.AETNET_BACKEND !== "cpu" && wasmBackend()) || cpuBackend;
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

let fused = process.env.AETNET_FUSED !== "0";

/**
 * Whether ops take their fused kernels (layerNorm, gelu, softmax backward, …). Off, every op runs its
 * composed form: the reference the fused paths are tested against (AETNET_FUSED=0 starts it off).
 */
export const fusedOps = (): boolean => fused;
export function setFusedOps(on: boolean): void { fused = on; }
