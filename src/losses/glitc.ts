// GLITC: in-batch global–local contrastive loss (each sample's global feature against its own locals vs other samples' locals).
// Paper: GLITC (method section); official code: `in_batch_g2l_loss` (TCL's local MI term), used text-global↔text-locals and
// image-global↔pooled-image-patches. The ±10000 constants are the reference's masking trick, kept so values match.
// Differs from the reference: no `.squeeze()` on the positive log-probabilities, so N = 1 works (the reference collapses
// the batch dim there); a sample whose locals are all masked divides by 1 instead of 0 (the reference gives NaN).
import { ShapeError, Tensor, div, eye, logsumexp, matmul, maximum, mean, mul, stack, sub, sum, tensor, transpose, add, reshape } from "../../engine/index.ts";
import { checkTemp, type Temperature } from "./ditc.ts";

const BIG = 10000;
const shapeOf = (t: Tensor): string => `[${t.shape.join(", ")}]`;

/** The [N, L] validity mask in the logits' dtype. Differs from TCL: nonzero counts as 1 (attention masks are 0/1, so no change in practice). */
function maskTensor(mask: Tensor | readonly (readonly number[])[], n: number, l: number, like: Tensor): Tensor {
  const m = mask instanceof Tensor ? mask : tensor(Float64Array.from(mask.flat()), [mask.length, mask[0]?.length ?? 0]);
  if (m.ndim !== 2 || m.shape[0] !== n || m.shape[1] !== l) throw new ShapeError("glitcLoss", `mask must be [N=${n}, L=${l}], got ${shapeOf(m)}`);
  return m.ne(0).to(like.dtype);
}

/**
 * local: [N, L, D] local features, global: [N, D] global features, mask: [N, L] (1 = valid local).
 * For each (n, l): −log softmax over [⟨local[n,l], global[n]⟩, ⟨global[n], local[j,k]⟩ for all j ≠ n, k] / temp, entry 0.
 * With a mask: padded positives are set to +10000 (loss ≈ 0) and padded negatives to −10000; each sample's summed
 * loss is divided by its number of valid locals, then averaged over samples. Without: mean over all (n, l).
 */
export function glitcLoss(local: Tensor, global: Tensor, temp: Temperature, mask?: Tensor | readonly (readonly number[])[]): Tensor {
  if (local.ndim !== 3 || global.ndim !== 2 || local.shape[0] !== global.shape[0] || local.shape[2] !== global.shape[1]) {
    throw new ShapeError("glitcLoss", `expected local [N, L, D] and global [N, D], got local ${shapeOf(local)} and global ${shapeOf(global)}`);
  }
  const [n, l, d] = local.shape;
  const t = checkTemp("glitcLoss", temp);
  let pos = div(reshape(matmul(local, global.unsqueeze(-1)), [n, l]), t); // (N, L)
  let neg = div(matmul(global, transpose(reshape(local, [n * l, d]), 0, 1)), t); // (N, N·L): row i, column j·L+k
  // Same-sample locals are never negatives: keep off-diagonal blocks, set the diagonal block to −10000.
  const self = eye(n, n, neg.dtype).unsqueeze(-1).expand([n, n, l]).reshape([n, n * l]); // (N, N·L)
  neg = sub(mul(neg, sub(1, self)), mul(self, BIG));
  const m = mask === undefined ? null : maskTensor(mask, n, l, pos);
  if (m !== null) {
    pos = add(mul(pos, m), mul(sub(1, m), BIG));
    const mCols = m.reshape([1, n * l]);
    neg = sub(mul(neg, mCols), mul(sub(1, mCols), BIG));
  }
  // The negatives of (i, k) depend only on i, so log Σ over [pos, negs] = logaddexp(pos, logsumexp(negs)).
  const negLse = logsumexp(neg, 1, true).expand([n, l]); // (N, L)
  const logp = sub(pos, logsumexp(stack([pos, negLse], -1), -1)); // (N, L)
  if (m === null) return mean(logp).neg();
  const perSample = div(sum(logp, 1).neg(), maximum(sum(m, 1), 1)); // (N)
  return mean(perSample);
}
