// What entity extraction needs from a checkpoint: the model in eval mode, its tokenizer, its BIO labels and the
// window settings it was trained with.
import type { AETNet } from "../models/aetnet.ts";
import type { Chunking, WordTokenizer } from "../data/encode.ts";
import { openModel } from "../cli/checkpoint_model.ts";
import { DataError } from "../data/errors.ts";

/** A token-labelling model ready to run on pages: weights, tokenizer, BIO labels and window settings. */
export interface EntityModel {
  model: AETNet;
  tokenizer: WordTokenizer;
  /** BIO labels in label-id order ("O", "B-QUESTION", ...). */
  labels: readonly string[];
  /** Tokens per window (with <s> and </s>), window overlap, windows per forward pass. */
  maxLength: number;
  stride: number;
  batchSize: number;
  /** How the checkpoint's run cut long documents: the same cut is used at prediction time. */
  chunking: Chunking;
}

/**
 * Opens a run or checkpoint folder written by `aetnet train`, or a Hugging Face LayoutLMv3ForTokenClassification
 * folder (config.json + model.safetensors); a document-classification checkpoint is refused.
 */
export function loadEntityModel(checkpoint: string): EntityModel {
  const { dir, settings, model, tokenizer } = openModel(checkpoint);
  if (settings.kind !== "token") {
    throw new DataError("extract", dir, "is a document-classification checkpoint; entity extraction needs a token-labelling one");
  }
  const { labels, maxLength, stride, batchSize } = settings;
  return { model, tokenizer, labels, maxLength, stride, batchSize, chunking: settings.chunking ?? "overlap" };
}
