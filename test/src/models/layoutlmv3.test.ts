// LayoutLMv3 structure and properties: key list, parameter counts, visual boxes, input errors, float64 gradchecks.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, gradcheck, ones, softmax, tensor, zeros } from "../../../engine/index.ts";
import { parameterCount } from "../../../engine/nn/module.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { tiny } from "../../../src/config.ts";
import { BertLayer, cogviewSoftmax } from "../../../src/models/bert_layer.ts";
import { LayoutLMv3Encoder, LayoutLMv3Model, loadLayoutLMv3StateDict } from "../../../src/models/layoutlmv3.ts";
import { visualBoxes } from "../../../src/models/layoutlmv3_embeddings.ts";
import { LayoutLMv3ForTokenClassification } from "../../../src/models/heads.ts";
import { RUNS, tensorArb } from "../../helpers.ts";

const golden: { param_count: { tiny: number; base: number } } = JSON.parse(readFileSync(new URL("../../fixtures/layoutlmv3_golden.json", import.meta.url), "utf8"));
const keyList = readFileSync(new URL("../../fixtures/layoutlmv3_tiny_keys.txt", import.meta.url), "utf8")
  .split("\n").filter((l) => l && !l.startsWith("#"));
const int = (values: number[] | number[][] | number[][][]): Tensor => tensor(values, undefined, { dtype: "int32" });

const t = suite("layoutlmv3");

t("parameter names are HF's, in torch state-dict order (committed key list)", () => {
  const model = new LayoutLMv3ForTokenClassification(tiny, 7);
  assert.equal([...model.namedParameters()].map(([k]) => k), keyList);
  const big = new LayoutLMv3ForTokenClassification(tiny, 13);
  const heads = [...big.namedParameters()].map(([k]) => k).filter((k) => k.startsWith("classifier."));
  assert.equal(heads, ["classifier.dense.weight", "classifier.dense.bias", "classifier.out_proj.weight", "classifier.out_proj.bias"]);
});

t("parameter count of the tiny body matches the architecture formula (base: layoutlmv3_base.test.ts)", () => {
  assert.is(parameterCount(new LayoutLMv3Model(tiny, { init: false })), golden.param_count.tiny);
});

t("HF init: N(0, 0.02) weights, zero biases / padding rows / cls_token / pos_embed, unit LayerNorm", () => {
  const m = new LayoutLMv3Model(tiny);
  const w = Array.from(m.encoder.layer[0].attention.self.query.weight.storage);
  const std = Math.sqrt(w.reduce((a, v) => a + v * v, 0) / w.length);
  assert.ok(Math.abs(std - 0.02) < 0.002, `std ${std}`);
  assert.ok(m.encoder.layer[0].attention.self.query.bias!.storage.every((v) => v === 0));
  const pad = tiny.padTokenId;
  assert.ok(m.embeddings.word_embeddings.weight.storage.slice(pad * 48, pad * 48 + 48).every((v) => v === 0));
  assert.ok(m.cls_token.storage.every((v) => v === 0) && m.pos_embed.storage.every((v) => v === 0));
  assert.ok(m.LayerNorm.weight.storage.every((v) => v === 1));
});

t("visual boxes: 14×14 grid on the 0..1000 scale, CLS box first", () => {
  const boxes = visualBoxes(14);
  assert.equal(boxes.shape, [197, 4]);
  assert.equal(Array.from(boxes.storage.slice(0, 12)), [1, 1, 999, 999, 0, 0, 71, 71, 71, 0, 142, 71]);
  assert.equal(Array.from(boxes.storage.slice(-4)), [928, 928, 1000, 1000]);
  assert.equal(Array.from(boxes.storage.slice(4 * 15, 4 * 16)), [0, 71, 71, 142]); // row 1, column 0
});

// ---- input errors ----

const model = new LayoutLMv3Model(tiny).eval();
const S = tiny.imageSize;
const V = (S / tiny.patchSize) ** 2 + 1;
const goodInputs = (bbox: number[][][]) => ({
  inputIds: int([[0, 5, 2]]), bbox: int(bbox), attentionMask: ones([1, 3]), pixelValues: zeros([1, 3, S, S]),
});

t("bbox outside 0..1000 is an error naming the tensor, position and value", () => {
  assert.throws(() => model.forward(goodInputs([[[0, 0, 0, 0], [10, 10, 1001, 20], [0, 0, 0, 0]]])), /bbox\[0, 1, 2\] = 1001/);
  assert.throws(() => model.forward(goodInputs([[[0, 0, 0, 0], [0, 0, 0, 0], [0, -3, 0, 0]]])), /bbox\[0, 2, 1\] = -3/);
});

