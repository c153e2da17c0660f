// Index row gather (indexSelect, an embedding lookup) and its scatter-add adjoint (indexAdd), and the
// element-wise gather / scatterAdd, for float32 on wasm, split over threads by columns: each thread owns a column range of every row, so repeated indices
// never race and add up in the reference's order. Other dtypes, short rows and tiny calls stay on the reference.
import type { TypedArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";
import { copyBack } from "./movement.ts";
import type { Job } from "./pool.ts";
import type { WasmRuntime } from "./runtime.ts";
import { isF32, splitJobs, threadsFor, vectorColumns } from "./split.ts";

/**
 * Elements moved below which a call stays on the reference; per thread below which a split does not pay.
 * Measured with bench/movement_kernels.ts on 2 cores: at 0.5M float32 elements these memory-bound kernels ran no
 * faster on 2 threads than on 1 (on a loaded machine), so a call splits only from 1M elements on.
 */
export const indexTuning = { minElements: 2048, splitElements: 1 << 19 };

/**
 * One job per thread over column ranges of whole vectors, each looping over the `outer` blocks inside the kernel
 * (one barrier a call); `from` and `to` as the kernel's x and out, their blocks fromBlock and toBlock floats apart.
 */
function columnJobs(
  r: WasmRuntime, fn: string, from: number, idx: number, to: number, n: number, inner: number, outer: number,
  fromBlock: number, toBlock: number,
): Job[] {
  const threads = threadsFor(r, outer * n * inner, indexTuning.splitElements);
  return vectorColumns(inner, threads)
    .map(([s, e]): Job => [fn, [from + s * 4, idx, to + s * 4, n, inner * 4, e - s, outer, fromBlock * 4,
      toBlock * 4]]);
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
  r.parallel(columnJobs(r, "indexSelectRows", xa, ia, oa, n, inner, outer, size * inner, n * inner));
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
  r.parallel(columnJobs(r, "indexAddRows", sa, ia, da, n, inner, outer, n * inner, size * inner));
  if (!resident) copyBack(r, dst as Float32Array, da);
}

export function gatherWith(rt: () => WasmRuntime, x: TypedArray, index: Int32Array, outer: number, size: number, idxSize: number, inner: number, out: TypedArray): void {
  if (!isF32(x, out) || out.length < indexTuning.minElements) return cpuKernels.gather(x, index, outer, size, idxSize, inner, out);
  const r = rt();
  if (r.addressOf(x) < 0 && x.length > 2 * out.length) return cpuKernels.gather(x, index, outer, size, idxSize, inner, out);
  const ops = [{ read: x as Float32Array }, { scratch: index.length * 4 }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, ia, oa] = addrs;
  new Int32Array(r.f32.buffer, ia, index.length).set(index);
  const threads = threadsFor(r, out.length, indexTuning.splitElements);
  r.parallel(splitJobs(threads, inner, (i0, i1) => ["gatherElems", [xa, ia, oa, outer, size, idxSize, inner, i0, i1]]));
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
  const threads = threadsFor(r, src.length, indexTuning.splitElements);
  const job = (i0: number, i1: number): Job => ["scatterAddElems", [sa, ia, da, outer, size, idxSize, inner, i0, i1]];
  r.parallel(splitJobs(threads, inner, job));
  if (!resident) copyBack(r, dst as Float32Array, da);
}
