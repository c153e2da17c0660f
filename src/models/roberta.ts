// RoBERTa encoder: AET's text alignment encoder (`text_encoder.roberta`, HF key names), post-LN BERT layers.
import { Tensor, noGrad, normal, tensor, nn } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { BertLayer } from "./bert_layer.ts";

// Shapes: B batch, T tokens, H hidden.

/**
 * RoBERTa / LayoutLMv3 position ids (HF `create_position_ids_from_input_ids`): real tokens count up from pad + 1,
 * padding tokens get pad, so with pad = 1 the first real position is 2 and the table needs maxTokens + 2 rows.
 */
export function paddingPositionIds(inputIds: Tensor, padTokenId: number): Tensor {
  const [b, t] = inputIds.shape;
  const ids = inputIds.storage;
  const out = new Int32Array(b * t);
  for (let i = 0; i < b; i++) {
    let count = 0;
    for (let j = 0; j < t; j++) {
      const k = i * t + j;
      if (ids[k] !== padTokenId) count += 1;
      out[k] = ids[k] !== padTokenId ? count + padTokenId : padTokenId;
    }
  }
  return tensor(out, [b, t]);
}

/** HF `_init_weights`: Linear and Embedding ~ N(0, 0.02) with zero bias and a zero padding row; LayerNorm 1 / 0. */
export function initBertWeights(module: nn.Module, std = 0.02): void {
  noGrad(() => {
    for (const [, m] of module.namedModules()) {
      if (m instanceof nn.Linear) {
        m.weight.storage.set(normal(m.weight.shape, 0, std).storage);
        m.bias?.storage.fill(0);
      } else if (m instanceof nn.Embedding) {
        m.weight.storage.set(normal(m.weight.shape, 0, std).storage);
        if (m.paddingIdx !== null) m.weight.storage.fill(0, m.paddingIdx * m.embeddingDim, (m.paddingIdx + 1) * m.embeddingDim);
      }
    }
  });
}

/** Dropout(LayerNorm(word + position + token_type)); token types are all 0 (AET never passes them). */
export class RobertaEmbeddings extends nn.Module {
  word_embeddings: nn.Embedding;
  position_embeddings: nn.Embedding;
  token_type_embeddings: nn.Embedding;
  LayerNorm: nn.LayerNorm;
  dropout: nn.Dropout;
  readonly padTokenId: number;
  constructor(c: AETNetConfig) {
    super();
    const h = c.text.hidden;
    this.padTokenId = c.padTokenId;
    this.word_embeddings = new nn.Embedding(c.vocabSize, h, c.padTokenId);
    this.position_embeddings = new nn.Embedding(c.maxPositions, h, c.padTokenId);
    this.token_type_embeddings = new nn.Embedding(c.typeVocabSize, h);
    this.LayerNorm = new nn.LayerNorm(h, c.text.layerNormEps);
    this.dropout = new nn.Dropout(c.hiddenDropout);
  }
  forward(inputIds: Tensor): Tensor {
    const positions = paddingPositionIds(inputIds, this.padTokenId); // (B, T)
    const types = tensor(new Int32Array(inputIds.numel), inputIds.shape); // (B, T) zeros
    const x = this.word_embeddings.forward(inputIds)
      .add(this.token_type_embeddings.forward(types))
      .add(this.position_embeddings.forward(positions)); // (B, T, H)
    return this.dropout.forward(this.LayerNorm.forward(x));
  }
}

export class RobertaEncoder extends nn.Module {
  layer: BertLayer[];
  constructor(c: AETNetConfig) {
    super();
    const o = { ...c.text, hiddenDropout: c.hiddenDropout, attentionDropout: c.attentionDropout };
    this.layer = Array.from({ length: c.text.layers }, () => new BertLayer(o));
  }
  forward(x: Tensor, attentionMask?: Tensor): Tensor {
    for (const l of this.layer) x = l.forward(x, { keyMask: attentionMask });
    return x; // (B, T, H)
  }
}

/** RobertaModel's output: the last layer's token states. */
export interface RobertaOutput {
  lastHiddenState: Tensor; // (B, T, H)
}

/** `RobertaModel(add_pooling_layer=False)`: embeddings + encoder, plain softmax attention with the padding mask. */
export class RobertaModel extends nn.Module {
  embeddings: RobertaEmbeddings;
  encoder: RobertaEncoder;
  constructor(readonly config: AETNetConfig) {
    super();
    this.embeddings = new RobertaEmbeddings(config);
    this.encoder = new RobertaEncoder(config);
    initBertWeights(this);
  }
  /** inputIds int32 (B, T); attentionMask (B, T) with 1 = real token (default: all ones). */
  forward(inputIds: Tensor, attentionMask?: Tensor): RobertaOutput {
    return { lastHiddenState: this.encoder.forward(this.embeddings.forward(inputIds), attentionMask) };
  }
}

/**
 * The AET text encoder as held by the model (`text_encoder.roberta.*` keys).
 * Differs from the official code: AET holds a full `RobertaForMaskedLM` whose `lm_head` is never called but is still
 * EMA-copied and registered with the optimizer (it never gets a gradient). It changes no output or loss, so it is
 * left out; a RoBERTa checkpoint's `lm_head.*` and `roberta.pooler.*` keys are ignored on load.
 */
export class RobertaTextEncoder extends nn.Module {
  roberta: RobertaModel;
  constructor(config: AETNetConfig) { super(); this.roberta = new RobertaModel(config); }
}
