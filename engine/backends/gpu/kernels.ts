// The GPU kernel library of the engine's gpu backend, in gpu.js. Every operand is a flat, contiguous, row-major
// float32 array held on the device as a gpu.js handle (GpuHandle); host data enters through `upload` and leaves
// through `read`. The semantics of each method are those of the cpu reference kernel of the same name
// (engine/backends/cpu, documented on KernelTable in engine/backends/backend.ts), with shapes passed explicitly.
//
// gpu.js's GL backends and its cpu mode run kernels synchronously, its WebGPU backend asynchronously, so every
// method that runs kernels is a generator: drive it with runSync or runAsync (./generators.ts), e.g.
//   const out = await runAsync(kernels.matmul(a, b, 1, m, k, n, false, false));
// Each returned handle is fresh (no later call overwrites it) and owned by the caller: release it with free().
// Intermediate buffers are released before a method returns. Sizes are limited to 2^24 elements per operand.
import type { GPU } from "gpu.js";
import type { AdamWStep, AttentionDims, BinaryOp, ReduceOp, ScoreView, UnaryOp } from "../backend.ts";
import { EMPTY, KernelRuntime, MAX_ELEMENTS, type GpuHandle, type GpuOp } from "./kernels/runtime.ts";
import * as S from "./kernels/sources.ts";
import { DeviceError } from "../../errors.ts";

export { MAX_ELEMENTS, type GpuHandle, type GpuOp } from "./kernels/runtime.ts";

/** A score view (see AttentionDims, ScoreView in backend.ts) over a device handle. */
export type GpuScoreView = ScoreView<GpuHandle>;

const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/**
 * Drops size-1 dims and merges dims that are contiguous in every operand (stride[d] = stride[d+1]·shape[d+1]),
 * so the kernel does the fewest index divisions and equal-layout calls share one compiled kernel.
 */
function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    if (last >= 0 && strides.every((s, o) => outStrides[o][last] === s[d] * shape[d])) {
      outShape[last] *= shape[d];
      strides.forEach((s, o) => { outStrides[o][last] = s[d]; });
    } else {
      outShape.push(shape[d]);
      strides.forEach((s, o) => outStrides[o].push(s[d]));
    }
  }
  return { shape: outShape, strides: outStrides };
}

export class GpuKernels {
  private readonly rt: KernelRuntime;

  /** `maxKernels` bounds the compiled-kernel cache (least recently used kernels are destroyed past it). */
  constructor(readonly gpu: GPU, opts: { maxKernels?: number } = {}) {
    this.rt = new KernelRuntime(gpu, opts.maxKernels ?? 512);
  }

  /** Constructor name of the gpu.js kernel that ran last, e.g. 'WebGPUKernel' ('CPUKernel' means gpu.js fell back to the cpu). */
  get kernelName(): string { return this.rt.kernelName; }

  /** Number of compiled kernels cached. */
  get cachedKernels(): number { return this.rt.size; }

  /** Logical element count of a handle. */
  lengthOf(h: GpuHandle): number { return this.rt.lengthOf(h); }

  /** Copies host data to a new device handle. */
  *upload(data: Float32Array): GpuOp<GpuHandle> {
    const n = data.length;
    const h = yield* this.rt.run("upload", S.UPLOAD_SOURCE, {}, n, [data]);
    this.rt.releaseArgumentBuffers("upload", {}, n);
    return h;
  }

  /** Reads a handle back: a Float32Array of exactly its logical length (a Promise on WebGPU). */
  read(h: GpuHandle): Float32Array | Promise<Float32Array> { return this.rt.read(h); }

  /** Releases a handle's device memory (null and the empty handle are ignored). */
  free(h: GpuHandle | null | undefined): void { this.rt.free(h); }

  /** A new handle of n copies of value. */
  *fill(n: number, value: number): GpuOp<GpuHandle> {
    return yield* this.rt.run("fill", S.FILL_SOURCE, { VALUE: value }, n, []);
  }

