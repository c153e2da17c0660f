import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { base } from "../../../src/config.ts";
import { VisionTransformer } from "../../../src/models/vit.ts";
import { RobertaTextEncoder } from "../../../src/models/roberta.ts";
import { LayoutLMv3Model } from "../../../src/models/layoutlmv3.ts";
import { nn, skipInit } from "../../../engine/index.ts";

// The base encoders are built under skipInit (zeros instead of ~340M random draws, which take ~40 s here);
// only shapes matter for the counts. Expected numbers come from the architecture formulas in gen_aetnet.py:
// DeiT-base without head 85,798,656; RoBERTa-base without pooler and lm_head 124,055,040; LayoutLMv3-base 125,326,976.
const golden = JSON.parse(readFileSync(new URL("../../fixtures/aetnet_golden.json", import.meta.url), "utf8")) as {
  param_counts_base: { visual_encoder: number; text_encoder: number; fusion_base: number; proj: number };
};
const t = suite("base_counts");
t("base components have the DeiT-base / RoBERTa-base / LayoutLMv3-base parameter counts", () => {
  const want = golden.param_counts_base;
  assert.is(nn.parameterCount(skipInit(() => new VisionTransformer(base))), want.visual_encoder);
  assert.is(nn.parameterCount(skipInit(() => new RobertaTextEncoder(base))), want.text_encoder);
  assert.is(nn.parameterCount(skipInit(() => new LayoutLMv3Model(base, { init: false }))), want.fusion_base);
});

t.run();
