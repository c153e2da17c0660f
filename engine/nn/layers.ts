// The basic layers: Linear, Conv2d, LayerNorm, Embedding, Dropout, GELU, ReLU.
import * as F from "../functional.ts";
import { Tensor, zeros, ones } from "../tensor.ts";
import { uniform, normal } from "../ops/random.ts";
import { Module } from "./module.ts";

/** y = x Wᵀ + b; weight [out, in] initialised U(-1/√in, 1/√in) as PyTorch's default. */
export class Linear extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean } = {}) {
    super();
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = uniform([outFeatures, inFeatures], -bound, bound).requiresGrad_();
    this.bias = options.bias === false ? null : uniform([outFeatures], -bound, bound).requiresGrad_();
  }
  /** With `{ activation: "gelu" }` the GELU is applied in the same fused kernel (F.linear). */
  forward(x: Tensor, options?: F.LinearOptions): Tensor { return F.linear(x, this.weight, this.bias, options); }
}

/**
 * Conv2d with stride = kernel and no padding — the ViT patch embedding, which is all F.conv2d supports.
 * Weight [out, in, k, k] and bias initialised U(-1/√(in·k²), 1/√(in·k²)) as PyTorch's default.
 */
export class Conv2d extends Module {
  weight: Tensor;
  bias: Tensor | null;
  constructor(readonly inChannels: number, readonly outChannels: number, readonly kernelSize: number, options: { bias?: boolean } = {}) {
    super();
    const bound = 1 / Math.sqrt(inChannels * kernelSize * kernelSize);
    this.weight = uniform([outChannels, inChannels, kernelSize, kernelSize], -bound, bound).requiresGrad_();
    this.bias = options.bias === false ? null : uniform([outChannels], -bound, bound).requiresGrad_();
  }
  /** x [B, in, H, W] → [B, out, H/k, W/k]. */
  forward(x: Tensor): Tensor { return F.conv2d(x, this.weight, this.bias, { stride: this.kernelSize }); }
}

/** Layer normalisation over the last dimension, with a learnt scale and shift. */
export class LayerNorm extends Module {
  weight: Tensor;
  bias: Tensor;
  constructor(readonly normalizedShape: number, readonly eps = 1e-5) {
    super();
    this.weight = ones([normalizedShape]).requiresGrad_();
    this.bias = zeros([normalizedShape]).requiresGrad_();
  }
  forward(x: Tensor): Tensor { return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, this.eps); }
}

/** Lookup table; weight ~ N(0, 1) as PyTorch, with the padding row zeroed. */
export class Embedding extends Module {
  weight: Tensor;
  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, readonly paddingIdx: number | null = null) {
    super();
    this.weight = normal([numEmbeddings, embeddingDim], 0, 1);
    if (paddingIdx !== null) this.weight.storage.fill(0, paddingIdx * embeddingDim, (paddingIdx + 1) * embeddingDim);
    this.weight.requiresGrad_();
  }
  forward(indices: Tensor): Tensor { return F.embedding(indices, this.weight, this.paddingIdx); }
}

/** Zeroes elements with probability p while training and rescales the rest; the identity in eval(). */
export class Dropout extends Module {
  constructor(readonly p = 0.5) { super(); }
  forward(x: Tensor): Tensor { return F.dropout(x, this.p, this.training); }
}

/** The GELU activation as a module (erf form, or the tanh approximation). */
export class GELU extends Module {
  constructor(readonly approximate: "none" | "tanh" = "none") { super(); }
  forward(x: Tensor): Tensor { return F.gelu(x, this.approximate); }
}

/** The ReLU activation as a module. */
export class ReLU extends Module {
  forward(x: Tensor): Tensor { return F.relu(x); }
}
