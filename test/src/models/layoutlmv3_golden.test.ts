// LayoutLMv3 against test/fixtures/layoutlmv3_golden.json (plain-torch reference, test/golden/gen_layoutlmv3.py).
import { readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, arange, tensor } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { tiny } from "../../../src/config.ts";
import { BertLayer, cogviewSoftmax } from "../../../src/models/bert_layer.ts";
import { LayoutLMv3Encoder, type LayoutLMv3Inputs } from "../../../src/models/layoutlmv3.ts";
import { LayoutLMv3ForSequenceClassification, LayoutLMv3ForTokenClassification } from "../../../src/models/heads.ts";
import { relativePositionBucket } from "../../../src/models/relative_position.ts";
import { detFill, detTensor, detValues } from "./layoutlmv3_fill.ts";

interface Summary { rows: number[]; sum: number; wsum: number }
interface Golden {
  generator_check: number[];
  bucket: { start: number; end: number; b32_128: number[]; b64_256: number[] };
  cogview: { shape: number[]; input: number[]; output: number[] };
  bias: { positions: number[][]; bbox: number[][][]; shape: number[]; bias: number[] };
  layer: Record<"output" | "grad_x" | "grad_bias" | "grad_query_weight" | "grad_key_bias" | "grad_output_ln_weight", number[]> & { mask: number[][] };
  model: {
    input_ids: number[][]; bbox: number[][][]; attention_mask: number[][]; labels: number[][]; rows: number[];
    plain: Summary; aligned: Summary;
    token7: { logits: number[]; loss: number; grads: Record<string, number[]> };
    token13: { labels: number[][]; logits: number[]; loss: number };
    seq16: { labels: number[]; logits: number[]; loss: number };
  };
}
const g: Golden = JSON.parse(readFileSync(new URL("../../fixtures/layoutlmv3_golden.json", import.meta.url), "utf8"));

const RTOL = 1e-4;
const ATOL = 1e-5;
const close = (a: Tensor | ArrayLike<number>, b: ArrayLike<number>, what: string, atol = ATOL): void => assertClose(a, b, RTOL, atol, what);
const int = (values: number[] | number[][] | number[][][]): Tensor => tensor(values, undefined, { dtype: "int32" });
const H = tiny.fusion.hidden;

const t = suite("layoutlmv3 golden");

t("the deterministic fill matches the golden script bit for bit", () => {
  assert.equal(Array.from(detValues("check", 5)), g.generator_check);
});

t("relativePositionBucket matches torch on every distance in -1100..1100", () => {
  const rel = arange(g.bucket.start, g.bucket.end + 1);
  assert.equal(Array.from(relativePositionBucket(rel, true, 32, 128).storage), g.bucket.b32_128);
  assert.equal(Array.from(relativePositionBucket(rel, true, 64, 256).storage), g.bucket.b64_256);
});

t("cogviewSoftmax, including huge and finfo.min scores", () => {
  const s = tensor(g.cogview.input, g.cogview.shape);
  close(cogviewSoftmax(s), g.cogview.output, "cogview", 1e-7);
});

t("1-D + 2-D attention bias", () => {
  const enc = new LayoutLMv3Encoder(tiny);
  detFill(enc, "layoutlmv3.encoder");
  const bias = enc.attentionBias(int(g.bias.positions), int(g.bias.bbox));
  assert.equal(bias.shape, g.bias.shape);
  close(bias, g.bias.bias, "bias");
});

t("one LayoutLMv3 layer: forward and backward with bias and padding mask", () => {
  const layer = new BertLayer({ ...tiny.fusion, hiddenDropout: 0.1, attentionDropout: 0.1, cogview: true }).eval();
  detFill(layer, "layer");
  const x = detTensor("input.layer_x", [2, 6, H]).requiresGrad_();
  const bias = detTensor("input.layer_bias", [2, tiny.fusion.heads, 6, 6]).requiresGrad_();
  const y = layer.forward(x, { attentionBias: bias, keyMask: int(g.layer.mask) });
  y.mul(detTensor("input.layer_wout", [2, 6, H])).sum().backward();
  close(y, g.layer.output, "output");
  close(x.grad!, g.layer.grad_x, "grad x");
  close(bias.grad!, g.layer.grad_bias, "grad bias");
  close(layer.attention.self.query.weight.grad!, g.layer.grad_query_weight, "grad query.weight");
  close(layer.attention.self.key.bias!.grad!, g.layer.grad_key_bias, "grad key.bias", 1e-6);
  close(layer.output.LayerNorm.weight.grad!, g.layer.grad_output_ln_weight, "grad output.LayerNorm.weight");
});

// ---- whole tiny model ----

const m = g.model;
const T = m.input_ids[0].length;
const V = (tiny.imageSize / tiny.patchSize) ** 2 + 1;
const inputs = (align: boolean): LayoutLMv3Inputs => ({
  inputIds: int(m.input_ids),
  bbox: int(m.bbox),
  attentionMask: int(m.attention_mask),
  pixelValues: detTensor("input.pixel_values", [2, tiny.channels, tiny.imageSize, tiny.imageSize]),
  ...(align ? { alignText: detTensor("input.align_text", [2, T, H], 0.5), alignImage: detTensor("input.align_image", [2, V, H], 0.5) } : {}),
});

function checkSummary(hidden: Tensor, s: Summary, what: string): void {
  close(hidden.indexSelect(1, int(m.rows)), s.rows, `${what} rows`);
  close([hidden.sum().item()], [s.sum], `${what} sum`, 1e-3);
  close([hidden.mul(detTensor("input.hidden_check", [2, T + V, H])).sum().item()], [s.wsum], `${what} weighted sum`, 1e-3);
}

t("tiny LayoutLMv3Model forward, plain and with align inputs", () => {
  const model = new LayoutLMv3ForTokenClassification(tiny, 7).eval();
  detFill(model);
  const plain = model.layoutlmv3.forward(inputs(false));
  assert.equal(plain.hidden.shape, [2, T + V, H]);
  assert.equal(plain.textHidden.shape, [2, T, H]);
  checkSummary(plain.hidden, m.plain, "plain");
  checkSummary(model.layoutlmv3.forward(inputs(true)).hidden, m.aligned, "aligned");
});

t("token classification (Linear, 7 labels): logits, loss and parameter gradients", () => {
  const model = new LayoutLMv3ForTokenClassification(tiny, 7).eval();
  detFill(model);
  const out = model.forward({ ...inputs(true), labels: int(m.labels) });
  close(out.logits, m.token7.logits, "logits");
  close([out.loss!.item()], [m.token7.loss], "loss");
  out.loss!.backward();
  const params = Object.fromEntries(model.namedParameters());
  for (const [name, want] of Object.entries(m.token7.grads)) close(params[name].grad!, want, `grad ${name}`, 1e-6);
});

t("token classification (ClassificationHead, 13 labels) and sequence classification (16 labels)", () => {
  const tok = new LayoutLMv3ForTokenClassification(tiny, 13).eval();
  detFill(tok);
  const out13 = tok.forward({ ...inputs(false), labels: int(m.token13.labels) });
  close(out13.logits, m.token13.logits, "token13 logits");
  close([out13.loss!.item()], [m.token13.loss], "token13 loss");
  const seq = new LayoutLMv3ForSequenceClassification(tiny, 16).eval();
  detFill(seq);
  const out16 = seq.forward({ ...inputs(false), labels: int(m.seq16.labels) });
  close(out16.logits, m.seq16.logits, "seq16 logits");
  close([out16.loss!.item()], [m.seq16.loss], "seq16 loss");
});

t.run();
