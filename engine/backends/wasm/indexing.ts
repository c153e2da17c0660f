// Index row gather (indexSelect, an embedding lookup) and its scatter-add adjoint (indexAdd), and the
// element-wise gather / scatterAdd, for float32 on wasm, split over threads by columns: each thread owns a column range of every row, so repeated indices
// never race and add up in the reference's order. Other dtypes, short rows and tiny calls stay on the reference.
import type { TypedArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";
import { share } from "./matmul.ts";
import { copyBack } from "./movement.ts";
import type { Job } from "./pool.ts";
import type { WasmRuntime } from "./runtime.ts";

/**
 * Elements moved below which a call stays on the reference; per thread below which a split does not pay.
 * Measured with bench/movement_kernels.ts on 2 cores: at 0.5M float32 elements these memory-bound kernels ran no
 * faster on 2 threads than on 1 (on a loaded machine), so a call splits only from 1M elements on.
 */
export const indexTuning = { minElements: 2048, splitElements: 1 << 19 };

const isF32 = (...xs: TypedArray[]): boolean => xs.every((x) => x instanceof Float32Array);

/** One job per thread over column ranges of whole vectors (the last takes the tail); `from` and `to` as the kernel's x and out. */
function columnJobs(r: WasmRuntime, fn: string, from: number, idx: number, to: number, n: number, inner: number, moved: number): Job[] {
  const threads = Math.min(r.threads, Math.max(1, Math.floor(moved / indexTuning.splitElements)));
  return Array.from({ length: threads }, (_, t): Job => {
    const [s, e] = share(Math.ceil(inner / 4), threads, t).map((v) => Math.min(inner, v * 4));
    return [fn, [from + s * 4, idx, to + s * 4, n, inner * 4, e - s]];
  }).filter((j) => j[1][5] > 0);
}

export function indexSelectWith(rt: () => WasmRuntime, x: TypedArray, index: Int32Array, outer: number, size: number, inner: number, out: TypedArray): void {
  const n = index.length;
  if (!isF32(x, out) || out.length < indexTuning.minElements || inner < 4) return cpuKernels.indexSelect(x, index, outer, size, inner, out);
  const r = rt();
  // A host table much larger than the rows picked (a big embedding) would cost more to copy in than to gather.
  if (r.addressOf(x) < 0 && x.length > 2 * out.length) return cpuKernels.indexSelect(x, index, outer, size, inner, out);
  const ops = [{ read: x as Float32Array }, { scratch: n * 4 }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, ia, oa] = addrs;
  new Int32Array(r.f32.buffer, ia, n).set(index);
  for (let o = 0; o < outer; o++) r.parallel(columnJobs(r, "indexSelectRows", xa + o * size * inner * 4, ia, oa + o * n * inner * 4, n, inner, n * inner));
  r.writeBack(ops, addrs);
}

export function indexAddWith(rt: () => WasmRuntime, src: TypedArray, index: Int32Array, outer: number, size: number, inner: number, dst: TypedArray): void {
  const n = index.length;
  if (!isF32(src, dst) || src.length < indexTuning.minElements || inner < 4) return cpuKernels.indexAdd(src, index, outer, size, inner, dst);
  const r = rt();
  const resident = r.addressOf(dst) >= 0;
  if (!resident && dst.length > 2 * src.length) return cpuKernels.indexAdd(src, index, outer, size, inner, dst);
  // dst is read and written: a host dst is staged as an input and copied back by hand.
  const ops = [{ read: src as Float32Array }, { scratch: n * 4 }, { read: dst as Float32Array }];
  const addrs = r.layout(ops);
  const [sa, ia, da] = addrs;
  new Int32Array(r.f32.buffer, ia, n).set(index);
  for (let o = 0; o < outer; o++) r.parallel(columnJobs(r, "indexAddRows", sa + o * n * inner * 4, ia, da + o * size * inner * 4, n, inner, n * inner));
  if (!resident) copyBack(r, dst as Float32Array, da);
}

/** Column ranges [i0, i1) of `inner`, one per thread (all of them on one where the work is small). */
function columnRanges(r: WasmRuntime, inner: number, work: number): [number, number][] {
  const threads = Math.min(r.threads, inner, Math.max(1, Math.floor(work / indexTuning.splitElements)));
  return Array.from({ length: threads }, (_, t) => share(inner, threads, t));
}

export function gatherWith(rt: () => WasmRuntime, x: TypedArray, index: Int32Array, outer: number, size: number, idxSize: number, inner: number, out: TypedArray): void {
  if (!isF32(x, out) || out.length < indexTuning.minElements) return cpuKernels.gather(x, index, outer, size, idxSize, inner, out);
  const r = rt();
  if (r.addressOf(x) < 0 && x.length > 2 * out.length) return cpuKernels.gather(x, index, outer, size, idxSize, inner, out);
  const ops = [{ read: x as Float32Array }, { scratch: index.length * 4 }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, ia, oa] = addrs;
  new Int32Array(r.f32.buffer, ia, index.length).set(index);
  r.parallel(columnRanges(r, inner, out.length).map(([i0, i1]): Job => ["gatherElems", [xa, ia, oa, outer, size, idxSize, inner, i0, i1]]));
  r.writeBack(ops, addrs);
}

export function scatterAddWith(rt: () => WasmRuntime, src: TypedArray, index: Int32Array, outer: number, size: number, idxSize: number, inner: number, dst: TypedArray): void {
  if (!isF32(src, dst) || src.length < indexTuning.minElements) return cpuKernels.scatterAdd(src, index, outer, size, idxSize, inner, dst);
  const r = rt();
  const resident = r.addressOf(dst) >= 0;
  if (!resident && dst.length > 2 * src.length) return cpuKernels.scatterAdd(src, index, outer, size, idxSize, inner, dst);
  const ops = [{ read: src as Float32Array }, { scratch: index.length * 4 }, { read: dst as Float32Array }];
  const addrs = r.layout(ops);
  const [sa, ia, da] = addrs;
  new Int32Array(r.f32.buffer, ia, index.length).set(index);
  // Each thread owns whole columns i, so adds into one dst element never race and keep the reference's order.
  r.parallel(columnRanges(r, inner, src.length).map(([i0, i1]): Job => ["scatterAddElems", [sa, ia, da, outer, size, idxSize, inner, i0, i1]]));
  if (!resident) copyBack(r, dst as Float32Array, da);
}
