// Losses as torch.nn.functional: crossEntropy (class indices or probabilities, label smoothing), nllLoss, mseLoss.
import { isGradEnabled, record } from "../autograd.ts";
import { dispatchFused, fusedOps } from "../backends/registry.ts";
import { allocate } from "../dtype.ts";
import { DTypeError, EngineError, IndexError, ShapeError, fmtShape } from "../errors.ts";
import { shapesEqual } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { add, div, mul, neg, sub } from "./elementwise.ts";
import { mean, sum } from "./reduce.ts";
import { gather, indexSelect } from "./indexing.ts";
import { permute, reshape } from "./movement.ts";
import { logSoftmax, softmax } from "./softmax.ts";

export type Reduction = "mean" | "sum" | "none";

export interface NllLossOptions {
  /** Targets equal to this are skipped: no loss, no gradient, not counted in the mean. */
  ignoreIndex?: number;
  reduction?: Reduction;
  /** Per-class rescaling [C]; the mean then divides by the summed weights of the counted targets. */
  weight?: Tensor | null;
}

export interface CrossEntropyOptions extends NllLossOptions {
  /** Mixes the target with the uniform distribution: (1-ε)·target + ε/C. */
  labelSmoothing?: number;
}

function checkInput(op: string, input: Tensor): void {
  if (!input.isFloatingPoint()) throw new DTypeError(op, `input must be floating point, got ${input.dtype} of shape ${fmtShape(input.shape)}`);
  if (input.ndim === 0) throw new ShapeError(op, "input must be [C], [N, C] or [N, C, d1, ...], got a scalar of shape []");
}

/** The input as rows [M, C] (class dim moved last) plus the per-row output shape, for every accepted layout. */
function classRows(op: string, input: Tensor): { rows: Tensor; rowShape: number[]; classes: number } {
  checkInput(op, input);
  if (input.ndim === 1) return { rows: reshape(input, [1, -1]), rowShape: [], classes: input.shape[0] };
  const classes = input.shape[1];
  const perm = [0, ...input.shape.map((_, i) => i).slice(2), 1];
  const rowShape = input.shape.filter((_, i) => i !== 1);
  return { rows: reshape(permute(input, perm), [-1, classes]), rowShape, classes };
}

/** Applies the reduction to per-row losses; `count` is the mean's divisor (summed target weights or row count). */
function reduce(losses: Tensor, reduction: Reduction, rowShape: number[], count: Tensor | number): Tensor {
  switch (reduction) {
    case "none": return reshape(losses, rowShape);
    case "sum": return sum(losses);
    case "mean": return div(sum(losses), typeof count === "number" ? count : sum(count));
    default: return reduction satisfies never;
  }
}

function checkWeight(op: string, weight: Tensor | null | undefined, classes: number, input: Tensor): void {
  if (weight && !(weight.ndim === 1 && weight.shape[0] === classes)) {
    throw new ShapeError(op, `weight ${fmtShape(weight.shape)} must be [${classes}] for input ${fmtShape(input.shape)} with ${classes} classes`);
  }
}

/** The targets checked against the row shape and class count, as indices with −1 where ignoreIndex is. */
function classIndices(op: string, target: Tensor, rowShape: number[], classes: number, ignoreIndex: number, input: Tensor): Int32Array {
  if (!shapesEqual(target.shape, rowShape)) {
    throw new ShapeError(op, `target ${fmtShape(target.shape)} does not match input ${fmtShape(input.shape)} (expected class indices of shape ${fmtShape(rowShape)})`);
  }
  const tgt = target.storage;
  const index = new Int32Array(tgt.length);
  for (let i = 0; i < tgt.length; i++) {
    if (tgt[i] === ignoreIndex) { index[i] = -1; continue; }
    if (tgt[i] < 0 || tgt[i] >= classes) {
      throw new IndexError(op, `target ${tgt[i]} at flat position ${i} of target ${fmtShape(target.shape)} is out of range for ${classes} classes (input ${fmtShape(input.shape)})`);
    }
    index[i] = tgt[i];
  }
  return index;
}

/**
 * Cross entropy of class indices without class weights as one kernel per direction (log-softmax + NLL
 * forward, softmax − smoothed one-hot backward), differing from the composed form only in rounding. Null
 * where the backend that would run it has no such kernel (the composed form runs there).
 */
function fusedCrossEntropy(input: Tensor, target: Tensor, ignoreIndex: number, reduction: Reduction, eps: number): Tensor | null {
  const { rows, rowShape, classes } = classRows("crossEntropy", input);
  const index = classIndices("crossEntropy", target, rowShape, classes, ignoreIndex, input);
  const m = index.length;
  const ex = dispatchFused("crossEntropy", rows.dtype, [rows], rows.numel);
  if (!ex) return null;
  const [loss, lse] = [ex.out(rows.dtype, m), ex.out(rows.dtype, m)];
  ex.kernels.crossEntropy(ex.arg(rows), index, classes, eps, loss, lse);
  const lseT = fromStorage(lse, [m]);
  const losses = record("crossEntropy", fromStorage(loss, [m]), [rows], (g) => {
    const eb = isGradEnabled() || g.dtype !== rows.dtype ? null : dispatchFused("crossEntropyBackward", rows.dtype, [rows, lseT, g], rows.numel);
    if (!eb) {
      // Recorded backward (higher-order gradients), or no kernel where the work runs: g·(softmax − target distribution).
      const dist = allocate(rows.dtype, rows.numel);
      for (let i = 0; i < m; i++) {
        if (index[i] < 0) continue;
        dist.fill(eps / classes, i * classes, (i + 1) * classes);
        dist[i * classes + index[i]] += 1 - eps;
      }
      const valid = allocate(rows.dtype, m).map((_, i) => (index[i] >= 0 ? 1 : 0));
      const scale = mul(reshape(g, [-1, 1]), fromStorage(valid, [m, 1]));
      return [mul(sub(softmax(rows, 1), fromStorage(dist, rows.shape)), scale)];
    }
    const dx = eb.out(rows.dtype, rows.numel);
    eb.kernels.crossEntropyBackward(eb.arg(rows), index, eb.arg(lseT), eb.arg(g), classes, eps, dx);
    return [fromStorage(dx, rows.shape)];
  });
  let counted = 0;
  for (const t of index) if (t >= 0) counted++;
  return reduce(losses, reduction, rowShape, counted);
}

