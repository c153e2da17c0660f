// The gpu backend's counters, in a file of their own: backendInfo() reports them, and its declaration must not
// reach gpu.js's types (gpu.js is an optional peer, absent from most installs of the package).

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
