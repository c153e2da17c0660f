// The wasm backend: SIMD kernels emitted from TypeScript at run time, for float32 work large enough to
// repay copying into linear memory. Everything else (float64, int32, small calls) stays on cpu.
import type { FloatArray } from "../../dtype.ts";
import type { Backend, KernelTable, UnaryOp } from "../backend.ts";
import type { TypedArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";
import { attentionWith } from "../cpu/attention.ts";
import { hasWasmSimd } from "./emit/detect.ts";
import { binaryWith, clampWith, unaryWith, whereWith } from "./elementwise.ts";
import { matmulF32 } from "./matmul.ts";
import { bernoulliMaskWith } from "./random.ts";
import { applyDropoutWith } from "./dropout.ts";
import { stridedAccumulateWith, stridedCopyWith } from "./movement.ts";
import { reduceRowsWith, sumAxisWith } from "./reduce.ts";
import { gatherWith, indexAddWith, indexSelectWith, scatterAddWith } from "./indexing.ts";
import { adamwWith, geluBackwardWith, geluWith, layerNormBackwardWith, layerNormWith } from "./fused.ts";
import { crossEntropyBackwardWith, crossEntropyWith, softmaxBackwardWith, softmaxWith } from "./softmax.ts";
import { MAX_MEMORY_BYTES, WasmRuntime, defaultThreads } from "./runtime.ts";

/** Multiply-adds below which the copy in and out costs more than the reference kernel's loop. */
const MATMUL_MIN_WORK = 4096;

let runtime: WasmRuntime | undefined;
let wantThreads: number | undefined;

/**
 * The tensor heap's cap in bytes: AETNET_WASM_MEMORY_MB (up to 4 GiB, all a 32-bit memory addresses), else
 * 2 GiB. Linear memory never shrinks, and code that allocates without tidy() grows it until finalizers run,
 * so the default stays below the 4 GiB; it is above what AETNet's `small` training step at the FUNSD shape
 * (B4×T256) holds at its peak (1.1 GiB), which past a 1 GiB cap spilled tensors to the JS heap and copied
 * ~1.3 GB in and out of wasm memory per step.
 */
const DEFAULT_LIMIT_BYTES = 2 ** 31;
function defaultMemoryLimit(): number {
  const mb = Number(typeof process === "undefined" ? undefined : process.env.AETNET_WASM_MEMORY_MB);
  return Number.isFinite(mb) && mb > 0 ? Math.min(MAX_MEMORY_BYTES, mb * 2 ** 20) : DEFAULT_LIMIT_BYTES;
}

/** The runtime, built on first use (compiling the module and starting the worker pool). */
export function wasmRuntime(): WasmRuntime {
  runtime ??= new WasmRuntime(wantThreads ?? defaultThreads(), defaultMemoryLimit());
  return runtime;
}

/**
 * Sets how many threads wasm kernels split across (tests run 1 and 2); the pool only ever grows. The runtime
 * is replaced only where memory is not shared (no SharedArrayBuffer): then no tensor lives in it.
 */
export function setWasmThreads(n: number): void {
  wantThreads = n;
  if (runtime) {
    if (n > 1 && !runtime.shared) runtime = new WasmRuntime(n, runtime.heap.limit);
    else runtime.setThreads(n);
  }
}

/** Threads the wasm kernels split across, once the runtime exists (undefined before its first use). */
export const wasmThreads = (): number | undefined => runtime?.threads;

/** Builds the runtime now and resolves once its worker threads serve calls (setBackend awaits this). */
export async function wasmThreadsReady(): Promise<number> {
  const rt = wasmRuntime();
  await rt.ready();
  return rt.threads;
}

/**
 * Caps the bytes of wasm memory that tensors may take (at most 4 GiB); tensors past it live on the JS heap,
 * where kernels copy them in and out: slower, never an error. Memory already in use stays where it is.
 */
export function setWasmMemoryLimit(bytes: number): void {
  wasmRuntime().heap.setLimit(Math.min(MAX_MEMORY_BYTES, Math.max(0, bytes)));
}

const isF32 = (x: FloatArray): x is Float32Array => x instanceof Float32Array;

function matmul(a: FloatArray, b: FloatArray, out: FloatArray, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  if (isF32(a) && isF32(b) && isF32(out) && m * n * k >= MATMUL_MIN_WORK) matmulF32(wasmRuntime(), a, b, out, batch, m, k, n, transA, transB);
  else cpuKernels.matmul(a, b, out, batch, m, k, n, transA, transB);
}

/** The linear layer's forward as one GEMM whose write-out adds the bias (and applies GELU). */
const linear: KernelTable["linear"] = (x, w, bias, rows, inF, outF, gelu, out, pre) => {
  if (isF32(x) && isF32(w) && isF32(bias) && isF32(out) && (!pre || isF32(pre)) && rows * inF * outF >= MATMUL_MIN_WORK) {
    matmulF32(wasmRuntime(), x, w, out, 1, rows, inF, outF, false, true, { bias, pre, gelu });
  } else cpuKernels.linear(x, w, bias, rows, inF, outF, gelu, out, pre);
};

const binary: KernelTable["binary"] = (op, a, sa, b, sb, shape, out) => binaryWith(wasmRuntime, op, a, sa, b, sb, shape, out);
const unary = (op: UnaryOp, x: TypedArray, out: TypedArray): void => unaryWith(wasmRuntime, op, x, out);
const clamp: KernelTable["clamp"] = (x, lo, hi, out) => clampWith(wasmRuntime, x, lo, hi, out);
const where: KernelTable["where"] = (cond, a, b, out) => whereWith(wasmRuntime, cond, a, b, out);
const bernoulliMask: KernelTable["bernoulliMask"] = (state, p, keep, out) => bernoulliMaskWith(wasmRuntime, state, p, keep, out);
const softmax = (x: FloatArray, cols: number, out: FloatArray, log: boolean): void => softmaxWith(wasmRuntime, x, cols, out, log);
const softmaxBackward: KernelTable["softmaxBackward"] = (y, g, cols, out, log) => softmaxBackwardWith(wasmRuntime, y, g, cols, out, log);
const gelu: KernelTable["gelu"] = (x, out) => geluWith(wasmRuntime, x, out);
const geluBackward: KernelTable["geluBackward"] = (x, g, out) => geluBackwardWith(wasmRuntime, x, g, out);
const layerNorm: KernelTable["layerNorm"] = (x, cols, w, b, eps, out, mean, rstd) => layerNormWith(wasmRuntime, x, cols, w, b, eps, out, mean, rstd);
const layerNormBackward: KernelTable["layerNormBackward"] = (x, g, cols, w, mean, rstd, dx, dw, db) => layerNormBackwardWith(wasmRuntime, x, g, cols, w, mean, rstd, dx, dw, db);
const adamw: KernelTable["adamw"] = (p, g, m, v, step) => adamwWith(wasmRuntime, p, g, m, v, step);
const crossEntropy: KernelTable["crossEntropy"] = (x, t, cols, eps, loss, lse) => crossEntropyWith(wasmRuntime, x, t, cols, eps, loss, lse);
const crossEntropyBackward: KernelTable["crossEntropyBackward"] = (x, t, lse, g, cols, eps, dx) => crossEntropyBackwardWith(wasmRuntime, x, t, lse, g, cols, eps, dx);

const stridedCopy: KernelTable["stridedCopy"] = (src, off, st, shape, out) => stridedCopyWith(wasmRuntime, src, off, st, shape, out);
const stridedAccumulate: KernelTable["stridedAccumulate"] = (src, dst, off, st, shape) => stridedAccumulateWith(wasmRuntime, src, dst, off, st, shape);
const sumAxis: KernelTable["sumAxis"] = (x, outer, size, inner, out) => sumAxisWith(wasmRuntime, x, outer, size, inner, out);
const reduceRows: KernelTable["reduceRows"] = (op, x, len, out) => reduceRowsWith(wasmRuntime, op, x, len, out);
const indexSelect: KernelTable["indexSelect"] = (x, i, outer, size, inner, out) => indexSelectWith(wasmRuntime, x, i, outer, size, inner, out);
const indexAdd: KernelTable["indexAdd"] = (src, i, outer, size, inner, dst) => indexAddWith(wasmRuntime, src, i, outer, size, inner, dst);
const gather: KernelTable["gather"] = (x, i, outer, size, is, inner, out) => gatherWith(wasmRuntime, x, i, outer, size, is, inner, out);
const scatterAdd: KernelTable["scatterAdd"] = (src, i, outer, size, is, inner, dst) => scatterAddWith(wasmRuntime, src, i, outer, size, is, inner, dst);

// Fused attention: the same kernel pair as cpu's, over the SIMD GEMM, softmax and dropout.
// Its dropped-out weights live in the wasm heap, so the GEMM reads them without a copy.
const { attention, attentionBackward } = attentionWith({
  matmul, softmax, softmaxBackward,
  temp: (n) => wasmRuntime().allocF32(n, false),
  release: (x) => { if (wasmRuntime().addressOf(x) >= 0) wasmRuntime().freeF32(x); },
  dropout: (x, drop, out) => applyDropoutWith(wasmRuntime, x, drop, out),
});

export const wasmKernels: Partial<KernelTable> = { matmul, linear, unary, binary, clamp, where, bernoulliMask, softmax, softmaxBackward, crossEntropy, crossEntropyBackward, stridedCopy, gelu, geluBackward, layerNorm, layerNormBackward, adamw, attention, attentionBackward,
  stridedAccumulate, sumAxis, reduceRows, indexSelect, indexAdd, gather, scatterAdd };

/** The backend, or null where the runtime cannot validate WebAssembly SIMD. */
export function wasmBackend(): Backend | null {
  return hasWasmSimd() ? { name: "wasm", kernels: wasmKernels } : null;
}
