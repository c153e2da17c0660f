// Shared by the trainer and CLI tests: a micro AETNet config and prepared synthetic forms, small enough for seconds.
import { tiny, withOverrides, type AETNetConfig } from "../../../src/config.ts";
import { labelMaps, type Document } from "../../../src/data/document.ts";
import { SYNTHETIC_LABELS, syntheticForms } from "../../../src/data/synthetic_forms.ts";
import { trainBpe } from "../../../src/data/tokenizer/train_bpe.ts";
import type { ByteLevelBPE } from "../../../src/data/tokenizer/bpe.ts";
import { prepareDocs, type PrepareOptions } from "../../../src/train/batches.ts";
import { defaultSettings } from "../../../src/train/trainer.ts";
import type { PreparedDoc, RunSettings } from "../../../src/train/run_types.ts";

/** tiny, narrower: one fusion layer of width 24 on the 14×14 grid of a 56 px page; queue of 8. */
export const micro: AETNetConfig = withOverrides(tiny, {
  name: "micro",
  fusion: { ...tiny.fusion, hidden: 24, layers: 1, heads: 1, intermediate: 48, coordinateSize: 4, shapeSize: 4 },
  text: { ...tiny.text, hidden: 24, heads: 1, intermediate: 48 },
  vision: { ...tiny.vision, hidden: 24, heads: 1, intermediate: 48 },
  embedDim: 16, queueSize: 8,
});

export interface SyntheticSetup {
  tokenizer: ByteLevelBPE; train: PreparedDoc[]; eval: PreparedDoc[]; settings: RunSettings;
  /** How the documents were prepared: re-prepare them with another tokenizer via { ...prep, tokenizer }. */
  prep: PrepareOptions;
}

/** `trainDocs` synthetic forms for training, `evalDocs` held out, windows of 64 tokens, batch 2. */
export function syntheticSetup(trainDocs = 4, evalDocs = 2, overrides: Partial<RunSettings> = {}): SyntheticSetup {
  const train = syntheticForms(trainDocs, 1), held = syntheticForms(evalDocs, 2);
  const tokenizer = trainBpe(train.flatMap((f) => f.doc.words), { vocabSize: 400 });
  const pages = new Map([...train, ...held].map((f) => [f.doc, f.image] as const));
  const settings = defaultSettings("synthetic", SYNTHETIC_LABELS, { epochs: 2, batchSize: 2, maxLength: 64, stride: 8, lr: 1e-3, seed: 3, ...overrides });
  const prep: PrepareOptions = { tokenizer, labelToId: labelMaps(SYNTHETIC_LABELS).labelToId, imageSize: micro.imageSize, maxLength: settings.maxLength, stride: settings.stride, pageOf: (d: Document) => pages.get(d) };
  return { tokenizer, settings, prep, train: prepareDocs(train.map((f) => f.doc), prep), eval: prepareDocs(held.map((f) => f.doc), prep) };
}
