// The kernel contract every backend implements. The cpu table is complete; faster backends
// provide a Partial table and fall back to cpu entries in one place (getKernels).
import type { TypedArray, FloatArray } from "../dtype.ts";

export type UnaryOp = "neg" | "exp" | "log" | "sqrt" | "rsqrt" | "abs" | "tanh" | "sigmoid" | "relu" | "erf" | "sign" | "step";
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export type ReduceOp = "sum" | "max" | "min" | "argmax" | "argmin";

/** Sizes of one fused attention call: q [batch, lq, d], k [batch, lk, d], v [batch, lk, dv], scores [batch, lq, lk]. */
export interface AttentionDims { batch: number; lq: number; lk: number; d: number; dv: number; scale: number }

/** An operand read as [batch, lq, lk] through broadcasting: element (b, i, j) is data[offsets[b] + i·rowStride + j·colStride]. */
export interface ScoreView<T extends TypedArray = FloatArray> { data: T; offsets: Int32Array; rowStride: number; colStride: number }

/** Dropout on the attention weights: keep[b, i, j] nonzero keeps a weight, scaled by `scale` = 1/(1 − p). */
export interface AttentionDropout { keep: Uint8Array; scale: number }

export interface KernelTable {
  /** out[i] = f(x[i]); `out` is preallocated with the result dtype. */
  unary(op: UnaryOp, x: TypedArray, out: TypedArray): void;
  /** out[idx] = f(a[idx·sa], b[idx·sb]) over outShape; strides are 0 on broadcast dims. */
  binary(op: BinaryOp, a: TypedArray, sa: readonly number[], b: TypedArray, sb: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /** Gathers src[offset + idx·strides] for every index of outShape into contiguous out (permute, expand, slice). */
  stridedCopy(src: TypedArray, offset: number, strides: readonly number[], outShape: readonly number[], out: TypedArray): void;
  /** Adds contiguous src into dst[offset + idx·strides] (the adjoint of stridedCopy; dst dims never alias). */
  stridedAccumulate(src: TypedArray, dst: TypedArray, offset: number, strides: readonly number[], shape: readonly number[]): void;
  /** out[i] = min(max(x[i], lo), hi). */
  clamp(x: TypedArray, lo: number, hi: number, out: TypedArray): void;
  /** out[i] = cond[i] != 0 ? a[i] : b[i] over same-length contiguous arrays. */
  where(cond: TypedArray, a: TypedArray, b: TypedArray, out: TypedArray): void;
  /** Reduces each contiguous row of `rowLength` elements of x to one value of out. */
  reduceRows(op: ReduceOp, x: TypedArray, rowLength: number, out: TypedArray): void;
  /** For x viewed as [outer, size, inner]: out[o, i] = Σ_j x[o, j, i] (a sum over middle or leading dims, e.g. a bias gradient). */
  sumAxis(x: TypedArray, outer: number, size: number, inner: number, out: TypedArray): void;
  /**
   * Batched matmul over contiguous operands: out[b] = op(a[b]) @ op(b[b]) where op transposes when asked.
   * a is [batch, m, k] (or [batch, k, m] if transA), b is [batch, k, n] (or [batch, n, k] if transB).
   */
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /** Row-wise softmax (or log-softmax) over contiguous rows of `cols`, numerically stable. */
  softmax(x: FloatArray, cols: number, out: FloatArray, log: boolean): void;
  /** Fused softmax backward per row of `cols` given the output y: y·(g − Σ g·y), or for log-softmax g − exp(y)·Σ g. */
  softmaxBackward(y: FloatArray, g: FloatArray, cols: number, out: FloatArray, log: boolean): void;
  /**
   * Fused layer norm over contiguous rows of `cols`: out = (x − mean)·rstd·w + b (w, b optional, length cols),
   * saving each row's mean and rstd = 1/√(var + eps) (biased variance) for the backward.
   */
  layerNorm(x: FloatArray, cols: number, weight: FloatArray | null, bias: FloatArray | null, eps: number, out: FloatArray, mean: FloatArray, rstd: FloatArray): void;
  /**
   * One-pass layer-norm backward from the saved mean/rstd: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·w;
   * dw += Σ_rows g·x̂ and db += Σ_rows g where given (they must start zeroed).
   */
  layerNormBackward(x: FloatArray, g: FloatArray, cols: number, weight: FloatArray | null, mean: FloatArray, rstd: FloatArray, dx: FloatArray, dw: FloatArray | null, db: FloatArray | null): void;
  /** Exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)). */
  gelu(x: FloatArray, out: FloatArray): void;
  /** out = g·GELU'(x) = g·(Φ(x) + x·φ(x)). */
  geluBackward(x: FloatArray, g: FloatArray, out: FloatArray): void;
  /**
   * Fused attention forward: probs = softmax(scale·q kᵀ + bias, keys with keyMask 0 at the lowest finite value)
   * (saved for the backward), out = (probs ⊙ dropout) @ v.
   */
  attention(q: FloatArray, k: FloatArray, v: FloatArray, dims: AttentionDims, bias: ScoreView | null, keyMask: ScoreView<TypedArray> | null, drop: AttentionDropout | null, probs: FloatArray, out: FloatArray): void;
  /**
   * Its backward from the saved probs P and upstream g: dv = (P⊙M)ᵀg, dS = P ⊙ (dP − Σ_row dP⊙P) with dP = (g vᵀ)⊙M
   * and zero at masked keys (written to dScores, the bias gradient before broadcasting), dq = scale·dS k,
   * dk = scale·dSᵀ q. A null dq/dk/dv is skipped.
   */
  attentionBackward(q: FloatArray, k: FloatArray, v: FloatArray, probs: FloatArray, g: FloatArray, dims: AttentionDims, keyMask: ScoreView<TypedArray> | null, drop: AttentionDropout | null, dScores: FloatArray, dq: FloatArray | null, dk: FloatArray | null, dv: FloatArray | null): void;
  /** For x viewed as [outer, size, inner]: out[o, j, i] = x[o, index[j], i] (torch.index_select). */
  indexSelect(x: TypedArray, index: Int32Array, outer: number, size: number, inner: number, out: TypedArray): void;
  /** Adjoint of indexSelect: dst[o, index[j], i] += src[o, j, i]. */
  indexAdd(src: TypedArray, index: Int32Array, outer: number, size: number, inner: number, dst: TypedArray): void;
  /** For x viewed as [outer, size, inner] and index [outer, idxSize, inner]: out = x[o, index[o,j,i], i]. */
  gather(x: TypedArray, index: Int32Array, outer: number, size: number, idxSize: number, inner: number, out: TypedArray): void;
  /** Adjoint of gather: dst[o, index[o,j,i], i] += src[o, j, i]. */
  scatterAdd(src: TypedArray, index: Int32Array, outer: number, size: number, idxSize: number, inner: number, dst: TypedArray): void;
}

export interface Backend {
  readonly name: string;
  readonly kernels: Partial<KernelTable>;
}