  *unary(op: UnaryOp, x: GpuHandle, n: number): GpuOp<GpuHandle> {
    this.need(x, n, `unary ${op}`);
    return yield* this.rt.run(`unary.${op}`, S.unarySource(op), {}, n, [x]);
  }

  /** out[idx] = f(a[Σ idx_d·sa_d], b[Σ idx_d·sb_d]) over outShape; strides are 0 on broadcast dims; comparisons give 1/0. */
  *binary(op: BinaryOp, a: GpuHandle, sa: readonly number[], b: GpuHandle, sb: readonly number[], outShape: readonly number[]): GpuOp<GpuHandle> {
    if (sa.length !== outShape.length || sb.length !== outShape.length) throw new DeviceError(`gpu binary ${op}`, `strides [${sa}] / [${sb}] do not match the rank of shape [${outShape}]`);
    const n = prod(outShape);
    if (n === 0) return EMPTY;
    this.reach(a, 0, sa, outShape, `binary ${op} (a)`);
    this.reach(b, 0, sb, outShape, `binary ${op} (b)`);
    const c = collapse(outShape, [sa, sb]);
    const constants: Record<string, number> = { OFF: 0 };
    c.shape.forEach((s, d) => { constants[`D${d}`] = s; constants[`SA${d}`] = c.strides[0][d]; constants[`SB${d}`] = c.strides[1][d]; });
    return yield* this.rt.run(`binary.${op}.${c.shape.length}`, S.binarySource(op, c.shape.length), constants, n, [a, b]);
  }

  /** out[idx] = src[offset + Σ idx_d·strides_d] over outShape (permute, expand, slice). */
  *stridedCopy(src: GpuHandle, offset: number, strides: readonly number[], outShape: readonly number[]): GpuOp<GpuHandle> {
    if (strides.length !== outShape.length) throw new DeviceError(`gpu stridedCopy`, `strides [${strides}] do not match the rank of shape [${outShape}]`);
    const n = prod(outShape);
    if (n === 0) return EMPTY;
    this.reach(src, offset, strides, outShape, "stridedCopy");
    const c = collapse(outShape, [strides]);
    const constants: Record<string, number> = { OFF: offset };
    c.shape.forEach((s, d) => { constants[`D${d}`] = s; constants[`SA${d}`] = c.strides[0][d]; });
    return yield* this.rt.run(`stridedCopy.${c.shape.length}`, S.stridedCopySource(c.shape.length), constants, n, [src]);
  }

  /** out[i] = min(max(x[i], lo), hi); lo and hi are kernel arguments (no recompile when they change). */
  *clamp(x: GpuHandle, n: number, lo: number, hi: number): GpuOp<GpuHandle> {
    this.need(x, n, "clamp");
    return yield* this.rt.run("clamp", S.CLAMP_SOURCE, {}, n, [x, lo, hi]);
  }

  /** out[i] = cond[i] != 0 ? a[i] : b[i]. */
  *where(cond: GpuHandle, a: GpuHandle, b: GpuHandle, n: number): GpuOp<GpuHandle> {
    this.need(cond, n, "where (cond)"); this.need(a, n, "where (a)"); this.need(b, n, "where (b)");
    return yield* this.rt.run("where", S.WHERE_SOURCE, {}, n, [cond, a, b]);
  }

  /** One value per contiguous row of x [rows, cols] → [rows] (arg* give the index as a float). */
  *reduceRows(op: ReduceOp, x: GpuHandle, rows: number, cols: number): GpuOp<GpuHandle> {
    this.need(x, rows * cols, `reduceRows ${op}`);
    if (cols === 0 && op !== "sum") throw new DeviceError(`gpu reduceRows ${op}`, `rows of length 0 have no ${op}`);
    return yield* this.rt.run(`reduceRows.${op}`, S.reduceRowsSource(op), { COLS: cols }, rows, [x]);
  }

