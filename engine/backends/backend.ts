// The kernel contract every backend implements. The cpu table is complete; faster backends provide a
// Partial table and fall back to cpu entries in one place (registry.ts: dispatch). A table is generic in its
// operands: host typed arrays for cpu and wasm, device buffers for the gpu backend. Outputs are handed in,
// allocated by the backend that runs the kernel, so one op body serves every backend.
import type { TypedArray, FloatArray } from "../dtype.ts";

/** The arrays a backend's kernels operate on: `array` of any dtype, `float` of a floating-point dtype. */
export interface Operands { array: unknown; float: unknown }
/** cpu and wasm: host typed arrays. */
export interface HostOperands extends Operands { array: TypedArray; float: FloatArray }

export type UnaryOp = "neg" | "exp" | "log" | "sqrt" | "rsqrt" | "abs" | "tanh" | "sigmoid" | "relu" | "erf" | "sign" | "step";
export type BinaryOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export type ReduceOp = "sum" | "max" | "min" | "argmax" | "argmin";

/** Sizes of one fused attention call: q [batch, lq, d], k [batch, lk, d], v [batch, lk, dv], scores [batch, lq, lk]. */
export interface AttentionDims { batch: number; lq: number; lk: number; d: number; dv: number; scale: number }

/** An operand read as [batch, lq, lk] through broadcasting: element (b, i, j) is data[offsets[b] + i·rowStride + j·colStride]. */
export interface ScoreView<T = FloatArray> { data: T; offsets: Int32Array; rowStride: number; colStride: number }

/** Dropout on the attention weights: keep[b, i, j] nonzero keeps a weight, scaled by `scale` = 1/(1 − p). */
export interface AttentionDropout { keep: Uint8Array; scale: number }

/** One AdamW update; `step` is the step count t after this update (1 for the first), as AdamW's state.step. */
export interface AdamWStep { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; step: number }

