// What entity extraction needs from a checkpoint: the model in eval mode, its tokenizer, its BIO labels and the
// window settings it was trained with. Type imports only: the browser build (entityModelFromFiles) uses this module,
// so it must not pull in checkpoint_model.ts and with it the CLI, the dataset loaders and file reading;
// opening a folder on disk is load_entity_model.ts.
import type { OpenedModel } from "../cli/checkpoint_model.ts";
import type { Chunking, WordTokenizer } from "../data/encode.ts";
import type { AETNet } from "../models/aetnet.ts";

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

/** The refusal of a document-classification model where entities are wanted (the error names the checkpoint). */
export const NOT_A_TOKEN_MODEL =
  "is a document-classification checkpoint; entity extraction needs a token-labelling one";

/**
 * An opened model as an EntityModel (chunking as its run had it, "overlap" by default), or null when its head
 * classifies whole documents: there are no entities to tag.
 */
export function entityModelOf(opened: Pick<OpenedModel, "settings" | "model" | "tokenizer">): EntityModel | null {
  const { settings, model, tokenizer } = opened;
  if (settings.kind !== "token") return null;
  const { labels, maxLength, stride, batchSize } = settings;
  return { model, tokenizer, labels, maxLength, stride, batchSize, chunking: settings.chunking ?? "overlap" };
}
