// The neural-network functions every layer needs: linear, layerNorm, embedding, dropout.
import { isGradEnabled, noGrad, record } from "../autograd.ts";
import { dispatchFused, fusedOps, kernels } from "../backends/registry.ts";
import { allocateEmpty } from "../dtype.ts";
import { DTypeError, EngineError, IndexError, ShapeError, fmtShape } from "../errors.ts";
import { defaultGenerator, type Generator } from "../random.ts";
import { numelOf, shapesEqual } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { add, gelu, geluBackward, mul, ne, rsqrt, sub, sumToShape, where } from "./elementwise.ts";
import { mean } from "./reduce.ts";
import { mm } from "./matmul.ts";
import { indexSelect } from "./indexing.ts";
import { reshape } from "./movement.ts";

/** Options of linear: an activation applied to its output. */
export interface LinearOptions {
  /** Exact GELU on the output (the first layer of a transformer MLP), fused into the write-out of the matmul where a kernel has it. */
  readonly activation?: "gelu";
}

/**
 * x [..., in] @ weightᵀ [in, out] + bias [out], with weight stored [out, in] as in PyTorch (then GELU when asked).
 * With a bias it runs as one fused kernel (the bias added, and GELU applied, as the GEMM writes its output);
 * elsewhere, and on a device without that kernel, as its composed reference.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null, options: LinearOptions = {}): Tensor {
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError("linear", `input ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)} (expected a 2-D weight [out, in] and input [..., in])`);
  }
  if (bias && !(bias.ndim === 1 && bias.shape[0] === weight.shape[0])) {
    throw new ShapeError("linear", `bias ${fmtShape(bias.shape)} does not match weight ${fmtShape(weight.shape)} (expected [${weight.shape[0]}])`);
  }
  const [outFeatures, inFeatures] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const rows = reshape(x, [-1, inFeatures]);
  const act = options.activation === "gelu";
  const fusedOut = bias ? linearFused(rows, weight, bias, act) : null;
  if (fusedOut) return reshape(fusedOut, [...lead, outFeatures]);
  const y = mm(rows, weight, false, true);
  const z = bias ? add(y, bias) : y;
  return reshape(act ? gelu(z) : z, [...lead, outFeatures]);
}

/**
 * The fused kernel for x [rows, in]; null where it does not apply (mixed or integer dtypes, fused ops off, a device
 * lacking it).
 * Backward, written once: g through GELU' at the saved pre-activation, then dx = g·w, dw = gᵀ·x, db = Σ_rows g.
 */
function linearFused(x: Tensor, weight: Tensor, bias: Tensor, act: boolean): Tensor | null {
  const dtype = x.dtype;
  if (!fusedOps() || !x.isFloatingPoint() || weight.dtype !== dtype || bias.dtype !== dtype) return null;
  const [rows, inF] = x.shape;
  const outF = weight.shape[0];
  const ex = dispatchFused("linear", dtype, [x, weight, bias], rows * outF);
  if (!ex) return null;
  const out = ex.out(dtype, rows * outF, false);
  const pre = act ? ex.out(dtype, rows * outF, false) : null;
  ex.kernels.linear(ex.arg(x), ex.arg(weight), ex.arg(bias), rows, inF, outF, act, out, pre);
  const saved = pre ? fromStorage(pre, [rows, outF]) : null;
  return record("linear", fromStorage(out, [rows, outF]), [x, weight, bias], (g, needs) => {
    // A recorded (double) backward needs the pre-activation as a function of the inputs: recomputed then.
    const z = !act ? null : isGradEnabled() ? add(mm(x, weight, false, true), bias) : saved!;
    const gz = z ? geluBackward(z, g) : g;
    return [
      needs[0] ? mm(gz, weight, false, false) : null,
      needs[1] ? mm(gz, x, true, false) : null,
      needs[2] ? sumToShape(gz, bias.shape) : null,
    ];
  });
}

/** LayerNorm over the trailing dims of normalizedShape, biased variance, as torch.nn.functional.layer_norm. */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - shape.length);
  if (shape.length === 0 || shape.length > x.ndim || tail.some((d, i) => d !== shape[i])) {
    throw new ShapeError("layerNorm", `input ${fmtShape(x.shape)} does not end with normalized shape ${fmtShape(shape)}`);
  }
  for (const [name, p] of [["weight", weight], ["bias", bias]] as const) {
    if (p && !shapesEqual(p.shape, shape)) {
      throw new ShapeError("layerNorm", `${name} ${fmtShape(p.shape)} must have the normalized shape ${fmtShape(shape)}`);
    }
  }
  const dims = shape.map((_, i) => x.ndim - shape.length + i);
  const sameDType = (p?: Tensor | null): boolean => !p || p.dtype === x.dtype;
  if (fusedOps() && x.isFloatingPoint() && sameDType(weight) && sameDType(bias)) {
    const fused = fusedLayerNorm(x, dims, weight ?? null, bias ?? null, eps);
    if (fused) return fused;
  }
  const { xhat } = normalizedRows(x, dims, eps);
  let y = xhat;
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** x̂ = (x − mean)·rstd over dims, composed from ops: the reference layer norm (and its recorded backward). */
function normalizedRows(x: Tensor, dims: number[], eps: number): { xhat: Tensor; rstd: Tensor } {
  const centred = sub(x, mean(x, dims, true));
  const rstd = rsqrt(add(mean(mul(centred, centred), dims, true), eps));
  return { xhat: mul(centred, rstd), rstd };
}

