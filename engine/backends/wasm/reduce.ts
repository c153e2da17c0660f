// Column sums (sumAxis, and reduceRows' sum as its one-column case) for float32 on wasm, accumulated in
// float64 lanes in the reference's order, so results equal the reference's to the last bit. Work is split
// over threads by outer blocks where there are enough of them, else by columns. reduceRows' max, min, argmax
// and argmin of float32 rows run on wasm too, split by rows, equal to the reference to the last bit. Other
// dtypes stay on the reference.
import type { TypedArray } from "../../dtype.ts";
import type { ReduceOp } from "../backend.ts";
import { cpuKernels } from "../cpu/index.ts";
import type { Job } from "./pool.ts";
import type { Operand, WasmRuntime } from "./runtime.ts";
import { isF32, splitJobs, threadsFor, vectorColumns } from "./split.ts";

/**
 * Elements below which a call stays on the reference; elements per thread below which a split does not pay.
 * Measured with bench/movement_kernels.ts on 2 cores: at 0.5M float32 elements these memory-bound kernels ran no
 * faster on 2 threads than on 1 (on a loaded machine), so a call splits only from 1M elements on.
 */
export const reduceTuning = { minElements: 2048, splitElements: 1 << 19 };

export function sumAxisWith(rt: () => WasmRuntime, x: TypedArray, outer: number, size: number, inner: number, out: TypedArray): void {
  if (!isF32(x, out) || x.length < reduceTuning.minElements || out.length === 0) return cpuKernels.sumAxis(x, outer, size, inner, out);
  const r = rt();
  const ops = [{ read: x as Float32Array }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, oa] = addrs;
  const threads = threadsFor(r, x.length, reduceTuning.splitElements);
  // By outer blocks where there are enough, else by column ranges (several outer blocks loop inside the kernel).
  const byOuter = (s: number, e: number): Job =>
    ["sumColumns", [xa + s * size * inner * 4, oa + s * inner * 4, e - s, size, inner, inner]];
  const byColumns = ([s, e]: [number, number]): Job =>
    ["sumColumns", [xa + s * 4, oa + s * 4, outer, size, inner, e - s]];
  r.parallel(outer >= threads ? splitJobs(threads, outer, byOuter) : vectorColumns(inner, threads).map(byColumns));
  r.writeBack(ops, addrs);
}

export function reduceRowsWith(rt: () => WasmRuntime, op: ReduceOp, x: TypedArray, rowLength: number, out: TypedArray): void {
  if (op === "sum") return sumAxisWith(rt, x, out.length, rowLength, 1, out);
  const arg = op === "argmax" || op === "argmin";
  const outOk = arg ? out instanceof Int32Array : out instanceof Float32Array;
  if (!isF32(x) || !outOk || rowLength === 0 || out.length === 0 || x.length < reduceTuning.minElements) {
    return cpuKernels.reduceRows(op, x, rowLength, out);
  }
  const r = rt();
  const rows = out.length;
  // An int32 out is never resident (tensors in wasm memory are float32): it goes through scratch, copied after.
  const ops: Operand[] = [{ read: x as Float32Array }, arg ? { scratch: rows * 4 } : { write: out as Float32Array }];
  const [xa, oa] = r.layout(ops);
  const threads = threadsFor(r, x.length, reduceTuning.splitElements);
  r.parallel(splitJobs(threads, rows, (s, e) => [`${op}Rows`, [xa + s * rowLength * 4, oa + s * 4, e - s, rowLength]]));
  if (arg) (out as Int32Array).set(new Int32Array(r.f32.buffer, oa, rows));
  else r.writeBack(ops, [xa, oa]);
}
