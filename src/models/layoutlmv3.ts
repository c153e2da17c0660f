// LayoutLMv3 (arXiv 2204.08387; HF LayoutLMv3Model): AETNet's fusion encoder, fed the alignment encoders' outputs.
import { ShapeError, Tensor, arange, cat, noGrad, normal, ones, zeros, nn } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { patchGrid } from "../config.ts";
import { BertLayer, type AttentionInputs } from "./bert_layer.ts";
import { LayoutLMv3TextEmbeddings, visualBoxes } from "./layoutlmv3_embeddings.ts";
import { PatchEmbed } from "./patch_embed.ts";
import { bucketBias, relativeMatrix, relativePositionBucket } from "./relative_position.ts";

// Shapes: B batch, T text tokens, P = g² patches, V = 1 + P visual tokens (CLS first), N = T + V joint tokens,
// H hidden, h heads, d = H / h. Int32 inputs: inputIds (B, T), bbox (B, T, 4) as x0, y0, x1, y1 on 0..1000.

/** HF config.initializer_range: std of the normal init of Linear, Conv2d and Embedding weights. */
export const INITIALIZER_RANGE = 0.02;
/** The visual `norm` uses timm's LayerNorm eps, not config.layer_norm_eps. */
const VISUAL_NORM_EPS = 1e-6;

export interface LayoutLMv3Inputs {
  inputIds: Tensor; // (B, T) int32
  bbox: Tensor; // (B, T, 4) int32
  attentionMask: Tensor; // (B, T), 1 = token, 0 = padding
  pixelValues: Tensor; // (B, C, S, S)
  /** AET: the RoBERTa text encoder's output, added after the text-embedding LayerNorm (B, T, H). */
  alignText?: Tensor;
  /** AET: the ViT's output incl. CLS, added after the visual `norm` (B, V, H). */
  alignImage?: Tensor;
}

export interface LayoutLMv3Output {
  hidden: Tensor; // (B, N, H): text tokens, then visual CLS, then patches
  textHidden: Tensor; // (B, T, H)
}

/** `encoder`: the layer stack plus the three relative-bias tables it shares across layers. */
export class LayoutLMv3Encoder extends nn.Module {
  layer: BertLayer[];
  rel_pos_bias: nn.Linear;
  rel_pos_x_bias: nn.Linear;
  rel_pos_y_bias: nn.Linear;
  readonly #f: AETNetConfig["fusion"];
  constructor(c: AETNetConfig) {
    super();
    const f = c.fusion;
    const sizes = { ...f, hiddenDropout: c.hiddenDropout, attentionDropout: c.attentionDropout, cogview: true };
    this.layer = Array.from({ length: f.layers }, () => new BertLayer(sizes));
    this.rel_pos_bias = new nn.Linear(f.relPosBins, f.heads, { bias: false });
    this.rel_pos_x_bias = new nn.Linear(f.rel2dPosBins, f.heads, { bias: false });
    this.rel_pos_y_bias = new nn.Linear(f.rel2dPosBins, f.heads, { bias: false });
    this.#f = f;
  }

  /**
   * (1-D bias(positions) + 2-D bias(x0) + 2-D bias(y1)) / √d, added to every layer's scores before the mask.
   * positions int32 (1 or B, N); bbox int32 (B, N, 4). The 2-D bias uses the left edge x0 and the bottom edge y1.
   */
  attentionBias(positions: Tensor, bbox: Tensor): Tensor {
    const f = this.#f;
    const col = (k: number): Tensor => bbox.narrow(2, k, 1).squeeze(2); // (B, N)
    const bias2d = (weight: Tensor, coord: Tensor): Tensor =>
      bucketBias(weight, relativePositionBucket(relativeMatrix(coord), true, f.rel2dPosBins, f.maxRel2dPos));
    const rel1d = bucketBias(this.rel_pos_bias.weight, relativePositionBucket(relativeMatrix(positions), true, f.relPosBins, f.maxRelPos)); // (1|B, N, N, h)
    const rel2d = bias2d(this.rel_pos_x_bias.weight, col(0)).add(bias2d(this.rel_pos_y_bias.weight, col(3))); // (B, N, N, h)
    // Summed heads-last so only the final tensor is permuted.
    return rel1d.add(rel2d).div(Math.sqrt(f.hidden / f.heads)).permute(0, 3, 1, 2); // (B, h, N, N)
  }

