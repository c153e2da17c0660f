// DeiT-style Vision Transformer: AET's image alignment encoder (AET/model/vit.py, timm key names).
import { F, Tensor, cat, normal, zeros, nn } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { PatchEmbed } from "./patch_embed.ts";

// Shapes: B batch, C channels, S image side, P = (S / patch)² patches (196 in the paper),
// N = 1 + P tokens (CLS first), H hidden, h heads, d = H / h head width, I MLP width.

/** timm initialisation: trunc_normal(std 0.02) on weights (±2 absolute, so effectively untruncated), zero bias. */
function timmLinear(inF: number, outF: number): nn.Linear {
  const l = new nn.Linear(inF, outF);
  l.weight = normal([outF, inF], 0, 0.02).requiresGrad_();
  l.bias = zeros([outF]).requiresGrad_();
  return l;
}


/** Multi-head self-attention with one fused qkv Linear whose output columns are [q | k | v]. */
class Attention extends nn.Module {
  qkv: nn.Linear;
  proj: nn.Linear;
  constructor(hidden: number, readonly heads: number) {
    super();
    this.qkv = timmLinear(hidden, 3 * hidden);
    this.proj = timmLinear(hidden, hidden);
  }
  forward(x: Tensor): Tensor {
    const [b, n, hidden] = x.shape;
    const d = hidden / this.heads;
    const qkv = this.qkv.forward(x).reshape(b, n, 3, this.heads, d).permute(2, 0, 3, 1, 4); // (3, B, h, N, d)
    const [q, k, v] = qkv.split(1, 0).map((t) => t.squeeze(0)); // (B, h, N, d) each
    const ctx = F.scaledDotProductAttention(q, k, v).transpose(1, 2).reshape(b, n, hidden); // softmax(q·kᵀ/√d)·v → (B, N, H)
    return this.proj.forward(ctx);
  }
}

class Mlp extends nn.Module {
  fc1: nn.Linear;
  fc2: nn.Linear;
  constructor(hidden: number, intermediate: number) {
    super();
    this.fc1 = timmLinear(hidden, intermediate);
    this.fc2 = timmLinear(intermediate, hidden);
  }
  // exact (erf) GELU, fused into fc1's write-out
  forward(x: Tensor): Tensor { return this.fc2.forward(this.fc1.forward(x, { activation: "gelu" })); }
}

/** Pre-LN block: x + Attn(LN1 x), then x + MLP(LN2 x). Dropout and drop-path are 0 in AET. */
class Block extends nn.Module {
  norm1: nn.LayerNorm;
  attn: Attention;
  norm2: nn.LayerNorm;
  mlp: Mlp;
  constructor(hidden: number, heads: number, intermediate: number, eps: number) {
    super();
    this.norm1 = new nn.LayerNorm(hidden, eps);
    this.attn = new Attention(hidden, heads);
    this.norm2 = new nn.LayerNorm(hidden, eps);
    this.mlp = new Mlp(hidden, intermediate);
  }
  forward(x: Tensor): Tensor {
    const h = x.add(this.attn.forward(this.norm1.forward(x)));
    return h.add(this.mlp.forward(this.norm2.forward(h)));
  }
}

/** VisionTransformer's output: the last layer's CLS and patch states. */
export interface VisionTransformerOutput {
  /** Final-norm output, CLS at index 0 then the patches row-major. */
  lastHiddenState: Tensor; // (B, 1+P, H)
}

/** DeiT-base in the paper (patch 16 on 224, 12 × 768, eps 1e-6); sizes from config.vision / imageSize / patchSize. */
export class VisionTransformer extends nn.Module {
  cls_token: Tensor; // (1, 1, H)
  pos_embed: Tensor; // (1, 1+P, H)
  patch_embed: PatchEmbed;
  blocks: Block[];
  norm: nn.LayerNorm;

  constructor(readonly config: AETNetConfig) {
    super();
    const { hidden, heads, layers, intermediate, layerNormEps } = config.vision;
    if (hidden % heads !== 0) throw new Error(`[VisionTransformer] hidden ${hidden} is not divisible by heads ${heads}`);
    if (config.imageSize % config.patchSize !== 0) throw new Error(`[VisionTransformer] imageSize ${config.imageSize} is not a multiple of patchSize ${config.patchSize}`);
    const patches = (config.imageSize / config.patchSize) ** 2;
    this.cls_token = normal([1, 1, hidden], 0, 0.02).requiresGrad_();
    this.pos_embed = normal([1, 1 + patches, hidden], 0, 0.02).requiresGrad_();
    this.patch_embed = new PatchEmbed(config.channels, hidden, config.patchSize);
    this.blocks = Array.from({ length: layers }, () => new Block(hidden, heads, intermediate, layerNormEps));
    this.norm = new nn.LayerNorm(hidden, layerNormEps);
  }

  forward(pixelValues: Tensor): VisionTransformerOutput {
    const x = this.patch_embed.forward(pixelValues); // (B, P, H)
    const [b, , hidden] = x.shape;
    let h = cat([this.cls_token.expand(b, 1, hidden), x], 1).add(this.pos_embed); // (B, 1+P, H); pos_drop p = 0
    for (const block of this.blocks) h = block.forward(h);
    return { lastHiddenState: this.norm.forward(h) };
  }
}
