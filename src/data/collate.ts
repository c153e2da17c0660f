// Pads encoded windows to one length and stacks them into the model's input tensors.
import { tensor, type Tensor } from "../../engine/index.ts";
import { IGNORE_INDEX, type EncodedWindow } from "./encode.ts";

export interface Batch {
  inputIds: Tensor; // (B, T) int32
  bbox: Tensor; // (B, T, 4) int32
  /** 1 for real tokens, 0 for padding; float32 so it can scale or bias attention scores directly. */
  attentionMask: Tensor; // (B, T) float32
  labels: Tensor; // (B, T) int32, IGNORE_INDEX on specials, padding and non-first sub-tokens
}

export interface CollateOptions {
  /** Pad id (RoBERTa <pad> = 1). */
  padId?: number;
  /** Pad every row to this length (the official code pads to 512); default: the longest window in the batch. */
  padTo?: number;
}

/** Right-pads each window with padId, box [0,0,0,0], mask 0 and label IGNORE_INDEX. */
export function collate(batch: readonly EncodedWindow[], options: CollateOptions = {}): Batch {
  if (batch.length === 0) throw new Error("[collate] empty batch");
  const padId = options.padId ?? 1;
  const longest = Math.max(...batch.map((w) => w.inputIds.length));
  const T = options.padTo ?? longest;
  if (T < longest) throw new Error(`[collate] padTo ${T} is shorter than the longest window (${longest} tokens)`);
  const B = batch.length;
  const ids = new Int32Array(B * T).fill(padId), boxes = new Int32Array(B * T * 4), mask = new Float32Array(B * T), labels = new Int32Array(B * T).fill(IGNORE_INDEX);
  batch.forEach((w, b) => {
    w.inputIds.forEach((id, t) => {
      ids[b * T + t] = id;
      mask[b * T + t] = 1;
      labels[b * T + t] = w.labels[t];
      boxes.set(w.bbox[t], (b * T + t) * 4);
    });
  });
  return { inputIds: tensor(ids, [B, T]), bbox: tensor(boxes, [B, T, 4]), attentionMask: tensor(mask, [B, T]), labels: tensor(labels, [B, T]) };
}