/**
 * Negative log-likelihood of class-index targets over log-probability rows, optionally label-smoothed.
 * The smoothing term is PyTorch's: ε/C · Σ_c w_c·(−log p_c), reduced with the same divisor as the nll term.
 */
function indexLoss(op: string, logp: Tensor, target: Tensor, opts: CrossEntropyOptions): Tensor {
  const { rows, rowShape, classes } = classRows(op, logp);
  const { ignoreIndex = -100, reduction = "mean", weight = null, labelSmoothing = 0 } = opts;
  checkWeight(op, weight, classes, logp);
  const index = classIndices(op, target, rowShape, classes, ignoreIndex, logp);
  const safe = index.map((t) => Math.max(t, 0));
  const valid = new (rows.dtype === "float64" ? Float64Array : Float32Array)(index.length);
  for (let i = 0; i < index.length; i++) valid[i] = index[i] >= 0 ? 1 : 0;
  const safeIdx = fromStorage(safe, [index.length]);
  const validT = fromStorage(valid, [index.length]);
  const rowWeight = weight ? mul(indexSelect(weight, 0, safeIdx), validT) : validT; // [M]
  const picked = reshape(gather(rows, 1, reshape(safeIdx, [-1, 1])), [-1]); // [M]
  let losses = neg(mul(picked, rowWeight));
  if (labelSmoothing > 0) {
    const smooth = neg(mul(sum(weight ? mul(rows, weight) : rows, 1), validT)); // [M]
    losses = add(mul(losses, 1 - labelSmoothing), mul(smooth, labelSmoothing / classes));
  }
  return reduce(losses, reduction, rowShape, rowWeight);
}

/** Cross entropy against probabilities of the input's shape (soft targets); the mean divides by the row count. */
function probabilityLoss(op: string, input: Tensor, target: Tensor, opts: CrossEntropyOptions): Tensor {
  const { ignoreIndex = -100, reduction = "mean", weight = null, labelSmoothing = 0 } = opts;
  if (ignoreIndex >= 0) throw new EngineError(op, `ignoreIndex is not supported with probability targets (target ${fmtShape(target.shape)})`);
  const { rows, rowShape, classes } = classRows(op, input);
  checkWeight(op, weight, classes, input);
  let probs = classRows(op, target).rows;
  if (labelSmoothing > 0) probs = add(mul(probs, 1 - labelSmoothing), labelSmoothing / classes);
  const terms = mul(rows, probs);
  const losses = neg(sum(weight ? mul(terms, weight) : terms, 1)); // [M]
  return reduce(losses, reduction, rowShape, rows.shape[0]);
}

/**
 * Cross entropy of logits [C], [N, C] or [N, C, d1, ...] (classes on dim 1) against int32 class indices
 * [N, d1, ...] or float probabilities shaped like the input, as torch.nn.functional.cross_entropy.
 */
export function crossEntropy(input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor {
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new EngineError("crossEntropy", `labelSmoothing must be in [0, 1], got ${eps}`);
  checkInput("crossEntropy", input);
  if (target.dtype === "int32" && !opts.weight && fusedOps()) {
    const fused = fusedCrossEntropy(input, target, opts.ignoreIndex ?? -100, opts.reduction ?? "mean", eps);
    if (fused) return fused;
  }
  const logp = logSoftmax(input, input.ndim === 1 ? 0 : 1);
  if (target.dtype === "int32") return indexLoss("crossEntropy", logp, target, opts);
  if (!shapesEqual(target.shape, input.shape)) {
    throw new ShapeError("crossEntropy", `probability target ${fmtShape(target.shape)} must have the input's shape ${fmtShape(input.shape)} (int32 class indices would be ${fmtShape(input.ndim === 1 ? [] : input.shape.filter((_, i) => i !== 1))})`);
  }
  return probabilityLoss("crossEntropy", logp, target, opts);
}

/** Negative log-likelihood of int32 class indices given log-probabilities, as torch.nn.functional.nll_loss. */
export function nllLoss(logProbs: Tensor, target: Tensor, opts: NllLossOptions = {}): Tensor {
  if (target.dtype !== "int32") throw new DTypeError("nllLoss", `target must be int32 class indices, got ${target.dtype} of shape ${fmtShape(target.shape)}`);
  return indexLoss("nllLoss", logProbs, target, { ...opts, labelSmoothing: 0 });
}

/** Mean (or summed, or elementwise) squared error; shapes must match (PyTorch only warns when they broadcast). */
export function mseLoss(a: Tensor, b: Tensor, opts: { reduction?: Reduction } = {}): Tensor {
  if (!shapesEqual(a.shape, b.shape)) throw new ShapeError("mseLoss", `input ${fmtShape(a.shape)} and target ${fmtShape(b.shape)} must have the same shape`);
  const diff = sub(a, b);
  const sq = mul(diff, diff);
  const reduction = opts.reduction ?? "mean";
  switch (reduction) {
    case "none": return sq;
    case "sum": return sum(sq);
    case "mean": return mean(sq);
    default: return reduction satisfies never;
  }
}