/**
 * One kernel forward (saving mean and rstd per row), one kernel backward; differs from the composed form
 * only in rounding. Null where the backend that would run it has no such kernel (the composed form runs there).
 */
function fusedLayerNorm(x: Tensor, dims: number[], weight: Tensor | null, bias: Tensor | null, eps: number): Tensor | null {
  const cols = numelOf(dims.map((d) => x.shape[d]));
  const rows = cols === 0 ? 0 : x.numel / cols;
  const ex = dispatchFused("layerNorm", x.dtype, [x, weight, bias], x.numel);
  if (!ex) return null;
  const arg = (t: Tensor | null) => (t ? ex.arg(t) : null);
  const [out, mu, rs] = [ex.out(x.dtype, x.numel, false), ex.out(x.dtype, rows, false), ex.out(x.dtype, rows, false)];
  ex.kernels.layerNorm(ex.arg(x), cols, arg(weight), arg(bias), eps, out, mu, rs);
  const [mean_, rstd_] = [fromStorage(mu, [rows]), fromStorage(rs, [rows])];
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record("layerNorm", fromStorage(out, x.shape), inputs, (g, needs) => {
    const wAt = weight ? 1 : -1;
    const bAt = bias ? inputs.length - 1 : -1;
    const eb = isGradEnabled() || g.dtype !== x.dtype ? null : dispatchFused("layerNormBackward", x.dtype, [x, g, mean_, rstd_, weight], x.numel);
    if (!eb) {
      // Recorded backward (higher-order gradients), or no kernel where the work runs: the same formula in ops.
      const { xhat, rstd } = normalizedRows(x, dims, eps);
      const gw = weight ? mul(g, weight) : g;
      const dx = mul(rstd, sub(sub(gw, mean(gw, dims, true)), mul(xhat, mean(mul(gw, xhat), dims, true))));
      return [dx, ...(weight ? [needs[wAt] ? sumToShape(mul(g, xhat), weight.shape) : null] : []), ...(bias ? [needs[bAt] ? sumToShape(g, bias.shape) : null] : [])];
    }
    const dx = eb.out(x.dtype, x.numel, false);
    const dw = weight && needs[wAt] ? eb.out(x.dtype, cols) : null;
    const db = bias && needs[bAt] ? eb.out(x.dtype, cols) : null;
    eb.kernels.layerNormBackward(eb.arg(x), eb.arg(g), cols, weight ? eb.arg(weight) : null, eb.arg(mean_), eb.arg(rstd_), dx, dw, db);
    const grad = (d: typeof dw, t: Tensor | null): (Tensor | null)[] => (t ? [d ? fromStorage(d, t.shape) : null] : []);
    return [fromStorage(dx, x.shape), ...grad(dw, weight), ...grad(db, bias)];
  });
}

/** Rows of weight picked by int32 indices of any shape; the padding row gets no gradient (negative paddingIdx counts from the end). */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  if (indices.dtype !== "int32") throw new DTypeError("embedding", `indices must be int32, got ${indices.dtype} of shape ${fmtShape(indices.shape)}`);
  if (weight.ndim !== 2) throw new ShapeError("embedding", `weight must be 2-D [numEmbeddings, dim], got ${fmtShape(weight.shape)}`);
  const rowsIn = weight.shape[0];
  const idx = indices.storage;
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] < 0 || idx[i] >= rowsIn) {
      throw new IndexError("embedding", `index ${idx[i]} (at flat position ${i} of indices ${fmtShape(indices.shape)}) is out of range for weight ${fmtShape(weight.shape)}`);
    }
  }
  const flat = reshape(indices, [-1]);
  const rows = indexSelect(weight, 0, flat);
  let out = rows;
  if (paddingIdx !== undefined && paddingIdx !== null) {
    if (!Number.isInteger(paddingIdx) || paddingIdx < -rowsIn || paddingIdx >= rowsIn) {
      throw new IndexError("embedding", `paddingIdx ${paddingIdx} is out of range for weight ${fmtShape(weight.shape)}`);
    }
    const pad = paddingIdx < 0 ? paddingIdx + rowsIn : paddingIdx;
    // Same values either way; the detached branch stops the gradient into the padding row.
    if (weight.requiresGrad) out = where(reshape(ne(flat, pad), [-1, 1]), rows, rows.detach());
  }
  return reshape(out, [...indices.shape, weight.shape[1]]);
}

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p); identity when not training. */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (!(p >= 0 && p <= 1)) throw new EngineError("dropout", `probability must be in [0, 1], got ${p} (input ${fmtShape(x.shape)})`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  // The mask holds 0 or 1/(1-p), so one multiply both drops and rescales, and it is the gradient too.
  const scale = 1 / (1 - p);
  const mask = noGrad(() => {
    // Uninitialised (in wasm memory where float32 lives there): the kernel writes every element.
    const m = allocateEmpty(x.isFloatingPoint() ? x.dtype : "float32", x.numel);
    kernels().bernoulliMask(generator.streamState(), p, scale, m);
    return fromStorage(m, x.shape);
  });
  return mul(x, mask);
}
