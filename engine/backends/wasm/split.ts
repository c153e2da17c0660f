// How a wasm kernel call is split over the worker pool: how many threads a call of some size gets, each
// thread's share of the items, and the two common splits (a map over whole vectors, column ranges in whole
// vectors). Every caller sizes its split here, so one rule decides when a split pays.
import type { TypedArray } from "../../dtype.ts";
import type { Job } from "./pool.ts";
import type { Operand, WasmRuntime } from "./runtime.ts";

/** Whether every array given is float32 (null: an optional operand left out), the dtype the wasm kernels take. */
export const isF32 = (...xs: readonly (TypedArray | null)[]): boolean =>
  xs.every((x) => x === null || x instanceof Float32Array);

/** [start, end) of part `t` of `n` items split `parts` ways as evenly as possible. */
export const share = (n: number, parts: number, t: number): [number, number] =>
  [Math.floor((n * t) / parts), Math.floor((n * (t + 1)) / parts)];

/**
 * Threads for a call of `work` units: one per `perThread` units (below that a split costs more, in worker
 * wake-up, than it saves), at least one, at most the pool's and `parts` (the items the call can be split into).
 */
export const threadsFor = (r: WasmRuntime, work: number, perThread: number, parts = Infinity): number =>
  Math.min(r.threads, parts, Math.max(1, Math.floor(work / perThread)));

/** One job per thread over `parts` items (at most one thread an item): job(s, e, t) for items [s, e) on thread t. */
export function splitJobs(threads: number, parts: number, job: (s: number, e: number, t: number) => Job): Job[] {
  const k = Math.min(threads, parts);
  return Array.from({ length: k }, (_, t) => { const [s, e] = share(parts, k, t); return job(s, e, t); });
}

/**
 * Column ranges [s, e) of `inner` floats in whole vectors (the last takes the tail), one per thread, never an
 * empty one: at most one thread per vector.
 */
export function vectorColumns(inner: number, threads: number): [number, number][] {
  const vecs = Math.ceil(inner / 4);
  const k = Math.min(threads, vecs);
  return Array.from({ length: k }, (_, t) => share(vecs, k, t).map((v) => Math.min(inner, v * 4)) as [number, number]);
}

/**
 * A map kernel over whole vectors, fn(inputs…, out, n, …extra), split by vectors on threads sized by
 * `perThread` elements; the kernel rounds n up to 4 (layout pads every operand to 64 bytes).
 */
export function mapVectors(
  r: WasmRuntime, fn: string, inputs: Float32Array[], out: Float32Array, perThread: number, extra: number[] = [],
): void {
  const n = out.length;
  const vecs = Math.ceil(n / 4);
  const ops: Operand[] = [...inputs.map((x) => ({ read: x })), { write: out }];
  const addrs = r.layout(ops);
  const job = (s: number, e: number): Job => [fn, [...addrs.map((a) => a + s * 16), (e - s) * 4, ...extra]];
  r.parallel(splitJobs(threadsFor(r, n, perThread), vecs, job));
  r.writeBack(ops, addrs);
}