  /** For x viewed as [outer, size, inner]: out[o, i] = Σ_j x[o, j, i] → [outer, inner]. */
  *sumAxis(x: GpuHandle, outer: number, size: number, inner: number): GpuOp<GpuHandle> {
    this.need(x, outer * size * inner, "sumAxis");
    return yield* this.rt.run("sumAxis", S.SUM_AXIS_SOURCE, { INNER: inner, SIZE: size }, outer * inner, [x]);
  }

  /**
   * Batched matmul → [batch, m, n]: a is [batch, m, k] (or [batch, k, m] if transA), b is [batch, k, n]
   * (or [batch, n, k] if transB).
   */
  *matmul(a: GpuHandle, b: GpuHandle, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): GpuOp<GpuHandle> {
    return yield* this.matmulScaled(a, b, batch, m, k, n, transA, transB, 1);
  }

  private *matmulScaled(a: GpuHandle, b: GpuHandle, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean, alpha: number): GpuOp<GpuHandle> {
    this.need(a, batch * m * k, "matmul (a)"); this.need(b, batch * k * n, "matmul (b)");
    const name = `matmul.${transA ? "T" : "N"}${transB ? "T" : "N"}`;
    const constants = { M: m, K: k, N: n, MK: m * k, KN: k * n, ALPHA: alpha };
    return yield* this.rt.run(name, S.matmulSource(transA, transB), constants, batch * m * n, [a, b]);
  }

  /** Row-wise softmax (or log-softmax) of x [rows, cols], numerically stable (the row max is subtracted). */
  *softmax(x: GpuHandle, rows: number, cols: number, log: boolean): GpuOp<GpuHandle> {
    this.need(x, rows * cols, "softmax");
    if (rows * cols === 0) return EMPTY;
    const stats = yield* this.rt.run("softmax.stats", S.SOFTMAX_STATS_SOURCE, { COLS: cols }, 2 * rows, [x]);
    try {
      return yield* this.rt.run(`softmax.apply.${log ? "log" : "lin"}`, S.softmaxApplySource(log), { COLS: cols }, rows * cols, [x, stats]);
    } finally {
      this.free(stats);
    }
  }

  /** Softmax backward from the output y: y·(g − Σ g·y) per row, or for log-softmax g − exp(y)·Σ g. */
  *softmaxBackward(y: GpuHandle, g: GpuHandle, rows: number, cols: number, log: boolean): GpuOp<GpuHandle> {
    this.need(y, rows * cols, "softmaxBackward (y)"); this.need(g, rows * cols, "softmaxBackward (g)");
    if (rows * cols === 0) return EMPTY;
    const mode = log ? "log" : "lin";
    const dot = yield* this.rt.run(`softmaxBackward.dot.${mode}`, S.rowDotSource(log), { COLS: cols }, rows, [y, g]);
    try {
      return yield* this.rt.run(`softmaxBackward.apply.${mode}`, S.softmaxBackwardApplySource(log, false), { COLS: cols }, rows * cols, [y, g, dot]);
    } finally {
      this.free(dot);
    }
  }