t("x1 < x0 or y1 < y0 is accepted (width/height clip to 0, as HF; values checked in the golden test)", () => {
  const hidden = model.forward(goodInputs([[[0, 0, 0, 0], [50, 60, 40, 55], [0, 0, 0, 0]]])).hidden;
  assert.equal(hidden.shape, [1, 3 + V, 48]);
  assert.ok(hidden.storage.every(Number.isFinite));
});

t("shape errors name the offending input", () => {
  const ok = goodInputs([[[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]]]);
  assert.throws(() => model.forward({ ...ok, alignImage: zeros([1, V - 1, 48]) }), /alignImage must be \[1, 197, 48\]/);
  assert.throws(() => model.forward({ ...ok, pixelValues: zeros([1, 3, 32, 32]) }), /pixelValues must be/);
  assert.throws(() => model.forward({ ...ok, bbox: int([[[0, 0, 0, 0]]]) }), /bbox must be \[1, 3, 4\]/);
});

t("loadLayoutLMv3StateDict accepts prefixed and bare HF keys", () => {
  const src = new LayoutLMv3ForTokenClassification(tiny, 7);
  const dst = new LayoutLMv3Model(tiny);
  const sd = { ...src.stateDict(), "layoutlmv3.embeddings.position_ids": zeros([1, 130]) };
  const res = loadLayoutLMv3StateDict(dst, sd);
  assert.equal(res.missing, []);
  assert.equal(Array.from(dst.pos_embed.storage), Array.from(src.layoutlmv3.pos_embed.storage));
});

// ---- float64 gradchecks ----

t("cogviewSoftmax equals softmax (float64, random rows)", () => {
  fc.assert(fc.property(tensorArb([3, 5], -50, 50), (x) => {
    assertClose(cogviewSoftmax(x), softmax(x, -1), 1e-10, 1e-12);
    return true;
  }), { numRuns: RUNS });
});

const coord = fc.integer({ min: 0, max: 1000 });
const biasCase = fc.integer({ min: 1, max: 5 }).chain((n) => fc.record({
  b: fc.integer({ min: 1, max: 2 }), n: fc.constant(n),
  pos: fc.array(fc.integer({ min: 0, max: 300 }), { minLength: n, maxLength: n }),
  boxes: fc.array(fc.array(fc.tuple(coord, coord, coord, coord), { minLength: n, maxLength: n }), { minLength: 2, maxLength: 2 }),
}));

t("gradcheck: attention bias wrt the three bucket tables", () => {
  const enc = new LayoutLMv3Encoder(tiny).to("float64");
  fc.assert(fc.property(biasCase, ({ b, pos, boxes }) => {
    const bbox = int(boxes.slice(0, b).map((row) => row.map((box) => [...box])));
    const fn = (w1: Tensor, wx: Tensor, wy: Tensor): Tensor => {
      enc.rel_pos_bias.weight = w1;
      enc.rel_pos_x_bias.weight = wx;
      enc.rel_pos_y_bias.weight = wy;
      return enc.attentionBias(int([pos]), bbox);
    };
    return gradcheck(fn, [enc.rel_pos_bias.weight, enc.rel_pos_x_bias.weight, enc.rel_pos_y_bias.weight]);
  }), { numRuns: 10 });
});

const layerCase = fc.record({ b: fc.integer({ min: 1, max: 2 }), t: fc.integer({ min: 1, max: 4 }) }).chain(({ b, t: n }) => fc.record({
  x: tensorArb([b, n, 8], -2, 2),
  bias: tensorArb([b, 2, n, n], -2, 2),
  keep: fc.array(fc.boolean(), { minLength: b * n, maxLength: b * n }),
}));

t("gradcheck: one CogView post-LN layer wrt input, bias and query weight (float64, padding mask)", () => {
  const layer = new BertLayer({ hidden: 8, heads: 2, intermediate: 16, layerNormEps: 1e-5, hiddenDropout: 0, attentionDropout: 0, cogview: true }).to("float64");
  fc.assert(fc.property(layerCase, ({ x, bias, keep }) => {
    const [b, n] = x.shape;
    const mask = tensor(keep.map((k, i) => (k || i % n === 0 ? 1 : 0)), [b, n]); // every row keeps its first key
    const fn = (xx: Tensor, bb: Tensor, wq: Tensor): Tensor => {
      layer.attention.self.query.weight = wq;
      return layer.forward(xx, { attentionBias: bb, keyMask: mask });
    };
    return gradcheck(fn, [x, bias, layer.attention.self.query.weight], { atol: 1e-5, rtol: 1e-4 });
  }), { numRuns: 10 });
});

t.run();
