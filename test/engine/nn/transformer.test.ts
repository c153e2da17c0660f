// TransformerEncoderLayer against torch (golden fixture, post-LN and pre-LN), gradcheck, and the encoder stack.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Tensor, tensor, randn, nn, gradcheck, manualSeed } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { withParameters } from "./with_parameters.ts";

interface Golden {
  config: { d_model: number; nhead: number; dim_feedforward: number; batch: number; seq: number; eps: number };
  params: Record<string, { shape: number[]; data: number[] }>;
  x: number[];
  w: number[];
  key_padding_mask: number[];
  cases: Record<"post_ln" | "pre_ln", { out: number[]; grad_x: number[]; grad_params: Record<string, number[]> }>;
}
const golden: Golden = JSON.parse(readFileSync(new URL("../../fixtures/encoder_layer_golden.json", import.meta.url), "utf8"));
const { d_model: D, nhead: H, dim_feedforward: FF, batch: B, seq: T } = golden.config;

const t = suite("nn.TransformerEncoderLayer");

t("state-dict keys match the documented list", () => {
  const layer = new nn.TransformerEncoderLayer(D, H, FF);
  assert.equal(Object.keys(layer.stateDict()).sort(), Object.keys(golden.params).sort());
  assert.is(nn.parameterCount(layer), 4 * (D * D + D) + (FF * D + FF) + (D * FF + D) + 4 * D);
});

for (const kind of ["post_ln", "pre_ln"] as const) {
  t(`matches torch.nn.TransformerEncoderLayer (${kind}, gelu, key padding) forward and backward`, () => {
    const layer = new nn.TransformerEncoderLayer(D, H, FF, { dropout: 0, normFirst: kind === "pre_ln", layerNormEps: golden.config.eps });
    const sd = Object.fromEntries(Object.entries(golden.params).map(([k, v]) => [k, tensor(v.data, v.shape)]));
    layer.loadStateDict(sd);
    const x = tensor(golden.x, [B, T, D], { requiresGrad: true });
    const mask = tensor(golden.key_padding_mask, [B, T]);
    const out = layer.forward(x, { keyPaddingMask: mask });
    const ref = golden.cases[kind];
    assertClose(out, ref.out, 1e-5, 2e-6, `${kind} out`);
    out.mul(tensor(golden.w, [B, T, D])).sum().backward();
    assertClose(x.grad!, ref.grad_x, 1e-5, 2e-6, `${kind} grad x`);
    for (const [name, p] of layer.namedParameters()) assertClose(p.grad!, ref.grad_params[name], 1e-5, 2e-6, `${kind} grad ${name}`);
  });
}

t("gradcheck (float64) through x and every parameter, pre-LN and post-LN, relu and gelu", () => {
  manualSeed(11);
  for (const [normFirst, activation] of [[false, "gelu"], [true, "relu"]] as const) {
    const layer = new nn.TransformerEncoderLayer(4, 2, 6, { dropout: 0, normFirst, activation }).to("float64");
    for (const p of layer.parameters()) p.storage.set(randn(p.shape).storage.map((v) => v * 0.5 + (p.ndim === 1 ? 0.1 : 0)));
    const mask = tensor([[1, 1, 1], [1, 1, 0]]);
    const x = randn([2, 3, 4], { dtype: "float64" });
    const names = [...layer.namedParameters()].map(([k]) => k);
    const fn = withParameters(layer, names, (xs: Tensor[]) => layer.forward(xs[0], { keyPaddingMask: mask }));
    gradcheck(fn, [x, ...layer.parameters()], { atol: 1e-6, rtol: 1e-4 });
  }
});

t("dropout only in training; eval is deterministic", () => {
  manualSeed(12);
  const layer = new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0.3 });
  const x = randn([1, 4, 8]);
  const a = layer.forward(x).storage;
  const b = layer.forward(x).storage;
  assert.ok(a.some((v, i) => v !== b[i]));
  layer.eval();
  assertClose(layer.forward(x), layer.forward(x), 0, 0);
});

t("TransformerEncoder stacks layers with keys layers.<i>.… and an optional final norm", () => {
  manualSeed(13);
  const enc = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0, normFirst: true }), 2, { norm: new nn.LayerNorm(8) });
  const keys = Object.keys(enc.stateDict());
  assert.ok(keys.includes("layers.0.selfAttn.query.weight") && keys.includes("layers.1.linear2.bias") && keys.includes("norm.weight"));
  const x = randn([2, 3, 8]);
  const mask = tensor([[1, 1, 0], [1, 1, 1]]);
  let h = x;
  for (const layer of enc.layers) h = layer.forward(h, { keyPaddingMask: mask });
  assertClose(enc.forward(x, { keyPaddingMask: mask }), enc.norm!.forward(h), 1e-6, 1e-7);
  assert.is(enc.layers.length, 2);
});

t.run();
