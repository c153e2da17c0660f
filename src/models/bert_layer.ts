// The post-LN BERT/RoBERTa encoder layer (HF key names), shared by the RoBERTa text encoder and LayoutLMv3.
import { F, ShapeError, Tensor, matmul, nn, type DType } from "../../engine/index.ts";

// Shapes: B batch, T tokens, H hidden, h heads, d = H / h head width, I intermediate (MLP) width.

/** Sizes and switches of one layer; `cogview` selects LayoutLMv3's PB-Relax softmax. */
export interface BertLayerOptions {
  hidden: number;
  heads: number;
  intermediate: number;
  layerNormEps: number;
  hiddenDropout: number;
  attentionDropout: number;
  cogview?: boolean;
}

/** What the attention may add to the scaled scores. */
export interface AttentionInputs {
  /** Additive bias broadcastable to (B, h, T, T), e.g. LayoutLMv3's relative position bias (already / √d). */
  attentionBias?: Tensor;
  /** (B, T), 1 = attend to this key, 0 = padding. */
  keyMask?: Tensor;
}

/** CogView's alpha: scores are divided by it before the max is subtracted (HF default 32). */
export const COGVIEW_ALPHA = 32;

/**
 * CogView PB-Relax softmax (arXiv 2105.13290 §2.4), HF `cogview_attention`:
 * softmax((x/α − max(x/α))·α). Equal to softmax(x) in exact arithmetic; kept so float32 rounding
 * matches LayoutLMv3. The max is detached: a softmax is shift-invariant, so its gradient is zero anyway.
 */
export function cogviewSoftmax(scores: Tensor, dim = -1, alpha = COGVIEW_ALPHA): Tensor {
  const scaled = scores.div(alpha);
  return scaled.sub(scaled.amax(dim, true).detach()).mul(alpha).softmax(dim);
}

/** The most negative finite value of dtype: HF's `(1 - mask) * finfo(dtype).min`. */
const lowest = (dtype: DType): number => (dtype === "float64" ? -Number.MAX_VALUE : -3.4028234663852886e38);

/** keyMask (B, T) with 1 = keep → additive (B, 1, 1, T): 0 where kept, finfo.min where padded. */
export function extendedKeyMask(keyMask: Tensor, dtype: DType): Tensor {
  if (keyMask.ndim !== 2) throw new ShapeError("extendedKeyMask", `keyMask must be (B, T), got shape [${keyMask.shape.join(", ")}]`);
  const [b, t] = keyMask.shape;
  return keyMask.to(dtype).neg().add(1).mul(lowest(dtype)).reshape(b, 1, 1, t);
}

export class BertSelfAttention extends nn.Module {
  query: nn.Linear;
  key: nn.Linear;
  value: nn.Linear;
  dropout: nn.Dropout;
  readonly heads: number;
  readonly cogview: boolean;
  constructor(o: BertLayerOptions) {
    super();
    if (o.hidden % o.heads !== 0) throw new ShapeError("BertSelfAttention", `hidden ${o.hidden} is not a multiple of heads ${o.heads}`);
    this.query = new nn.Linear(o.hidden, o.hidden);
    this.key = new nn.Linear(o.hidden, o.hidden);
    this.value = new nn.Linear(o.hidden, o.hidden);
    this.dropout = new nn.Dropout(o.attentionDropout);
    this.heads = o.heads;
    this.cogview = o.cogview ?? false;
  }
  forward(x: Tensor, inputs: AttentionInputs = {}): Tensor {
    const [b, t, hidden] = x.shape; // (B, T, H)
    const d = hidden / this.heads;
    const split = (y: Tensor): Tensor => y.reshape(b, t, this.heads, d).permute(0, 2, 1, 3); // (B, h, T, d)
    const q = split(this.query.forward(x));
    const k = split(this.key.forward(x));
    const v = split(this.value.forward(x));
    if (!this.cogview) {
      // RoBERTa: plain softmax attention, so the engine's fused kernel serves it (masked keys get finfo.min).
      const keyMask = inputs.keyMask?.reshape(b, 1, t); // (B, 1, T) lines up with (B, h)
      const ctx = F.scaledDotProductAttention(q, k, v, { bias: inputs.attentionBias, keyMask, dropoutP: this.dropout.p, training: this.training });
      return ctx.permute(0, 2, 1, 3).reshape(b, t, hidden); // (B, T, H)
    }
    // LayoutLMv3: Q is scaled before the product (QᵀK/√d overflows less in fp16), then the CogView softmax.
    let scores = matmul(q.div(Math.sqrt(d)), k.mT); // (B, h, T, T)
    if (inputs.attentionBias) scores = scores.add(inputs.attentionBias);
    if (inputs.keyMask) scores = scores.add(extendedKeyMask(inputs.keyMask, scores.dtype));
    const probs = this.dropout.forward(cogviewSoftmax(scores));
    return matmul(probs, v).permute(0, 2, 1, 3).reshape(b, t, hidden); // (B, T, H)
  }
}

/** Dense projection, dropout, residual, LayerNorm: `attention.output` and `output` share this shape. */
export class DenseResidualNorm extends nn.Module {
  dense: nn.Linear;
  LayerNorm: nn.LayerNorm;
  dropout: nn.Dropout;
  constructor(inFeatures: number, o: BertLayerOptions) {
    super();
    this.dense = new nn.Linear(inFeatures, o.hidden);
    this.LayerNorm = new nn.LayerNorm(o.hidden, o.layerNormEps);
    this.dropout = new nn.Dropout(o.hiddenDropout);
  }
  forward(x: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(this.dropout.forward(this.dense.forward(x)).add(residual)); // (B, T, H)
  }
}

export class BertAttention extends nn.Module {
  self: BertSelfAttention;
  output: DenseResidualNorm;
  constructor(o: BertLayerOptions) {
    super();
    this.self = new BertSelfAttention(o);
    this.output = new DenseResidualNorm(o.hidden, o);
  }
  forward(x: Tensor, inputs: AttentionInputs = {}): Tensor {
    return this.output.forward(this.self.forward(x, inputs), x);
  }
}

export class BertIntermediate extends nn.Module {
  dense: nn.Linear;
  constructor(o: BertLayerOptions) { super(); this.dense = new nn.Linear(o.hidden, o.intermediate); }
  // (B, T, I), exact erf GELU, fused into the matmul's write-out
  forward(x: Tensor): Tensor { return this.dense.forward(x, { activation: "gelu" }); }
}

/** h1 = LN(x + Drop(Wo·attn(x))); out = LN(h1 + Drop(W2·gelu(W1·h1))). */
export class BertLayer extends nn.Module {
  attention: BertAttention;
  intermediate: BertIntermediate;
  output: DenseResidualNorm;
  constructor(o: BertLayerOptions) {
    super();
    this.attention = new BertAttention(o);
    this.intermediate = new BertIntermediate(o);
    this.output = new DenseResidualNorm(o.intermediate, o);
  }
  forward(x: Tensor, inputs: AttentionInputs = {}): Tensor {
    const h1 = this.attention.forward(x, inputs); // (B, T, H)
    return this.output.forward(this.intermediate.forward(h1), h1); // (B, T, H)
  }
}
