// Which backend runs kernels now; missing kernels fall back to the cpu reference here, in one place.
import type { Backend, KernelTable } from "./backend.ts";
import { cpuBackend, cpuKernels } from "./cpu/index.ts";

let current: Backend = cpuBackend;
let table: KernelTable = cpuKernels;

export function useBackend(backend: Backend): void {
  current = backend;
  table = { ...cpuKernels, ...backend.kernels };
}

export const currentBackend = (): Backend => current;

/** The kernels ops dispatch to: the current backend's, completed by cpu's. */
export const kernels = (): KernelTable => table;