export interface KernelTable<O extends Operands = HostOperands> {
  /** out[i] = f(x[i]); `out` is preallocated with the result dtype. */
  unary(op: UnaryOp, x: O["array"], out: O["array"]): void;
  /** out[idx] = f(a[idx·sa], b[idx·sb]) over outShape; strides are 0 on broadcast dims. */
  binary(op: BinaryOp, a: O["array"], sa: readonly number[], b: O["array"], sb: readonly number[], outShape: readonly number[], out: O["array"]): void;
  /** Gathers src[offset + idx·strides] for every index of outShape into contiguous out (permute, expand, slice). */
  stridedCopy(src: O["array"], offset: number, strides: readonly number[], outShape: readonly number[], out: O["array"]): void;
  /** Adds contiguous src into dst[offset + idx·strides] (the adjoint of stridedCopy; dst dims never alias). */
  stridedAccumulate(src: O["array"], dst: O["array"], offset: number, strides: readonly number[], shape: readonly number[]): void;
  /** out[i] = min(max(x[i], lo), hi). */
  clamp(x: O["array"], lo: number, hi: number, out: O["array"]): void;
  /** out[i] = cond[i] != 0 ? a[i] : b[i] over same-length contiguous arrays. */
  where(cond: O["array"], a: O["array"], b: O["array"], out: O["array"]): void;
  /** Reduces each contiguous row of `rowLength` elements of x to one value of out. */
  reduceRows(op: ReduceOp, x: O["array"], rowLength: number, out: O["array"]): void;
  /** For x viewed as [outer, size, inner]: out[o, i] = Σ_j x[o, j, i] (a sum over middle or leading dims, e.g. a bias gradient). */
  sumAxis(x: O["array"], outer: number, size: number, inner: number, out: O["array"]): void;
  /**
   * Batched matmul over contiguous operands: out[b] = op(a[b]) @ op(b[b]) where op transposes when asked.
   * a is [batch, m, k] (or [batch, k, m] if transA), b is [batch, k, n] (or [batch, n, k] if transB).
   */
  matmul(a: O["float"], b: O["float"], out: O["float"], batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /** Row-wise softmax (or log-softmax) over contiguous rows of `cols`, numerically stable. */
  softmax(x: O["float"], cols: number, out: O["float"], log: boolean): void;
  /** Fused softmax backward per row of `cols` given the output y: y·(g − Σ g·y), or for log-softmax g − exp(y)·Σ g. */
  softmaxBackward(y: O["float"], g: O["float"], cols: number, out: O["float"], log: boolean): void;
  /**
   * Fused layer norm over contiguous rows of `cols`: out = (x − mean)·rstd·w + b (w, b optional, length cols),
   * saving each row's mean and rstd = 1/√(var + eps) (biased variance) for the backward.
   */
  layerNorm(x: O["float"], cols: number, weight: O["float"] | null, bias: O["float"] | null, eps: number, out: O["float"], mean: O["float"], rstd: O["float"]): void;
  /**
   * One-pass layer-norm backward from the saved mean/rstd: dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·w;
   * dw += Σ_rows g·x̂ and db += Σ_rows g where given (they must start zeroed).
   */
  layerNormBackward(x: O["float"], g: O["float"], cols: number, weight: O["float"] | null, mean: O["float"], rstd: O["float"], dx: O["float"], dw: O["float"] | null, db: O["float"] | null): void;
  /**
   * Fused cross-entropy of logits over contiguous rows of `cols` against class indices (a negative target
   * marks an ignored row: loss 0): lse[r] = log Σ_j exp(x[r, j]) (saved for the backward) and
   * loss[r] = lse[r] − (1 − ε)·x[r, t] − ε/cols·Σ_j x[r, j] for label smoothing ε (that term only where ε > 0).
   */
  crossEntropy(x: O["float"], target: Int32Array, cols: number, smoothing: number, loss: O["float"], lse: O["float"]): void;
  /** Its backward for upstream g [rows]: dx[r, j] = g[r]·(exp(x[r, j] − lse[r]) − ε/cols − (1 − ε)·[j = t]), 0 on ignored rows. */
  crossEntropyBackward(x: O["float"], target: Int32Array, lse: O["float"], g: O["float"], cols: number, smoothing: number, dx: O["float"]): void;
  /**
   * Fused linear forward: out = act(x · wᵀ + bias) for x [rows, inF], w [outF, inF], bias [outF]; act is exact GELU
   * when `gelu` (then `pre` receives x · wᵀ + bias, the GELU backward's input), else none (`pre` null).
   */
  linear(x: O["float"], w: O["float"], bias: O["float"], rows: number, inF: number, outF: number, gelu: boolean, out: O["float"], pre: O["float"] | null): void;
  /** Exact GELU, x·Φ(x) = x/2·(1 + erf(x/√2)). */
  gelu(x: O["float"], out: O["float"]): void;
  /** out = g·GELU'(x) = g·(Φ(x) + x·φ(x)). */
  geluBackward(x: O["float"], g: O["float"], out: O["float"]): void;
  /**
   * Fused attention forward: probs = softmax(scale·q kᵀ + bias, keys with keyMask 0 at the lowest finite value)
   * (saved for the backward), out = (probs ⊙ dropout) @ v.
   */
  attention(q: O["float"], k: O["float"], v: O["float"], dims: AttentionDims, bias: ScoreView<O["float"]> | null, keyMask: ScoreView<O["array"]> | null, drop: AttentionDropout | null, probs: O["float"], out: O["float"]): void;
  /**
   * Its backward from the saved probs P and upstream g: dv = (P⊙M)ᵀg, dS = P ⊙ (dP − Σ_row dP⊙P) with dP = (g vᵀ)⊙M
   * and zero at masked keys (written to dScores, the bias gradient before broadcasting), dq = scale·dS k,
   * dk = scale·dSᵀ q. A null dq/dk/dv is skipped.
   */
  attentionBackward(q: O["float"], k: O["float"], v: O["float"], probs: O["float"], g: O["float"], dims: AttentionDims, keyMask: ScoreView<O["array"]> | null, drop: AttentionDropout | null, dScores: O["float"], dq: O["float"] | null, dk: O["float"] | null, dv: O["float"] | null): void;
  /**
   * One AdamW update in place (decoupled weight decay, bias-corrected moments, torch's order of operations):
   * p ·= 1 − lr·wd; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr/(1−β1ᵗ)·m / (√v/√(1−β2ᵗ) + eps).
   */
  adamw(p: O["float"], g: O["float"], m: O["float"], v: O["float"], step: AdamWStep): void;
  /**
   * A Bernoulli keep-mask drawn from the xoshiro128** stream whose four state words are `state` (random.ts):
   * out[i] = keep where the i-th uniform u ≥ p, else 0 — the numbers out.length calls of Generator.random()
   * would draw, after which `state` is advanced past them, whatever the backend or thread count. A Uint8Array
   * out is a host-side mask (attention dropout's keep).
   */
  bernoulliMask(state: Uint32Array, p: number, keep: number, out: O["array"] | Uint8Array): void;
  /** For x viewed as [outer, size, inner]: out[o, j, i] = x[o, index[j], i] (torch.index_select). */
  indexSelect(x: O["array"], index: Int32Array, outer: number, size: number, inner: number, out: O["array"]): void;
  /** Adjoint of indexSelect: dst[o, index[j], i] += src[o, j, i]. */
  indexAdd(src: O["array"], index: Int32Array, outer: number, size: number, inner: number, dst: O["array"]): void;
  /** For x viewed as [outer, size, inner] and index [outer, idxSize, inner]: out = x[o, index[o,j,i], i]. */
  gather(x: O["array"], index: Int32Array, outer: number, size: number, idxSize: number, inner: number, out: O["array"]): void;
  /** Adjoint of gather: dst[o, index[o,j,i], i] += src[o, j, i]. */
  scatterAdd(src: O["array"], index: Int32Array, outer: number, size: number, idxSize: number, inner: number, dst: O["array"]): void;
}

/** A kernel's name: the op's name where it has one (see STYLE.md). */
export type KernelName = keyof KernelTable;

export interface Backend {
  readonly name: string;
  readonly kernels: Partial<KernelTable>;
}
