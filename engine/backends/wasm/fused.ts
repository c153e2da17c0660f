// float32 fused kernels on wasm SIMD (kernels/norm.ts, kernels/binary.ts): GELU forward and backward as maps,
// layer norm forward and backward as row kernels, the AdamW update, each split over the worker pool when large enough. Operands resident in wasm
// memory are used where they live; small calls and other dtypes go to the cpu reference.
import type { FloatArray } from "../../dtype.ts";
import type { AdamWStep } from "../backend.ts";
import { cpuKernels } from "../cpu/index.ts";
import { f32Bits as bits } from "./emit/encoding.ts";
import type { Operand, WasmRuntime } from "./runtime.ts";
import { isF32, mapVectors, splitJobs, threadsFor } from "./split.ts";

/** Elements below which the reference loop is as fast as a kernel call. */
const FUSED_MIN = 1024;
/** Elements per thread below which a split costs more (worker wake-up) than it saves; tests lower it. */
export const fusedTuning = { splitElements: 1 << 14 };
export function geluWith(rt: () => WasmRuntime, x: FloatArray, out: FloatArray): void {
  if (!(x instanceof Float32Array && out instanceof Float32Array) || x.length < FUSED_MIN) return cpuKernels.gelu(x, out);
  mapVectors(rt(), "gelu", [x], out, fusedTuning.splitElements);
}

export function geluBackwardWith(rt: () => WasmRuntime, x: FloatArray, g: FloatArray, out: FloatArray): void {
  if (!(x instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array) || x.length < FUSED_MIN) return cpuKernels.geluBackward(x, g, out);
  mapVectors(rt(), "geluBackward", [x, g], out, fusedTuning.splitElements);
}

/** Weight or bias as an operand: the array, or scratch the caller fills with `fill` (ones or zeros). */
const param = (p: Float32Array | null, cols: number): Operand => (p ? { read: p } : { scratch: cols * 4 });

export function layerNormWith(rt: () => WasmRuntime, x: FloatArray, cols: number, weight: FloatArray | null, bias: FloatArray | null, eps: number, out: FloatArray, mean: FloatArray, rstd: FloatArray): void {
  if (!isF32(x, weight, bias, out, mean, rstd) || cols === 0 || x.length < FUSED_MIN) {
    return cpuKernels.layerNorm(x, cols, weight, bias, eps, out, mean, rstd);
  }
  const r = rt();
  const rows = mean.length;
  const ops: Operand[] = [{ read: x as Float32Array }, param(weight as Float32Array | null, cols), param(bias as Float32Array | null, cols), { write: out as Float32Array }, { write: mean as Float32Array }, { write: rstd as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, wa, ba, oa, ma, sa] = addrs;
  if (!weight) r.f32.fill(1, wa / 4, wa / 4 + cols);
  if (!bias) r.f32.fill(0, ba / 4, ba / 4 + cols);
  const threads = threadsFor(r, x.length, fusedTuning.splitElements, rows);
  r.parallel(splitJobs(threads, rows, (s, e) =>
    ["layerNormRows", [xa + s * cols * 4, wa, ba, oa + s * cols * 4, ma + s * 4, sa + s * 4, e - s, cols, bits(eps)]]));
  r.writeBack(ops, addrs);
}

/**
 * Each thread accumulates dw and db of its rows into zeroed scratch of its own; the partial sums are added
 * into dw and db here (cols × threads adds).
 */
export function layerNormBackwardWith(rt: () => WasmRuntime, x: FloatArray, g: FloatArray, cols: number, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, dx: FloatArray, dw: FloatArray | null, db: FloatArray | null): void {
  if (!isF32(x, g, weight, mean, rstd, dx, dw, db) || cols === 0 || x.length < FUSED_MIN) {
    return cpuKernels.layerNormBackward(x, g, cols, weight, mean, rstd, dx, dw, db);
  }
  const r = rt();
  const rows = mean.length;
  const threads = threadsFor(r, x.length, fusedTuning.splitElements, rows);
  const ops: Operand[] = [
    { read: x as Float32Array }, { read: g as Float32Array }, param(weight as Float32Array | null, cols),
    { read: mean as Float32Array }, { read: rstd as Float32Array }, { write: dx as Float32Array }, { scratch: threads * cols * 8 },
  ];
  const addrs = r.layout(ops);
  const [xa, ga, wa, ma, sa, da, partials] = addrs;
  if (!weight) r.f32.fill(1, wa / 4, wa / 4 + cols);
  r.f32.fill(0, partials / 4, partials / 4 + threads * cols * 2);
  r.parallel(splitJobs(threads, rows, (s, e, t) => {
    const dwAt = partials + t * cols * 8;
    return ["layerNormBackwardRows", [xa + s * cols * 4, ga + s * cols * 4, wa, ma + s * 4, sa + s * 4,
      da + s * cols * 4, dwAt, dwAt + cols * 4, e - s, cols]];
  }));
  const f32 = r.f32;
  for (let t = 0; t < threads; t++) {
    const at = partials / 4 + t * cols * 2;
    for (let j = 0; j < cols; j++) {
      if (dw) dw[j] += f32[at + j];
      if (db) db[j] += f32[at + cols + j];
    }
  }
  r.writeBack(ops, addrs);
}

/** The AdamW update in place (see KernelTable.adamw); the constants are formed here, in double, as the reference does. */
export function adamwWith(rt: () => WasmRuntime, p: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, o: AdamWStep): void {
  if (!isF32(p, g, m, v) || p.length < FUSED_MIN) return cpuKernels.adamw(p, g, m, v, o);
  const r = rt();
  const n = p.length;
  const [pf, gf, mf, vf] = [p, g, m, v] as Float32Array[];
  const ops: Operand[] = [{ read: pf }, { read: gf }, { read: mf }, { read: vf }, { write: pf }, { write: mf }, { write: vf }];
  const addrs = r.layout(ops);
  const consts = [1 - o.lr * o.weightDecay, o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, o.lr / (1 - o.beta1 ** o.step), Math.sqrt(1 - o.beta2 ** o.step), o.eps].map(bits);
  const threads = threadsFor(r, n, fusedTuning.splitElements, n);
  r.parallel(splitJobs(threads, n, (s, e) => ["adamw", [...addrs.map((a) => a + s * 4), e - s, ...consts]]));
  r.writeBack(ops, addrs);
}
