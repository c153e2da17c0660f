// Row softmax / log-softmax forward and backward, and fused cross-entropy, for float32 on wasm SIMD: one
// kernel call per block of rows, each row read from memory once and finished while it is in L1 (kernels/rows.ts).
// Rows are split across threads above SPLIT_ELEMENTS; tiny inputs stay on the reference, where copying in
// would cost more than the work.
import type { FloatArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";
import { f32Bits as bits } from "./emit/encoding.ts";
import type { Job } from "./pool.ts";
import type { WasmRuntime } from "./runtime.ts";
import { isF32, splitJobs, threadsFor } from "./split.ts";

const ROWS_MIN = 1024;
/** Elements per thread below which a split costs more (worker wake-up) than it saves. */
export const rowTuning = { splitElements: 1 << 15 };

/** Splits `rows` rows of `cols` across threads; job(s, e) is the call for rows [s, e). */
function splitRows(r: WasmRuntime, rows: number, cols: number, job: (s: number, e: number) => Job): void {
  r.parallel(splitJobs(threadsFor(r, rows * cols, rowTuning.splitElements), rows, job));
}

export function softmaxWith(rt: () => WasmRuntime, x: FloatArray, cols: number, out: FloatArray, log: boolean): void {
  if (!isF32(x, out) || cols === 0 || x.length < ROWS_MIN) return cpuKernels.softmax(x, cols, out, log);
  const r = rt();
  const rows = x.length / cols;
  const ops = [{ read: x as Float32Array }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [src, dst] = addrs;
  splitRows(r, rows, cols, (s, e) => [log ? "logSoftmaxRows" : "softmaxRows", [src + s * cols * 4, dst + s * cols * 4, e - s, cols]]);
  r.writeBack(ops, addrs);
}

export function softmaxBackwardWith(rt: () => WasmRuntime, y: FloatArray, g: FloatArray, cols: number, out: FloatArray, log: boolean): void {
  if (!isF32(y, g, out) || cols === 0 || y.length < ROWS_MIN) return cpuKernels.softmaxBackward(y, g, cols, out, log);
  const r = rt();
  const rows = y.length / cols;
  const ops = [{ read: y as Float32Array }, { read: g as Float32Array }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [ya, ga, oa] = addrs;
  const fn = log ? "logSoftmaxBackwardRows" : "softmaxBackwardRows";
  splitRows(r, rows, cols, (s, e) => [fn, [ya + s * cols * 4, ga + s * cols * 4, oa + s * cols * 4, e - s, cols]]);
  r.writeBack(ops, addrs);
}

/** Copies int32 targets into a scratch operand laid out for them. */
function putTargets(r: WasmRuntime, target: Int32Array, at: number): void {
  new Int32Array(r.f32.buffer, at, target.length).set(target);
}

export function crossEntropyWith(rt: () => WasmRuntime, x: FloatArray, target: Int32Array, cols: number, smoothing: number, loss: FloatArray, lse: FloatArray): void {
  if (!isF32(x, loss, lse) || cols === 0 || x.length < ROWS_MIN) {
    return cpuKernels.crossEntropy(x, target, cols, smoothing, loss, lse);
  }
  const r = rt();
  const rows = x.length / cols;
  const ops = [{ read: x as Float32Array }, { scratch: rows * 4 }, { write: loss as Float32Array }, { write: lse as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, ta, la, sa] = addrs;
  putTargets(r, target, ta);
  const [a, b] = [bits(1 - smoothing), bits(smoothing / cols)];
  splitRows(r, rows, cols, (s, e) => ["crossEntropyRows", [xa + s * cols * 4, ta + s * 4, la + s * 4, sa + s * 4, e - s, cols, a, b]]);
  r.writeBack(ops, addrs);
}

export function crossEntropyBackwardWith(rt: () => WasmRuntime, x: FloatArray, target: Int32Array, lse: FloatArray, g: FloatArray, cols: number, smoothing: number, dx: FloatArray): void {
  if (!isF32(x, lse, g, dx) || cols === 0 || x.length < ROWS_MIN) {
    return cpuKernels.crossEntropyBackward(x, target, lse, g, cols, smoothing, dx);
  }
  const r = rt();
  const rows = x.length / cols;
  const ops = [{ read: x as Float32Array }, { scratch: rows * 4 }, { read: lse as Float32Array }, { read: g as Float32Array }, { write: dx as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, ta, la, ga, da] = addrs;
  putTargets(r, target, ta);
  const [a, b] = [bits(1 - smoothing), bits(smoothing / cols)];
  splitRows(r, rows, cols, (s, e) => ["crossEntropyBackwardRows", [xa + s * cols * 4, ta + s * 4, la + s * 4, ga + s * 4, da + s * cols * 4, e - s, cols, a, b]]);
  r.writeBack(ops, addrs);
}
