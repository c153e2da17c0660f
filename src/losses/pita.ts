// PITA: patch-level image–text alignment — each image patch classifies its own cell among the averaged token features per cell, and back.
// Paper: PITA (method section); official code: `loss_lol` ("loc-loc") in AET.forward, with `check_bbox` labels. Raw (unprojected,
// unnormalised) embeddings, no temperature; every patch and every cell row counts, empty cells included (zero vectors).
import { ShapeError, Tensor, eye, logSoftmax, matmul, mean, mul, sum, tensor, transpose } from "../../engine/index.ts";
import { SPANNING, patchIndex } from "./patch.ts";

/** Options of pitaLoss: the patch grid and the size of one grid cell in box coordinates. */
export interface PitaOptions {
  /** Patches per side; P must be grid² (14 in the paper). */
  grid?: number;
  /** Cell size on the 0–1000 box scale (72 in the official code). */
  cell?: number;
}

type Boxes = Tensor | readonly (readonly (readonly number[])[])[];
type Mask = Tensor | readonly (readonly number[])[];

/** Reads element [b][t] (and [b][t][k] for boxes) from nested arrays or a row-major tensor. */
const boxAt = (bbox: Boxes, b: number, t: number, tokens: number): number[] =>
  bbox instanceof Tensor ? Array.from(bbox.storage.subarray((b * tokens + t) * 4, (b * tokens + t) * 4 + 4)) : [...bbox[b][t]];
const maskAt = (mask: Mask, b: number, t: number, tokens: number): number =>
  mask instanceof Tensor ? mask.storage[b * tokens + t] : mask[b][t];

function checkLayout(bbox: Boxes, mask: Mask, b: number, tokens: number): void {
  const boxShape = bbox instanceof Tensor ? bbox.shape : [bbox.length, bbox[0]?.length ?? 0, bbox[0]?.[0]?.length ?? 4];
  const maskShape = mask instanceof Tensor ? mask.shape : [mask.length, mask[0]?.length ?? 0];
  const raggedBox = !(bbox instanceof Tensor) && bbox.some((row) => row.length !== tokens || row.some((box) => box.length !== 4));
  const raggedMask = !(mask instanceof Tensor) && mask.some((row) => row.length !== tokens);
  if (raggedBox || boxShape.join() !== [b, tokens, 4].join()) throw new ShapeError("pitaLoss", `bbox must be [B=${b}, T=${tokens}, 4], got [${boxShape.join(", ")}]${raggedBox ? " (ragged)" : ""}`);
  if (raggedMask || maskShape.join() !== [b, tokens].join()) throw new ShapeError("pitaLoss", `attentionMask must be [B=${b}, T=${tokens}], got [${maskShape.join(", ")}]${raggedMask ? " (ragged)" : ""}`);
}

/**
 * [B, P, T] averaging weights: w[b,c,t] = 1 / |tokens in cell c| when token t (unmasked, not spanning) lies in cell c.
 * Multiplying by the token embeddings gives each cell's mean token feature (zero for an empty cell).
 */
export function cellAverager(bbox: Boxes, attentionMask: Mask, batch: number, tokens: number, grid: number, cell: number, dtype: Tensor["dtype"]): Tensor {
  checkLayout(bbox, attentionMask, batch, tokens);
  const cells = grid * grid;
  const w = new Float64Array(batch * cells * tokens);
  for (let b = 0; b < batch; b++) {
    const label = Array.from({ length: tokens }, (_, t) => (maskAt(attentionMask, b, t, tokens) === 0 ? SPANNING : patchIndex(boxAt(bbox, b, t, tokens), grid, cell)));
    const count = new Array<number>(cells).fill(0);
    for (const c of label) if (c !== SPANNING) count[c]++;
    label.forEach((c, t) => { if (c !== SPANNING) w[(b * cells + c) * tokens + t] = 1 / count[c]; });
  }
  return tensor(w, [batch, cells, tokens], { dtype });
}

/**
 * patchEmbeds: [B, P, D] image patch tokens; tokenEmbeds: [B, T, D] text tokens; bbox: [B][T][4]; attentionMask: [B][T].
 * logits1[b] = patches · cellsᵀ (row p = patch p vs every cell), logits2[b] = its transpose; CE with target = own index,
 * each averaged over B·P rows; result (CE1 + CE2) / 2.
 */
export function pitaLoss(patchEmbeds: Tensor, tokenEmbeds: Tensor, bbox: Boxes, attentionMask: Mask, { grid = 14, cell = 72 }: PitaOptions = {}): Tensor {
  if (patchEmbeds.ndim !== 3 || tokenEmbeds.ndim !== 3 || patchEmbeds.shape[0] !== tokenEmbeds.shape[0] || patchEmbeds.shape[2] !== tokenEmbeds.shape[2]) {
    throw new ShapeError("pitaLoss", `expected patchEmbeds [B, P, D] and tokenEmbeds [B, T, D], got [${patchEmbeds.shape.join(", ")}] and [${tokenEmbeds.shape.join(", ")}]`);
  }
  const [b, p] = patchEmbeds.shape;
  if (p !== grid * grid) throw new ShapeError("pitaLoss", `patchEmbeds has ${p} patches, expected grid² = ${grid * grid}`);
  const avg = cellAverager(bbox, attentionMask, b, tokenEmbeds.shape[1], grid, cell, tokenEmbeds.dtype); // (B, P, T)
  const cells = matmul(avg, tokenEmbeds); // (B, P, D)
  const logits1 = matmul(patchEmbeds, transpose(cells, 1, 2)); // (B, P, P): patch p vs cell c
  const logits2 = transpose(logits1, 1, 2); // (B, P, P): cell c vs patch p
  const diag = eye(p, p, logits1.dtype);
  const ce = (logits: Tensor): Tensor => mean(sum(mul(logSoftmax(logits, -1), diag), -1)).neg();
  return ce(logits1).add(ce(logits2)).div(2);
}
