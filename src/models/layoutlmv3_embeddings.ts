// LayoutLMv3's input embeddings: text (word + 1-D position + 2-D layout) and image patches (HF key names).
import { DTypeError, IndexError, ShapeError, Tensor, cat, tensor, zeros, nn } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";

// Shapes: B batch, T text tokens, H hidden, C channels, S image side, g = S / patch, P = g² patches.

/** Layout coordinates are normalised to 0..1000 (HF: "bbox coordinate values should be within 0-1000"). */
export const MAX_COORD = 1000;

/**
 * Checks bbox is int32 (B, T, 4) with every coordinate in 0..MAX_COORD, naming the first bad one.
 * x1 < x0 or y1 < y0 is allowed, as in HF: the width/height embedding clips negatives to 0.
 */
export function checkBbox(bbox: Tensor, batch: number, tokens: number): void {
  if (bbox.dtype !== "int32") throw new DTypeError("LayoutLMv3", `bbox must be int32, got ${bbox.dtype} of shape [${bbox.shape.join(", ")}]`);
  if (bbox.ndim !== 3 || bbox.shape[0] !== batch || bbox.shape[1] !== tokens || bbox.shape[2] !== 4) {
    throw new ShapeError("LayoutLMv3", `bbox must be [${batch}, ${tokens}, 4] (x0, y0, x1, y1 per token), got [${bbox.shape.join(", ")}]`);
  }
  const v = bbox.storage;
  for (let i = 0; i < v.length; i++) {
    if (v[i] < 0 || v[i] > MAX_COORD) {
      const [b, t, k] = [Math.floor(i / (tokens * 4)), Math.floor(i / 4) % tokens, i % 4];
      throw new IndexError("LayoutLMv3", `bbox[${b}, ${t}, ${k}] = ${v[i]} is outside 0..${MAX_COORD} (boxes must be normalised to the 0-1000 page scale)`);
    }
  }
}

/** RoBERTa position ids: pads keep padTokenId, real tokens count up from padTokenId + 1. */
function positionIds(inputIds: Tensor, pad: number): Tensor {
  const [b, t] = inputIds.shape;
  const ids = inputIds.storage;
  const out = new Int32Array(ids.length);
  for (let r = 0; r < b; r++) {
    let count = 0;
    for (let c = 0; c < t; c++) {
      const keep = ids[r * t + c] !== pad;
      if (keep) count++;
      out[r * t + c] = keep ? count + pad : pad;
    }
  }
  return tensor(out, [b, t]);
}

/** Column k of bbox (B, T, 4), or a clipped difference of two columns, as int32 (B, T). */
function bboxColumn(bbox: Tensor, k: number, minus = -1, clipMax = Infinity): Tensor {
  const [b, t] = bbox.shape;
  const v = bbox.storage;
  const out = new Int32Array(b * t);
  for (let i = 0; i < out.length; i++) {
    out[i] = minus < 0 ? v[i * 4 + k] : Math.min(Math.max(v[i * 4 + k] - v[i * 4 + minus], 0), clipMax);
  }
  return tensor(out, [b, t]);
}

/** `embeddings.*`: Dropout(LayerNorm(word + token_type + position + [x0 | y0 | x1 | y1 | h | w])). */
export class LayoutLMv3TextEmbeddings extends nn.Module {
  word_embeddings: nn.Embedding;
  token_type_embeddings: nn.Embedding;
  LayerNorm: nn.LayerNorm;
  dropout: nn.Dropout;
  position_embeddings: nn.Embedding;
  x_position_embeddings: nn.Embedding;
  y_position_embeddings: nn.Embedding;
  h_position_embeddings: nn.Embedding;
  w_position_embeddings: nn.Embedding;
  readonly padTokenId: number;
  constructor(c: AETNetConfig) {
    super();
    const f = c.fusion;
    if (4 * f.coordinateSize + 2 * f.shapeSize !== f.hidden) {
      throw new ShapeError("LayoutLMv3TextEmbeddings", `4·coordinateSize + 2·shapeSize must equal hidden ${f.hidden}, got 4·${f.coordinateSize} + 2·${f.shapeSize}`);
    }
    this.word_embeddings = new nn.Embedding(c.vocabSize, f.hidden, c.padTokenId);
    this.token_type_embeddings = new nn.Embedding(c.typeVocabSize, f.hidden);
    this.LayerNorm = new nn.LayerNorm(f.hidden, f.layerNormEps);
    this.dropout = new nn.Dropout(c.hiddenDropout);
    this.position_embeddings = new nn.Embedding(c.maxPositions, f.hidden, c.padTokenId);
    this.x_position_embeddings = new nn.Embedding(f.max2dPositions, f.coordinateSize);
    this.y_position_embeddings = new nn.Embedding(f.max2dPositions, f.coordinateSize);
    this.h_position_embeddings = new nn.Embedding(f.max2dPositions, f.shapeSize);
    this.w_position_embeddings = new nn.Embedding(f.max2dPositions, f.shapeSize);
    this.padTokenId = c.padTokenId;
  }
  forward(inputIds: Tensor, bbox: Tensor): Tensor {
    const [b, t] = inputIds.shape; // (B, T)
    const maxPos = this.position_embeddings.numEmbeddings;
    if (t + this.padTokenId >= maxPos) {
      throw new ShapeError("LayoutLMv3TextEmbeddings", `${t} tokens need a position table of at least ${t + this.padTokenId + 1} rows, have maxPositions ${maxPos}`);
    }
    checkBbox(bbox, b, t);
    const clip = this.h_position_embeddings.numEmbeddings - 1;
    const spatial = cat([
      this.x_position_embeddings.forward(bboxColumn(bbox, 0)),
      this.y_position_embeddings.forward(bboxColumn(bbox, 1)),
      this.x_position_embeddings.forward(bboxColumn(bbox, 2)),
      this.y_position_embeddings.forward(bboxColumn(bbox, 3)),
      this.h_position_embeddings.forward(bboxColumn(bbox, 3, 1, clip)),
      this.w_position_embeddings.forward(bboxColumn(bbox, 2, 0, clip)),
    ], -1); // (B, T, H)
    const sum = this.word_embeddings.forward(inputIds)
      .add(this.token_type_embeddings.forward(zeros([b, t], "int32")))
      .add(this.position_embeddings.forward(positionIds(inputIds, this.padTokenId)))
      .add(spatial);
    return this.dropout.forward(this.LayerNorm.forward(sum)); // (B, T, H)
  }
}

/**
 * HF `init_visual_bbox`: the visual CLS gets [1, 1, 999, 999]; patch (r, c) gets [xs[c], xs[r], xs[c+1], xs[r+1]]
 * with xs[k] = trunc(k·1000 / g). Returns int32 (1 + P, 4).
 */
export function visualBoxes(grid: number): Tensor {
  const xs = Array.from({ length: grid + 1 }, (_, k) => Math.trunc((k * MAX_COORD) / grid));
  const boxes = [1, 1, MAX_COORD - 1, MAX_COORD - 1];
  for (let r = 0; r < grid; r++) for (let c = 0; c < grid; c++) boxes.push(xs[c], xs[r], xs[c + 1], xs[r + 1]);
  return tensor(Int32Array.from(boxes), [grid * grid + 1, 4]);
}
