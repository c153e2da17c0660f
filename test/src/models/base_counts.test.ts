import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { base } from "../../../src/config.ts";
import { VisionTransformer } from "../../../src/models/vit.ts";
import { RobertaTextEncoder } from "../../../src/models/roberta.ts";
import { LayoutLMv3Model } from "../../../src/models/layoutlmv3.ts";
import { nn } from "../../../engine/index.ts";

// Building the base encoders allocates ~1.4 GB and draws ~340M random numbers (about 40 s on a busy 2-core box),
// so this runs only with AET_BASE=1. Expected numbers come from the architecture formulas in gen_aetnet.py:
// DeiT-base without head 85,798,656; RoBERTa-base without pooler and lm_head 124,055,040; LayoutLMv3-base 125,326,976.
const golden = JSON.parse(readFileSync(new URL("../../fixtures/aetnet_golden.json", import.meta.url), "utf8")) as {
  param_counts_base: { visual_encoder: number; text_encoder: number; fusion_base: number; proj: number };
};
const t = suite("base_counts");
const run = process.env.AET_BASE === "1" ? t : t.skip;

run("base components have the DeiT-base / RoBERTa-base / LayoutLMv3-base parameter counts", () => {
  const want = golden.param_counts_base;
  assert.is(nn.parameterCount(new VisionTransformer(base)), want.visual_encoder);
  assert.is(nn.parameterCount(new RobertaTextEncoder(base)), want.text_encoder);
  assert.is(nn.parameterCount(new LayoutLMv3Model(base, { init: false })), want.fusion_base);
});

t.run();
