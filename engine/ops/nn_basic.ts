// The neural-network functions every layer needs: linear, layerNorm, embedding, dropout.
import { noGrad } from "../autograd.ts";
import { allocate } from "../dtype.ts";
import { DTypeError, EngineError, IndexError, ShapeError, fmtShape } from "../errors.ts";
import { defaultGenerator, type Generator } from "../random.ts";
import { shapesEqual } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { add, mul, ne, rsqrt, sub, where } from "./elementwise.ts";
import { mean } from "./reduce.ts";
import { mm } from "./matmul.ts";
import { indexSelect } from "./indexing.ts";
import { reshape } from "./movement.ts";

/** x [..., in] @ weightᵀ [in, out] + bias [out], with weight stored [out, in] as in PyTorch. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (weight.ndim !== 2 || x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1]) {
    throw new ShapeError("linear", `input ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)} (expected a 2-D weight [out, in] and input [..., in])`);
  }
  if (bias && !(bias.ndim === 1 && bias.shape[0] === weight.shape[0])) {
    throw new ShapeError("linear", `bias ${fmtShape(bias.shape)} does not match weight ${fmtShape(weight.shape)} (expected [${weight.shape[0]}])`);
  }
  const [outFeatures, inFeatures] = weight.shape;
  const lead = x.shape.slice(0, -1);
  const y = mm(reshape(x, [-1, inFeatures]), weight, false, true);
  const out = bias ? add(y, bias) : y;
  return reshape(out, [...lead, outFeatures]);
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
  const centred = sub(x, mean(x, dims, true));
  let y = mul(centred, rsqrt(add(mean(mul(centred, centred), dims, true), eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
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
    const m = allocate(x.isFloatingPoint() ? x.dtype : "float32", x.numel);
    for (let i = 0; i < m.length; i++) m[i] = generator.random() >= p ? scale : 0;
    return fromStorage(m, x.shape);
  });
  return mul(x, mask);
}
