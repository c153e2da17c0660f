import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { tiny, small } from "../../../src/config.ts";
import { VisionTransformer } from "../../../src/models/vit.ts";
import { fillGolden, hashTensor, closeTo } from "./golden_weights.ts";

const golden = JSON.parse(readFileSync(new URL("../../fixtures/aetnet_golden.json", import.meta.url), "utf8")) as {
  vit: { first4: number[]; rowsum: number[]; shape: number[] };
};
const t = suite("vit");

t("timm key names", () => {
  const keys = Object.keys(new VisionTransformer(tiny).stateDict());
  for (const k of ["cls_token", "pos_embed", "patch_embed.proj.weight", "patch_embed.proj.bias", "blocks.0.norm1.weight", "blocks.0.attn.qkv.weight",
    "blocks.0.attn.qkv.bias", "blocks.0.attn.proj.weight", "blocks.0.norm2.bias", "blocks.0.mlp.fc1.weight", "blocks.0.mlp.fc2.bias", "norm.weight"]) {
    assert.ok(keys.includes(k), `missing ${k}`);
  }
  assert.is(keys.length, 4 + 12 + 2);
  const vit = new VisionTransformer(small);
  assert.equal(vit.pos_embed.shape, [1, 197, 192]);
  assert.equal(vit.patch_embed.proj.weight.shape, [192, 3, 8, 8]);
});

t("golden forward (tiny, plain-torch reference)", () => {
  const vit = new VisionTransformer(tiny).eval();
  fillGolden(vit);
  const y = vit.forward(hashTensor("vit.pixel_values", [2, 3, 56, 56])).lastHiddenState;
  assert.equal(y.shape, golden.vit.shape);
  const first4 = y.slice(1, 0, 4).dataSync();
  const r1 = closeTo(first4, golden.vit.first4);
  assert.ok(r1.ok, r1.worst);
  const r2 = closeTo(y.sum(-1).dataSync(), golden.vit.rowsum, 1e-4, 1e-4);
  assert.ok(r2.ok, r2.worst);
});

t("backward reaches every parameter", () => {
  const vit = new VisionTransformer(tiny);
  vit.forward(hashTensor("x", [1, 3, 56, 56])).lastHiddenState.square().mean().backward();
  for (const [name, p] of vit.namedParameters()) assert.ok(p.grad !== null, `no grad for ${name}`);
});

t.run();
