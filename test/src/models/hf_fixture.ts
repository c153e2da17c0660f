// The tiny models behind test/fixtures/hf/ (written by test/golden/make_hf_export.ts and test/golden/gen_hf_checkpoint.py):
// a micro config, a deterministic AETNet to export, and the fixed inputs both sides run.
import { Tensor, tensor } from "../../../engine/index.ts";
import { tiny, withOverrides, type AETNetConfig } from "../../../src/config.ts";
import { ByteLevelBPE } from "../../../src/data/tokenizer/bpe.ts";
import { AETNet } from "../../../src/models/aetnet.ts";
import { detFill, detTensor } from "./layoutlmv3_fill.ts";

export const HF_FIXTURES = new URL("../../fixtures/hf/", import.meta.url);

const enc = { hidden: 16, layers: 1, heads: 2, intermediate: 32 };
/** Small enough for a committed checkpoint (the 1024-row layout tables dominate), still the 14×14 patch grid. */
export const micro: AETNetConfig = withOverrides(tiny, {
  name: "hf-micro",
  fusion: { ...tiny.fusion, ...enc, coordinateSize: 2, shapeSize: 4 },
  text: { ...enc, layerNormEps: 1e-5 },
  vision: { ...enc, layerNormEps: 1e-6 },
  vocabSize: 64, maxPositions: 40, embedDim: 8,
});

export const FUNSD_LABELS = ["O", "B-HEADER", "I-HEADER", "B-QUESTION", "I-QUESTION", "B-ANSWER", "I-ANSWER"];

/** The AETNet (alignment encoders included) whose export is committed in test/fixtures/hf/aetnet_export/. */
export function exportModel(): AETNet {
  const model = new AETNet(micro, { task: "token", numLabels: FUNSD_LABELS.length }).eval();
  detFill(model);
  return model;
}

/** 64 tokens: RoBERTa's specials, the space symbol, lower-case letters, digits and a little punctuation. */
export function microTokenizer(): ByteLevelBPE {
  const symbols = ["<s>", "<pad>", "</s>", "<unk>", "Ġ", ..."abcdefghijklmnopqrstuvwxyz", ..."0123456789", ..."ABCDEFGHIJKLMNOPQRSTU", ":", "<mask>"];
  return new ByteLevelBPE(new Map(symbols.map((s, i) => [s, i] as const)), [["Ġ", "a"], ["e", "r"]]);
}

const int = (v: number[][] | number[][][]): Tensor => tensor(v, undefined, { dtype: "int32" });

/** The inputs of the logits in test/fixtures/hf/logits.json (the Python script writes them there too). */
export function fixtureInputs(): { inputIds: Tensor; bbox: Tensor; attentionMask: Tensor; pixelValues: Tensor } {
  return {
    inputIds: int([[0, 37, 55, 4, 18, 61, 7, 2], [0, 12, 30, 45, 2, 1, 1, 1]]),
    bbox: int([[[0, 0, 0, 0], [10, 20, 60, 40], [60, 20, 130, 40], [130, 20, 200, 40], [500, 700, 580, 790], [0, 900, 1000, 1000], [999, 999, 1000, 1000], [1000, 1000, 1000, 1000]],
      [[0, 0, 0, 0], [71, 71, 142, 142], [300, 400, 350, 420], [700, 10, 990, 30], [1000, 1000, 1000, 1000], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]),
    attentionMask: int([[1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 0, 0, 0]]),
    pixelValues: detTensor("input.pixel_values", [2, 3, micro.imageSize, micro.imageSize]),
  };
}
