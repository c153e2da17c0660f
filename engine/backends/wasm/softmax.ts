// Row softmax / log-softmax for float32 on wasm SIMD: pass 1 writes exp(x − max) and each row's
// (max, Σ); the per-row constant (1/Σ, or max + ln Σ) is formed here; pass 2 scales or shifts.
import type { FloatArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";
import { share } from "./matmul.ts";
import type { WasmRuntime } from "./runtime.ts";

const SOFTMAX_MIN = 1024;
const SPLIT_ELEMENTS = 1 << 15;

export function softmaxWith(rt: () => WasmRuntime, x: FloatArray, cols: number, out: FloatArray, log: boolean): void {
  // Rows whose length is not a multiple of 4 stay on the reference (the kernel reads whole vectors).
  if (!(x instanceof Float32Array) || !(out instanceof Float32Array) || cols % 4 !== 0 || cols === 0 || x.length < SOFTMAX_MIN) {
    return cpuKernels.softmax(x, cols, out, log);
  }
  const r = rt();
  const n = x.length;
  const rows = n / cols;
  const ops = [{ read: x }, { write: out }, { scratch: rows * 8 }, { scratch: rows * 4 }];
  const addrs = r.layout(ops);
  const [src, dst, stats, consts] = addrs;
  const threads = Math.min(r.threads, Math.max(1, Math.floor(n / SPLIT_ELEMENTS)));
  const split = (fn: string, extra: (s: number) => number[]): void => r.parallel(Array.from({ length: threads }, (_, t) => {
    const [s, e] = share(rows, threads, t);
    return [fn, [src + s * cols * 4, dst + s * cols * 4, e - s, cols, ...extra(s)]] as const;
  }));
  split("softmaxExp", (s) => [stats + s * 8]);
  const f32 = r.f32;
  for (let i = 0; i < rows; i++) {
    const max = f32[stats / 4 + 2 * i];
    const sum = f32[stats / 4 + 2 * i + 1];
    f32[consts / 4 + i] = log ? max + Math.log(sum) : 1 / sum;
  }
  split("softmaxFinish", (s) => [consts + s * 4, log ? 1 : 0]);
  r.writeBack(ops, addrs);
}
