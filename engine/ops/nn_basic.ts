// The neural-network functions every layer needs: linear, layerNorm, embedding, dropout.
import { noGrad } from "../autograd.ts";
import { DTypeError, ShapeError, fmtShape } from "../errors.ts";
import { defaultGenerator, type Generator } from "../random.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { add, div, mul, ne, rsqrt, sub } from "./elementwise.ts";
import { mean } from "./reduce.ts";
import { mm } from "./matmul.ts";
import { indexSelect } from "./indexing.ts";
import { reshape, unsqueeze } from "./movement.ts";
import { allocate } from "../dtype.ts";

/** x [..., in] @ weightᵀ [in, out] + bias [out], with weight stored [out, in] as in PyTorch. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const inFeatures = weight.shape[1];
  if (weight.ndim !== 2 || x.shape[x.ndim - 1] !== inFeatures) {
    throw new ShapeError("linear", `input ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)} (expected last dim ${inFeatures})`);
  }
  const lead = x.shape.slice(0, -1);
  const y = mm(reshape(x, [-1, inFeatures]), weight, false, true);
  const out = bias ? add(y, bias) : y;
  return reshape(out, [...lead, weight.shape[0]]);
}

/** LayerNorm over the trailing dims of normalizedShape, biased variance, as torch.nn.functional.layer_norm. */
export function layerNorm(x: Tensor, normalizedShape: number | readonly number[], weight?: Tensor | null, bias?: Tensor | null, eps = 1e-5): Tensor {
  const shape = typeof normalizedShape === "number" ? [normalizedShape] : [...normalizedShape];
  const tail = x.shape.slice(x.ndim - shape.length);
  if (shape.length > x.ndim || tail.some((d, i) => d !== shape[i])) {
    throw new ShapeError("layerNorm", `input ${fmtShape(x.shape)} does not end with normalized shape ${fmtShape(shape)}`);
  }
  const dims = shape.map((_, i) => x.ndim - shape.length + i);
  const centred = sub(x, mean(x, dims, true));
  let y = mul(centred, rsqrt(add(mean(mul(centred, centred), dims, true), eps)));
  if (weight) y = mul(y, weight);
  if (bias) y = add(y, bias);
  return y;
}

/** Rows of weight picked by int32 indices of any shape; the padding row gets no gradient. */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  if (indices.dtype !== "int32") throw new DTypeError("embedding", `indices must be int32, got ${indices.dtype} of shape ${fmtShape(indices.shape)}`);
  const rows = indexSelect(weight, 0, reshape(indices, [-1]));
  let out = rows;
  if (paddingIdx !== undefined && paddingIdx !== null && weight.requiresGrad) {
    // Multiplying by a 0/1 mask leaves values unchanged but stops the gradient into the padding row.
    const keep = unsqueeze(ne(reshape(indices, [-1]), paddingIdx), -1);
    out = add(mul(rows, keep), mul(rows.detach(), sub(1, keep)));
  }
  return reshape(out, [...indices.shape, weight.shape[1]]);
}

/** Inverted dropout: zeroes each element with probability p and scales the rest by 1/(1-p); identity when not training. */
export function dropout(x: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  if (p < 0 || p > 1) throw new ShapeError("dropout", `probability must be in [0, 1], got ${p}`);
  if (!training || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const mask = noGrad(() => {
    const m = allocate(x.dtype, x.numel);
    for (let i = 0; i < m.length; i++) m[i] = generator.random() >= p ? 1 : 0;
    return fromStorage(m, x.shape);
  });
  return div(mul(x, mask), 1 - p);
}