  forward(x: Tensor, inputs: AttentionInputs): Tensor {
    return this.layer.reduce((h, layer) => layer.forward(h, inputs), x); // (B, N, H)
  }
}

export class LayoutLMv3Model extends nn.Module {
  cls_token: Tensor; // (1, 1, H)
  pos_embed: Tensor; // (1, V, H)
  embeddings: LayoutLMv3TextEmbeddings;
  patch_embed: PatchEmbed;
  LayerNorm: nn.LayerNorm;
  dropout: nn.Dropout;
  norm: nn.LayerNorm;
  encoder: LayoutLMv3Encoder;
  readonly #visualBbox: Tensor; // (V, 4) int32
  readonly #positions: Map<number, Tensor> = new Map();

  /** init: false keeps the engine's default init (task models init everything, heads included, once). */
  constructor(readonly config: AETNetConfig, options: { init?: boolean } = {}) {
    super();
    const h = config.fusion.hidden;
    const grid = patchGrid(config);
    if (!Number.isInteger(grid)) throw new ShapeError("LayoutLMv3Model", `imageSize ${config.imageSize} is not a multiple of patchSize ${config.patchSize}`);
    this.cls_token = zeros([1, 1, h]).requiresGrad_();
    this.pos_embed = zeros([1, grid * grid + 1, h]).requiresGrad_();
    this.embeddings = new LayoutLMv3TextEmbeddings(config);
    this.patch_embed = new PatchEmbed(config.channels, config.fusion.hidden, config.patchSize);
    this.LayerNorm = new nn.LayerNorm(h, config.fusion.layerNormEps);
    this.dropout = new nn.Dropout(config.hiddenDropout);
    this.norm = new nn.LayerNorm(h, VISUAL_NORM_EPS);
    this.encoder = new LayoutLMv3Encoder(config);
    this.#visualBbox = visualBoxes(grid);
    if (options.init ?? true) initLayoutLMv3Weights(this);
  }

  /** HF `forward_image`: patches, CLS first, + pos_embed (no interpolation), `norm` (eps 1e-6). */
  forwardImage(pixelValues: Tensor): Tensor {
    const v = this.pos_embed.shape[1];
    const [b, c, s, s2] = pixelValues.shape;
    if (pixelValues.ndim !== 4 || c !== this.config.channels || s !== this.config.imageSize || s2 !== s) {
      const side = this.config.imageSize;
      throw new ShapeError("LayoutLMv3Model", `pixelValues must be [B, ${this.config.channels}, ${side}, ${side}], got [${pixelValues.shape.join(", ")}]`);
    }
    const patches = this.patch_embed.forward(pixelValues); // (B, P, H)
    const tokens = cat([this.cls_token.expand(b, 1, -1), patches], 1).add(this.pos_embed); // (B, V, H)
    if (tokens.shape[1] !== v) throw new ShapeError("LayoutLMv3Model", `${tokens.shape[1]} visual tokens do not match pos_embed with ${v}`);
    return this.norm.forward(tokens); // (B, V, H)
  }