  /**
   * Layer norm over rows of x [rows, cols] → [out, mean, rstd]: out = (x − mean)·rstd·w + b (w, b optional,
   * length cols), mean and rstd = 1/√(var + eps) (biased variance) per row.
   */
  *layerNorm(x: GpuHandle, rows: number, cols: number, weight: GpuHandle | null, bias: GpuHandle | null, eps: number): GpuOp<[GpuHandle, GpuHandle, GpuHandle]> {
    this.need(x, rows * cols, "layerNorm (x)");
    if (weight) this.need(weight, cols, "layerNorm (weight)");
    if (bias) this.need(bias, cols, "layerNorm (bias)");
    const mean = yield* this.rt.run("layerNorm.mean", S.LN_MEAN_SOURCE, { COLS: cols }, rows, [x]);
    let rstd: GpuHandle | null = null;
    try {
      rstd = yield* this.rt.run("layerNorm.rstd", S.LN_RSTD_SOURCE, { COLS: cols, EPS: eps }, rows, [x, mean]);
      const args = [x, mean, rstd, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
      const out = yield* this.rt.run(`layerNorm.apply.${weight ? "w" : ""}${bias ? "b" : ""}`, S.lnApplySource(!!weight, !!bias), { COLS: cols }, rows * cols, args);
      return [out, mean, rstd];
    } catch (e) {
      this.free(mean); this.free(rstd);
      throw e;
    }
  }

  /**
   * Layer-norm backward from the saved mean/rstd → [dx, dw, db]: with x̂ = (x − mean)·rstd and ĝ = g·w,
   * dx = rstd·(ĝ − mean_row(ĝ) − x̂·mean_row(ĝ·x̂)); dw = Σ_rows g·x̂ and db = Σ_rows g when wantWeightGrads, else null.
   */
  *layerNormBackward(x: GpuHandle, g: GpuHandle, rows: number, cols: number, weight: GpuHandle | null, mean: GpuHandle, rstd: GpuHandle, wantWeightGrads: boolean): GpuOp<[GpuHandle, GpuHandle | null, GpuHandle | null]> {
    this.need(x, rows * cols, "layerNormBackward (x)"); this.need(g, rows * cols, "layerNormBackward (g)");
    this.need(mean, rows, "layerNormBackward (mean)"); this.need(rstd, rows, "layerNormBackward (rstd)");
    if (weight) this.need(weight, cols, "layerNormBackward (weight)");
    const w = weight ? [weight] : [];
    const made: GpuHandle[] = [];
    try {
      let dx: GpuHandle = EMPTY;
      if (rows * cols > 0) {
        const st = yield* this.rt.run(`layerNormBackward.stats.${weight ? "w" : ""}`, S.lnBackStatsSource(!!weight), { COLS: cols }, 2 * rows, [x, g, mean, rstd, ...w]);
        try {
          dx = yield* this.rt.run(`layerNormBackward.dx.${weight ? "w" : ""}`, S.lnBackDxSource(!!weight), { COLS: cols }, rows * cols, [x, g, mean, rstd, st, ...w]);
        } finally {
          this.free(st);
        }
      }
      made.push(dx);
      if (!wantWeightGrads) return [dx, null, null];
      const dw = yield* this.rt.run("layerNormBackward.dw", S.LN_BACK_DW_SOURCE, { COLS: cols, ROWS: rows }, cols, [x, g, mean, rstd]);
      made.push(dw);
      const db = yield* this.sumAxis(g, 1, rows, cols);
      return [dx, dw, db];
    } catch (e) {
      for (const h of made) this.free(h);
      throw e;
    }
  }

  /** Exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)). */
  *gelu(x: GpuHandle, n: number): GpuOp<GpuHandle> {
    this.need(x, n, "gelu");
    return yield* this.rt.run("gelu", S.GELU_SOURCE, {}, n, [x]);
  }

  /** g·GELU'(x) = g·(Φ(x) + x·φ(x)). */
  *geluBackward(x: GpuHandle, g: GpuHandle, n: number): GpuOp<GpuHandle> {
    this.need(x, n, "geluBackward (x)"); this.need(g, n, "geluBackward (g)");
    return yield* this.rt.run("geluBackward", S.GELU_BACKWARD_SOURCE, {}, n, [x, g]);
  }

  /**
   * Attention forward → [probs, out]: probs = softmax_j(scale·q kᵀ + bias, keys whose keyMask element is 0 at the
   * lowest finite float32, so a fully masked row is uniform), out = probs @ v [batch, lq, dv].
   */
  *attention(q: GpuHandle, k: GpuHandle, v: GpuHandle, dims: AttentionDims, bias: GpuScoreView | null, keyMask: GpuScoreView | null): GpuOp<[GpuHandle, GpuHandle]> {
    const { batch, lq, lk, d, dv, scale } = dims;
    this.need(q, batch * lq * d, "attention (q)"); this.need(k, batch * lk * d, "attention (k)"); this.need(v, batch * lk * dv, "attention (v)");
    const constants: Record<string, number | number[]> = { LQ: lq, LK: lk, D: d, SCALE: scale, LOWEST: S.LOWEST_F32 };
    const args: GpuHandle[] = [q, k];
    if (bias) { Object.assign(constants, this.view(bias, dims, "B", "attention (bias)")); args.push(bias.data); }
    if (keyMask) { Object.assign(constants, this.view(keyMask, dims, "M", "attention (keyMask)")); args.push(keyMask.data); }
    const scores = yield* this.rt.run(`attention.scores.${bias ? "b" : ""}${keyMask ? "m" : ""}`, S.attentionScoresSource(!!bias, !!keyMask), constants, batch * lq * lk, args);
    let probs: GpuHandle | null = null;
    try {
      probs = yield* this.softmax(scores, batch * lq, lk, false);
      const out = yield* this.matmul(probs, v, batch, lq, lk, dv, false, false);
      return [probs, out];
    } catch (e) {
      this.free(probs);
      throw e;
    } finally {
      this.free(scores);
    }
  }

  /**
   * Attention backward from the saved probs P and upstream g [batch, lq, dv] → [dScores, dq, dk, dv]: dv = Pᵀg,
   * dP = g vᵀ, dScores = P ⊙ (dP − Σ_j dP⊙P) and 0 at masked keys, dq = scale·dScores k, dk = scale·dScoresᵀ q.
   */
  *attentionBackward(q: GpuHandle, k: GpuHandle, v: GpuHandle, probs: GpuHandle, g: GpuHandle, dims: AttentionDims, keyMask: GpuScoreView | null): GpuOp<[GpuHandle, GpuHandle, GpuHandle, GpuHandle]> {
    const { batch, lq, lk, d, dv, scale } = dims;
    this.need(q, batch * lq * d, "attentionBackward (q)"); this.need(k, batch * lk * d, "attentionBackward (k)");
    this.need(v, batch * lk * dv, "attentionBackward (v)"); this.need(probs, batch * lq * lk, "attentionBackward (probs)");
    this.need(g, batch * lq * dv, "attentionBackward (g)");
    const made: GpuHandle[] = [];
    const temps: GpuHandle[] = [];
    try {
      const dV = yield* this.matmul(probs, g, batch, lk, lq, dv, true, false);
      made.push(dV);
      const dP = yield* this.matmul(g, v, batch, lq, dv, lk, false, true);
      temps.push(dP);
      const rows = batch * lq;
      let dS: GpuHandle = EMPTY;
      if (rows * lk > 0) {
        const dot = yield* this.rt.run("softmaxBackward.dot.lin", S.rowDotSource(false), { COLS: lk }, rows, [probs, dP]);
        temps.push(dot);
        const constants: Record<string, number | number[]> = { COLS: lk, LQ: lq };
        const args = [probs, dP, dot];
        if (keyMask) { Object.assign(constants, this.view(keyMask, dims, "M", "attentionBackward (keyMask)")); args.push(keyMask.data); }
        dS = yield* this.rt.run(`softmaxBackward.apply.lin${keyMask ? ".masked" : ""}`, S.softmaxBackwardApplySource(false, !!keyMask), constants, rows * lk, args);
      }
      made.push(dS);
      const dQ = yield* this.matmulScaled(dS, k, batch, lq, lk, d, false, false, scale);
      made.push(dQ);
      const dK = yield* this.matmulScaled(dS, q, batch, lk, lq, d, true, false, scale);
      return [dS, dQ, dK, dV];
    } catch (e) {
      for (const h of made) this.free(h);
      throw e;
    } finally {
      for (const h of temps) this.free(h);
    }
  }

  /**
   * One AdamW update (decoupled weight decay, bias-corrected moments, torch's order of operations) → [p2, m2, v2]:
   * m2 = β1·m + (1−β1)·g, v2 = β2·v + (1−β2)·g², p2 = p·(1 − lr·wd) − lr/(1−β1ᵗ)·m2 / (√v2/√(1−β2ᵗ) + eps).
   */
  *adamw(p: GpuHandle, g: GpuHandle, m: GpuHandle, v: GpuHandle, n: number, o: AdamWStep): GpuOp<[GpuHandle, GpuHandle, GpuHandle]> {
    this.need(p, n, "adamw (p)"); this.need(g, n, "adamw (g)"); this.need(m, n, "adamw (m)"); this.need(v, n, "adamw (v)");
    if (!(o.step >= 1)) throw new DeviceError(`gpu adamw`, `step must be the step count after this update (>= 1), got ${o.step}`);
    const { lr, beta1: b1, beta2: b2, eps, weightDecay } = o;
    const stepSize = lr / (1 - b1 ** o.step);
    const c2 = Math.sqrt(1 - b2 ** o.step);
    const p2 = yield* this.rt.run("adamw.p", S.ADAMW_P_SOURCE, {}, n, [p, g, m, v, 1 - lr * weightDecay, b1, 1 - b1, b2, 1 - b2, stepSize, c2, eps]);
    let m2: GpuHandle | null = null;
    try {
      m2 = yield* this.rt.run("adamw.m", S.ADAMW_M_SOURCE, {}, n, [g, m, b1, 1 - b1]);
      const v2 = yield* this.rt.run("adamw.v", S.ADAMW_V_SOURCE, {}, n, [g, v, b2, 1 - b2]);
      return [p2, m2, v2];
    } catch (e) {
      this.free(p2); this.free(m2);
      throw e;
    }
  }

  /** Constants of a score view: <P>O (per-batch offsets), <P>RS, <P>CS; checks its reach into the data. */
  private view(s: GpuScoreView, dims: AttentionDims, p: string, what: string): Record<string, number | number[]> {
    const offsets = Array.from(s.offsets);
    if (offsets.length < dims.batch) throw new DeviceError(`gpu ${what}`, `${offsets.length} offsets for a batch of ${dims.batch}`);
    offsets.length = dims.batch;
    const len = this.lengthOf(s.data);
    for (const off of offsets) {
      const last = off + (dims.lq - 1) * s.rowStride + (dims.lk - 1) * s.colStride;
      if (dims.lq * dims.lk > 0 && (Math.min(off, last) < 0 || Math.max(off, last) >= len)) throw new DeviceError(`gpu ${what}`, `the view reaches outside its ${len} elements`);
    }
    return { [`${p}O`]: offsets, [`${p}RS`]: s.rowStride, [`${p}CS`]: s.colStride };
  }

  /** Checks a handle holds at least n elements. */
  private need(h: GpuHandle, n: number, what: string): void {
    const len = this.lengthOf(h);
    if (len < n) throw new DeviceError(`gpu ${what}`, `the operand has ${len} elements, ${n} are needed`);
    if (n > MAX_ELEMENTS) throw new DeviceError(`gpu ${what}`, `${n} elements exceed the limit of ${MAX_ELEMENTS} (2^24, float32 indexing)`);
  }

  /** Checks every index offset + Σ idx_d·strides_d of shape lies inside the handle. */
  private reach(h: GpuHandle, offset: number, strides: readonly number[], shape: readonly number[], what: string): void {
    let lo = offset;
    let hi = offset;
    shape.forEach((s, d) => { const span = (s - 1) * strides[d]; if (span < 0) lo += span; else hi += span; });
    const len = this.lengthOf(h);
    if (lo < 0 || hi >= len) throw new DeviceError(`gpu ${what}`, `indices ${lo}..${hi} fall outside the operand's ${len} elements`);
  }
}
