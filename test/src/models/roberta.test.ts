import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { tensor } from "../../../engine/index.ts";
import { tiny } from "../../../src/config.ts";
import { RobertaModel, RobertaTextEncoder, paddingPositionIds } from "../../../src/models/roberta.ts";
import { fillGolden, closeTo } from "./golden_weights.ts";

const golden = JSON.parse(readFileSync(new URL("../../fixtures/aetnet_golden.json", import.meta.url), "utf8")) as {
  roberta: { ids: number[][]; mask: number[][]; out: number[]; shape: number[]; position_ids: number[][] };
};
const t = suite("roberta");
const ids = tensor(Int32Array.from(golden.roberta.ids.flat()), [2, golden.roberta.ids[0].length]);
const mask = tensor(golden.roberta.mask.flat(), [2, golden.roberta.mask[0].length]);

t("HF key names under text_encoder.roberta", () => {
  const keys = Object.keys(new RobertaTextEncoder(tiny).stateDict());
  for (const k of ["roberta.embeddings.word_embeddings.weight", "roberta.embeddings.position_embeddings.weight", "roberta.embeddings.token_type_embeddings.weight",
    "roberta.embeddings.LayerNorm.weight", "roberta.encoder.layer.0.attention.self.query.weight", "roberta.encoder.layer.0.attention.output.dense.bias",
    "roberta.encoder.layer.0.attention.output.LayerNorm.weight", "roberta.encoder.layer.0.intermediate.dense.weight", "roberta.encoder.layer.0.output.dense.weight",
    "roberta.encoder.layer.0.output.LayerNorm.bias"]) assert.ok(keys.includes(k), `missing ${k}`);
  assert.is(keys.length, 5 + 16);
});

t("padding-offset position ids", () => {
  assert.equal(paddingPositionIds(ids, 1).tolist(), golden.roberta.position_ids);
  assert.equal(paddingPositionIds(tensor(Int32Array.from([0, 5, 1, 7]), [1, 4]), 1).tolist(), [[2, 3, 1, 4]]);
});

t("golden forward with padding (tiny, plain-torch reference)", () => {
  const model = new RobertaModel(tiny).eval();
  fillGolden(model);
  const y = model.forward(ids, mask).lastHiddenState;
  assert.equal(y.shape, golden.roberta.shape);
  const r = closeTo(y.dataSync(), golden.roberta.out);
  assert.ok(r.ok, r.worst);
});

t.run();