  forward(inputs: LayoutLMv3Inputs): LayoutLMv3Output {
    const { inputIds, bbox, attentionMask, pixelValues, alignText, alignImage } = inputs;
    if (inputIds.dtype !== "int32" || inputIds.ndim !== 2) {
      throw new ShapeError("LayoutLMv3Model", `inputIds must be int32 [B, T], got ${inputIds.dtype} [${inputIds.shape.join(", ")}]`);
    }
    const [b, t] = inputIds.shape;
    const v = this.pos_embed.shape[1];
    const h = this.config.fusion.hidden;
    expectShape("attentionMask", attentionMask, [b, t]);
    let text = this.embeddings.forward(inputIds, bbox); // (B, T, H)
    if (alignText) text = text.add(expectShape("alignText", alignText, [b, t, h]));
    let visual = this.forwardImage(pixelValues); // (B, V, H)
    if (alignImage) visual = visual.add(expectShape("alignImage", alignImage, [b, v, h]));
    const x = this.dropout.forward(this.LayerNorm.forward(cat([text, visual], 1))); // (B, N, H)

    const keyMask = cat([attentionMask.to(x.dtype), ones([b, v], x.dtype)], 1); // (B, N)
    const jointBbox = cat([bbox, this.#visualBbox.unsqueeze(0).expand(b, v, 4)], 1); // (B, N, 4)
    const attentionBias = this.encoder.attentionBias(this.#jointPositions(t, v), jointBbox); // (B, h, N, N)
    const hidden = this.encoder.forward(x, { attentionBias, keyMask }); // (B, N, H)
    return { hidden, textHidden: hidden.narrow(1, 0, t) };
  }

  /** 1-D bias positions: text 0..T-1 (padding ignored), then visual 0..V-1 restarting at 0. (1, N) int32 */
  #jointPositions(t: number, v: number): Tensor {
    let p = this.#positions.get(t);
    if (p === undefined) {
      p = cat([arange(t), arange(v)]).unsqueeze(0);
      this.#positions.set(t, p);
    }
    return p;
  }
}

function expectShape(name: string, t: Tensor, shape: number[]): Tensor {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError("LayoutLMv3Model", `${name} must be [${shape.join(", ")}], got [${t.shape.join(", ")}]`);
  }
  return t;
}

/**
 * HF `_init_weights` over every submodule (heads included): Linear/Conv2d/Embedding weights N(0, std),
 * biases 0, embedding padding rows 0, LayerNorm 1/0, cls_token and pos_embed 0.
 */
export function initLayoutLMv3Weights(module: nn.Module, std = INITIALIZER_RANGE): void {
  const fillNormal = (p: Tensor): void => { p.storage.set(normal(p.shape, 0, std, { dtype: p.dtype }).storage); };
  noGrad(() => {
    for (const m of module.modules()) {
      if (m instanceof nn.Linear || m instanceof nn.Conv2d) {
        fillNormal(m.weight);
        m.bias?.storage.fill(0);
      } else if (m instanceof nn.Embedding) {
        fillNormal(m.weight);
        const pad = m.paddingIdx;
        if (pad !== null) m.weight.storage.fill(0, pad * m.embeddingDim, (pad + 1) * m.embeddingDim);
      } else if (m instanceof nn.LayerNorm) {
        m.weight.storage.fill(1);
        m.bias.storage.fill(0);
      } else if (m instanceof LayoutLMv3Model) {
        m.cls_token.storage.fill(0);
        m.pos_embed.storage.fill(0);
      }
    }
  });
}

/**
 * Loads HF LayoutLMv3 weights into the base model. Keys may carry `layoutlmv3.` (task checkpoints) or
 * `fusion_model.layoutlmv3.` (AET) or nothing (hub base checkpoint); the `embeddings.position_ids`
 * buffer and head keys are skipped.
 */
export function loadLayoutLMv3StateDict(model: LayoutLMv3Model, sd: nn.StateDict, options: { strict?: boolean } = {}): ReturnType<nn.Module["loadStateDict"]> {
  const own: nn.StateDict = {};
  for (const [key, value] of Object.entries(sd)) {
    const k = key.replace(/^(fusion_model\.)?(layoutlmv3\.)?/, "");
    if (k === "embeddings.position_ids" || k.startsWith("classifier.")) continue;
    own[k] = value;
  }
  return model.loadStateDict(own, options);
}
