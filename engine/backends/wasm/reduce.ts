// Column sums (sumAxis, and reduceRows' sum as its one-column case) for float32 on wasm, accumulated in
// float64 lanes in the reference's order, so results equal the reference's to the last bit. Work is split
// over threads by outer blocks where there are enough of them, else by columns. reduceRows' max, min, argmax
// and argmin of float32 rows run on wasm too, split by rows, equal to the reference to the last bit. Other
// dtypes stay on the reference.
import type { TypedArray } from "../../dtype.ts";
import type { ReduceOp } from "../backend.ts";
import { cpuKernels } from "../cpu/index.ts";
import { share } from "./matmul.ts";
import type { Job } from "./pool.ts";
import type { Operand, WasmRuntime } from "./runtime.ts";

/**
 * Elements below which a call stays on the reference; elements per thread below which a split does not pay.
 * Measured with bench/movement_kernels.ts on 2 cores: at 0.5M float32 elements these memory-bound kernels ran no
 * faster on 2 threads than on 1 (on a loaded machine), so a call splits only from 1M elements on.
 */
export const reduceTuning = { minElements: 2048, splitElements: 1 << 19 };

const isF32 = (...xs: TypedArray[]): boolean => xs.every((x) => x instanceof Float32Array);

export function sumAxisWith(rt: () => WasmRuntime, x: TypedArray, outer: number, size: number, inner: number, out: TypedArray): void {
  if (!isF32(x, out) || x.length < reduceTuning.minElements || out.length === 0) return cpuKernels.sumAxis(x, outer, size, inner, out);
  const r = rt();
  const ops = [{ read: x as Float32Array }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, oa] = addrs;
  const threads = Math.min(r.threads, Math.max(1, Math.floor(x.length / reduceTuning.splitElements)));
  const byOuter = outer >= threads;
  const jobs = Array.from({ length: threads }, (_, t): Job => {
    if (byOuter) {
      const [s, e] = share(outer, threads, t);
      return ["sumColumns", [xa + s * size * inner * 4, oa + s * inner * 4, e - s, size, inner, inner]];
    }
    // Column ranges in whole vectors (the last takes the tail); several outer blocks loop inside the kernel.
    const [s, e] = share(Math.ceil(inner / 4), threads, t).map((v) => Math.min(inner, v * 4));
    return ["sumColumns", [xa + s * 4, oa + s * 4, outer, size, inner, e - s]];
  }).filter((j) => j[1][2] > 0 && j[1][5] > 0);
  r.parallel(jobs);
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
  const threads = Math.min(r.threads, rows, Math.max(1, Math.floor(x.length / reduceTuning.splitElements)));
  const jobs = Array.from({ length: threads }, (_, t): Job => {
    const [s, e] = share(rows, threads, t);
    return [`${op}Rows`, [xa + s * rowLength * 4, oa + s * 4, e - s, rowLength]];
  }).filter((j) => j[1][2] > 0);
  r.parallel(jobs);
  if (arg) (out as Int32Array).set(new Int32Array(r.f32.buffer, oa, rows));
  else r.writeBack(ops, [xa, oa]);
}
