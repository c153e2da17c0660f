// A small demo model that needs no file: the `tiny` AETNet, randomly initialised from a seed, with a BPE tokenizer
// trained on the words of a few synthetic forms and FUNSD's labels. It has learnt nothing — its entities are not
// meaningful — but it runs the whole path (words, boxes, page image, windows, entities) so a page can be tried
// before a checkpoint is at hand. The same seed gives the same weights in Node and in a browser.
import { manualSeed } from "../../engine/index.ts";
import { tiny } from "../config.ts";
import { FUNSD_LABELS } from "../data/funsd.ts";
import { syntheticForms } from "../data/synthetic_forms.ts";
import { trainBpe } from "../data/tokenizer/train_bpe.ts";
import { AETNet } from "../models/aetnet.ts";
import type { EntityModel } from "./entity_model.ts";

/** The untrained `tiny` demo model for seed (default 0); builds in well under a second. */
export function demoEntityModel(seed = 0): EntityModel {
  const tokenizer = trainBpe(syntheticForms(8, seed).flatMap((f) => f.doc.words), { vocabSize: tiny.vocabSize });
  manualSeed(seed); // weight initialisation draws from the global generator
  const model = new AETNet(tiny, { task: "token", numLabels: FUNSD_LABELS.length });
  model.eval();
  return { model, tokenizer, labels: FUNSD_LABELS, maxLength: 128, stride: 32, batchSize: 4, chunking: "overlap" };
}
