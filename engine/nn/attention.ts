// MultiheadAttention: separate query/key/value/out projections around F.scaledDotProductAttention.
import * as F from "../functional.ts";
import { Tensor } from "../tensor.ts";
import { ShapeError, fmtShape } from "../errors.ts";
import { uniform } from "../ops/random.ts";
import { noGrad } from "../autograd.ts";
import { Module } from "./module.ts";
import { Linear } from "./layers.ts";

/** Options of MultiheadAttention: whether the projections have biases, and dropout on the attention weights. */
export interface MultiheadAttentionOptions {
  /** Biases on all four projections. */
  bias?: boolean;
  /** Dropout on the attention probabilities (training only), as torch. */
  dropout?: number;
}

/** Optional inputs of MultiheadAttention.forward: an additive bias, a key padding mask, and a context to attend to. */
export interface AttentionInputs {
  /** Additive per-head bias on the scaled scores: [B or 1, H or 1, T, S] (relative positions, masks as -inf). */
  attnBias?: Tensor | null;
  /** [B, S]: 1 = keep the key, 0 = padding. Differs from torch: torch's key_padding_mask is True = pad. */
  keyPaddingMask?: Tensor | null;
  /** Keys and values come from here ([B, S, E]) instead of x: cross-attention. */
  context?: Tensor | null;
}

/**
 * torch.nn.MultiheadAttention (batch_first) with the packed in_proj split into three Linear layers,
 * the HF layout. State-dict keys: query.{weight,bias}, key.{weight,bias}, value.{weight,bias},
 * out.{weight,bias}; weights are [E, E]. torch's in_proj_weight is cat(query, key, value) on dim 0.
 */
export class MultiheadAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  out: Linear;
  readonly headDim: number;
  readonly dropout: number;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    if (!(numHeads > 0 && embedDim % numHeads === 0)) {
      throw new ShapeError("MultiheadAttention", `embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    }
    this.headDim = embedDim / numHeads;
    this.dropout = options.dropout ?? 0;
    const bias = options.bias ?? true;
    this.query = new Linear(embedDim, embedDim, { bias });
    this.key = new Linear(embedDim, embedDim, { bias });
    this.value = new Linear(embedDim, embedDim, { bias });
    this.out = new Linear(embedDim, embedDim, { bias });
    // torch's init: xavier-uniform over the packed [3E, E] in_proj, zero biases; out keeps Linear's weight init.
    const bound = Math.sqrt(6 / (embedDim + 3 * embedDim));
    noGrad(() => {
      for (const proj of [this.query, this.key, this.value]) proj.weight.storage.set(uniform([embedDim, embedDim], -bound, bound).storage);
      for (const proj of [this.query, this.key, this.value, this.out]) proj.bias?.storage.fill(0);
    });
  }

  /** x [B, T, E] → [B, T, E]. */
  forward(x: Tensor, inputs: AttentionInputs = {}): Tensor {
    const ctx = inputs.context ?? x;
    if (x.ndim !== 3 || x.shape[2] !== this.embedDim || ctx.ndim !== 3 || ctx.shape[0] !== x.shape[0] || ctx.shape[2] !== this.embedDim) {
      throw new ShapeError("MultiheadAttention", `expected x [B, T, ${this.embedDim}] and context [B, S, ${this.embedDim}], got x ${fmtShape(x.shape)}, context ${fmtShape(ctx.shape)}`);
    }
    const [B, T] = x.shape;
    const S = ctx.shape[1];
    const q = this.#heads(this.query.forward(x)); // (B, H, T, D)
    const k = this.#heads(this.key.forward(ctx)); // (B, H, S, D)
    const v = this.#heads(this.value.forward(ctx)); // (B, H, S, D)
    let keyMask: Tensor | null = null;
    if (inputs.keyPaddingMask) {
      const m = inputs.keyPaddingMask;
      if (m.ndim !== 2 || m.shape[0] !== B || m.shape[1] !== S) {
        throw new ShapeError("MultiheadAttention", `keyPaddingMask must be [B, S] = [${B}, ${S}], got ${fmtShape(m.shape)}`);
      }
      keyMask = m.reshape(B, 1, S); // (B, 1, S): broadcasts over heads
    }
    const ctxOut = F.scaledDotProductAttention(q, k, v, {
      bias: inputs.attnBias ?? null,
      keyMask,
      dropoutP: this.dropout,
      training: this.training,
    }); // (B, H, T, D)
    return this.out.forward(ctxOut.transpose(1, 2).reshape(B, T, this.embedDim));
  }

  /** [B, L, E] → [B, H, L, D]. */
  #heads(t: Tensor): Tensor {
    const [B, L] = t.shape;
    return t.reshape(B, L, this.numHeads, this.headDim).transpose(1, 2);
  }
}
