// TransformerEncoderLayer / TransformerEncoder with torch.nn.TransformerEncoderLayer's math (batch_first).
import * as F from "../functional.ts";
import { Tensor } from "../tensor.ts";
import { addResidual } from "../ops/elementwise.ts";
import { Module } from "./module.ts";
import { Dropout, LayerNorm, Linear } from "./layers.ts";
import { ModuleList } from "./container.ts";
import { MultiheadAttention, type AttentionInputs } from "./attention.ts";

/** Options of TransformerEncoderLayer: dropout, activation, pre- or post-LN and the LayerNorm epsilon. */
export interface TransformerEncoderLayerOptions {
  /** Dropout after attention, inside the feed-forward and after it; also on attention probabilities. */
  dropout?: number;
  activation?: "gelu" | "relu";
  /** Pre-LN (x + f(norm(x))) when true, post-LN (norm(x + f(x))) when false, as torch's norm_first. */
  normFirst?: boolean;
  layerNormEps?: number;
}

/** attnBias and keyPaddingMask as for MultiheadAttention (keyPaddingMask 1 = keep). */
export type EncoderInputs = Omit<AttentionInputs, "context">;

/**
 * State-dict keys (torch's names in brackets):
 *   selfAttn.{query,key,value}.{weight,bias}  [self_attn.in_proj_weight / in_proj_bias, split in 3 on dim 0]
 *   selfAttn.out.{weight,bias}                [self_attn.out_proj.weight / bias]
 *   linear1.{weight,bias} linear2.{weight,bias} norm1.{weight,bias} norm2.{weight,bias}  [same]
 */
export class TransformerEncoderLayer extends Module {
  selfAttn: MultiheadAttention;
  linear1: Linear;
  linear2: Linear;
  norm1: LayerNorm;
  norm2: LayerNorm;
  dropout: Dropout;
  dropout1: Dropout;
  dropout2: Dropout;
  readonly activation: "gelu" | "relu";
  readonly normFirst: boolean;

  constructor(readonly dModel: number, readonly nHead: number, readonly dimFeedforward: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    const p = options.dropout ?? 0.1;
    const eps = options.layerNormEps ?? 1e-5;
    this.activation = options.activation ?? "gelu";
    this.normFirst = options.normFirst ?? false;
    this.selfAttn = new MultiheadAttention(dModel, nHead, { dropout: p });
    this.linear1 = new Linear(dModel, dimFeedforward);
    this.linear2 = new Linear(dimFeedforward, dModel);
    this.norm1 = new LayerNorm(dModel, eps);
    this.norm2 = new LayerNorm(dModel, eps);
    this.dropout = new Dropout(p);
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
  }

  /** x [B, T, E] → [B, T, E]. */
  forward(x: Tensor, inputs: EncoderInputs = {}): Tensor {
    // Residual adds write into the block's fresh output where autograd allows (addResidual).
    if (this.normFirst) {
      x = addResidual(x, this.#attentionBlock(this.norm1.forward(x), inputs));
      return addResidual(x, this.#feedForwardBlock(this.norm2.forward(x)));
    }
    x = this.norm1.forward(addResidual(x, this.#attentionBlock(x, inputs)));
    return this.norm2.forward(addResidual(x, this.#feedForwardBlock(x)));
  }

  #attentionBlock(x: Tensor, inputs: EncoderInputs): Tensor {
    return this.dropout1.forward(this.selfAttn.forward(x, { attnBias: inputs.attnBias, keyPaddingMask: inputs.keyPaddingMask }));
  }

  #feedForwardBlock(x: Tensor): Tensor {
    // GELU is fused into the first linear's write-out (one pass over the (B, T, F) activations)
    const a = this.activation === "gelu" ? this.linear1.forward(x, { activation: "gelu" }) : F.relu(this.linear1.forward(x));
    return this.dropout2.forward(this.linear2.forward(this.dropout.forward(a)));
  }
}

/** A stack of encoder layers (keys `layers.<i>.…`) with an optional final norm (keys `norm.…`). */
export class TransformerEncoder extends Module {
  layers: ModuleList<TransformerEncoderLayer>;
  norm: LayerNorm | null;

  constructor(layerFactory: (index: number) => TransformerEncoderLayer, numLayers: number, options: { norm?: LayerNorm | null } = {}) {
    super();
    this.layers = new ModuleList(Array.from({ length: numLayers }, (_, i) => layerFactory(i)));
    this.norm = options.norm ?? null;
  }

  /** x [B, T, E] → [B, T, E]; the same attnBias and keyPaddingMask go to every layer. */
  forward(x: Tensor, inputs: EncoderInputs = {}): Tensor {
    let h = x;
    for (const layer of this.layers) h = layer.forward(h, inputs);
    return this.norm ? this.norm.forward(h) : h;
  }
}
