// DITC: document-level image–text contrastive loss against a momentum queue, with optional momentum distillation.
// Paper: DITC (method section; paper PDF not checked here, see notes §6); official code: `loss_i2t` / `loss_t2i` in AET.forward (the ALBEF ITC with queue).
// The official code never passes alpha, so alpha = 0 (one-hot targets) reproduces it; alpha > 0 is ALBEF's distillation.
import { ShapeError, Tensor, eye, logSoftmax, matmul, mean, mul, noGrad, softmax, sum, transpose, slice, div } from "../../engine/index.ts";

/** A temperature: a plain number or a learnable one-element tensor (the model's `temp`). */
export type Temperature = number | Tensor;

const shapeOf = (t: Tensor): string => `[${t.shape.join(", ")}]`;

/** Checks feat is [B, D] and featAll is [D, B+Q] with Q ≥ 0; returns B. */
export function checkQueuePair(op: string, name: string, feat: Tensor, featAll: Tensor): number {
  if (feat.ndim !== 2) throw new ShapeError(op, `${name} must be [B, D], got ${shapeOf(feat)}`);
  const [b, d] = feat.shape;
  if (featAll.ndim !== 2 || featAll.shape[0] !== d || featAll.shape[1] < b) {
    throw new ShapeError(op, `${name}All must be [D=${d}, B+Q] with B+Q ≥ B=${b} (batch momentum features first, then the queue), got ${shapeOf(featAll)}`);
  }
  return b;
}

/** A tensor temperature must hold one value; it broadcasts as a 0-d tensor. */
export function checkTemp(op: string, temp: Temperature): Tensor | number {
  if (typeof temp === "number") return temp;
  if (temp.numel !== 1) throw new ShapeError(op, `temp must be a number or a one-element tensor, got shape ${shapeOf(temp)}`);
  return temp.ndim === 0 ? temp : temp.reshape([]);
}

/** Mean over rows of −Σ_j targets[b,j] · log_softmax(logits)[b,j] (soft-target cross-entropy). */
export function softCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  return mean(sum(mul(logSoftmax(logits, 1), targets), 1)).neg();
}

/**
 * One direction of a queue contrastive loss: query [B,D] against keysAll [D,B+Q]; the positive of row b is column b.
 * queryAll [D,B+Q] holds the query modality's momentum features (first B columns), used only for alpha > 0.
 */
export function queueContrastive(op: string, query: Tensor, queryAll: Tensor, keysAll: Tensor, temp: Temperature, alpha: number): Tensor {
  const b = query.shape[0];
  const t = checkTemp(op, temp);
  const logits = div(matmul(query, keysAll), t); // (B, B+Q)
  const targets = noGrad(() => {
    const hard = eye(b, keysAll.shape[1], logits.dtype); // (B, B+Q)
    if (alpha === 0) return hard;
    const queryM = transpose(slice(queryAll, 1, 0, b), 0, 1); // (B, D)
    const soft = softmax(div(matmul(queryM, keysAll), t), 1);
    return mul(soft, alpha).add(mul(hard, 1 - alpha));
  });
  return softCrossEntropy(logits, targets);
}

/**
 * imageFeat, textFeat: [B, D] online features; imageFeatAll, textFeatAll: [D, B+Q] = [momentum featuresᵀ | queue].
 * Targets are alpha · softmax(momentum similarities) + (1 − alpha) · one-hot(diagonal), computed without gradient.
 */
export function ditcLoss(imageFeat: Tensor, textFeat: Tensor, imageFeatAll: Tensor, textFeatAll: Tensor, temp: Temperature, alpha = 0): { i2t: Tensor; t2i: Tensor } {
  const b = checkQueuePair("ditcLoss", "imageFeat", imageFeat, imageFeatAll);
  const bt = checkQueuePair("ditcLoss", "textFeat", textFeat, textFeatAll);
  if (b !== bt || imageFeatAll.shape[1] !== textFeatAll.shape[1] || imageFeat.shape[1] !== textFeat.shape[1]) {
    throw new ShapeError("ditcLoss", `image and text sides must match: imageFeat ${shapeOf(imageFeat)}, textFeat ${shapeOf(textFeat)}, imageFeatAll ${shapeOf(imageFeatAll)}, textFeatAll ${shapeOf(textFeatAll)}`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new ShapeError("ditcLoss", `alpha must lie in [0, 1], got ${alpha}`);
  return {
    i2t: queueContrastive("ditcLoss", imageFeat, imageFeatAll, textFeatAll, temp, alpha),
    t2i: queueContrastive("ditcLoss", textFeat, textFeatAll, imageFeatAll, temp, alpha),
  };
}
