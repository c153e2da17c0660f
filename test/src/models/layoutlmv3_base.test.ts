// The paper-size fusion encoder: builds LayoutLMv3-base once (~500 MB) and checks its parameter count.
import { readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { parameterCount } from "../../../engine/nn/module.ts";
import { base } from "../../../src/config.ts";
import { LayoutLMv3Model } from "../../../src/models/layoutlmv3.ts";

const golden: { param_count: { base: number } } = JSON.parse(readFileSync(new URL("../../fixtures/layoutlmv3_golden.json", import.meta.url), "utf8"));

const t = suite("layoutlmv3 base");

// 125,326,976 = HF LayoutLMv3Model for microsoft/layoutlmv3-base, summed from the architecture in
// test/golden/gen_layoutlmv3.py (embeddings 39.52M, patch/cls/pos/norms 0.75M, 12 layers 85.05M, bias tables 1,920).
t("base config builds LayoutLMv3-base with 125,326,976 parameters", () => {
  assert.is(golden.param_count.base, 125_326_976);
  assert.is(parameterCount(new LayoutLMv3Model(base, { init: false })), golden.param_count.base);
});

t.run();
