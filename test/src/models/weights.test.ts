import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, zeros, type Tensor } from "../../../engine/index.ts";
import { tiny } from "../../../src/config.ts";
import { AETNet } from "../../../src/models/aetnet.ts";
import { VisionTransformer } from "../../../src/models/vit.ts";
import { aetKey, deitKey, layoutlmv3Key, mapStateDict, robertaKey, loadPretrained } from "../../../src/models/weights.ts";

const t = suite("weights");

t("timm DeiT keys", () => {
  assert.is(deitKey("blocks.3.attn.qkv.weight"), "visual_encoder.blocks.3.attn.qkv.weight");
  assert.is(deitKey("cls_token"), "visual_encoder.cls_token");
  assert.is(deitKey("module.pos_embed"), "visual_encoder.pos_embed");
  for (const k of ["head.weight", "head.bias", "head_dist.weight", "dist_token", "fc_norm.weight"]) assert.is(deitKey(k), null, k);
});

t("HF RoBERTa keys", () => {
  assert.is(robertaKey("roberta.encoder.layer.11.attention.self.query.weight"), "text_encoder.roberta.encoder.layer.11.attention.self.query.weight");
  assert.is(robertaKey("embeddings.word_embeddings.weight"), "text_encoder.roberta.embeddings.word_embeddings.weight");
  assert.is(robertaKey("roberta.embeddings.LayerNorm.gamma"), "text_encoder.roberta.embeddings.LayerNorm.weight");
  for (const k of ["lm_head.dense.weight", "lm_head.bias", "lm_head.decoder.weight", "roberta.pooler.dense.weight", "roberta.embeddings.position_ids"]) assert.is(robertaKey(k), null, k);
});

t("HF LayoutLMv3 and AET keys", () => {
  assert.is(layoutlmv3Key("layoutlmv3.encoder.rel_pos_bias.weight"), "fusion_model.layoutlmv3.encoder.rel_pos_bias.weight");
  assert.is(layoutlmv3Key("patch_embed.proj.weight"), "fusion_model.layoutlmv3.patch_embed.proj.weight");
  assert.is(layoutlmv3Key("classifier.weight"), null);
  assert.is(aetKey("visual_encoder_m.blocks.0.norm1.weight"), "visual_encoder_m.blocks.0.norm1.weight");
  assert.is(aetKey("text_encoder_m.lm_head.dense.weight"), null);
  assert.is(aetKey("fusion_model.layoutlmv3.embeddings.position_ids"), null);
  assert.throws(() => mapStateDict({ a: zeros([1]), b: zeros([1]) }, () => "x"),
    /two checkpoint keys map to x: a and b$/);
});

t("every AETNet key round-trips through the official names", () => {
  const model = new AETNet(tiny, { task: "token", numLabels: 5 });
  const { mapped, dropped } = mapStateDict(model.stateDict(), aetKey);
  assert.is(dropped.length, 0);
  assert.equal(Object.keys(mapped), Object.keys(model.stateDict()));
});

t("loadPretrained: a timm-named ViT checkpoint lands in visual_encoder and is copied to the momentum encoder", () => {
  const dir = mkdtempSync(join(tmpdir(), "aet-weights-"));
  try {
    const src = new VisionTransformer(tiny);
    const ckpt: Record<string, Tensor> = { ...src.stateDict(), "head.weight": zeros([10, 48]), "head.bias": zeros([10]) };
    const path = join(dir, "deit.safetensors");
    io.saveSafetensors(path, ckpt);
    const model = new AETNet(tiny, { task: "token", numLabels: 5 });
    const report = loadPretrained(model, { deit: path });
    assert.equal(report.dropped.sort(), ["head.bias", "head.weight"]);
    assert.is(report.unexpected.length + report.mismatched.length, 0);
    assert.is(report.loaded.length, Object.keys(src.stateDict()).length);
    assert.equal(Array.from(model.visual_encoder!.blocks[0].attn.qkv.weight.storage.slice(0, 8)), Array.from(src.blocks[0].attn.qkv.weight.storage.slice(0, 8)));
    assert.equal(Array.from(model.visual_encoder_m!.pos_embed.storage.slice(0, 8)), Array.from(src.pos_embed.storage.slice(0, 8)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
