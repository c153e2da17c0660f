// Every preset builds; `small` and `cpu` also run a training forward + backward on a one-page batch.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { manualSeed, randn, tensor } from "../../../engine/index.ts";
import { AETNet, cpu, parameterCounts, presets, small, type AETNetConfig } from "../../../src/index.ts";

const t = suite("presets");

function onePage(c: AETNetConfig, tokens = 8): Parameters<AETNet["forward"]>[0] {
  const ids = Array.from({ length: tokens }, (_, i) => (i === 0 ? 0 : i === tokens - 1 ? 2 : 3 + i));
  const boxes = ids.flatMap((_, i) => (i === 0 || i === tokens - 1 ? [0, 0, 0, 0] : [100 * i, 40, 100 * i + 60, 60]));
  return {
    inputIds: tensor(Int32Array.from(ids), [1, tokens]),
    bbox: tensor(Int32Array.from(boxes), [1, tokens, 4]),
    attentionMask: tensor(Int32Array.from(ids.map(() => 1)), [1, tokens]),
    pixelValues: randn([1, c.channels, c.imageSize, c.imageSize]),
    labels: tensor(Int32Array.from(ids.map((_, i) => (i === 0 || i === tokens - 1 ? -100 : i % 7))), [1, tokens]),
  };
}

for (const config of [small, cpu]) {
  t(`${config.name}: builds, every loss term is finite, gradients reach the three encoders`, () => {
    manualSeed(0);
    const model = new AETNet({ ...config, queueSize: 4 }, { task: "token", numLabels: 7 });
    const counts = parameterCounts(model);
    assert.ok(counts.visual_encoder > 0 && counts.text_encoder > 0 && counts.fusion_base > 0);
    const out = model.forward(onePage(config));
    for (const [name, v] of Object.entries(out.terms)) assert.ok(Number.isFinite(v.item()), `${name} = ${v.item()}`);
    out.loss.backward();
    for (const key of ["visual_encoder.blocks.0.attn.qkv.weight", "text_encoder.roberta.encoder.layer.0.attention.self.query.weight", "fusion_model.layoutlmv3.encoder.layer.0.attention.self.query.weight"]) {
      const p = Object.fromEntries(model.namedParameters())[key];
      assert.ok(p?.grad !== null && p?.grad !== undefined, `no gradient for ${key}`);
    }
  });
}

t("every preset keeps the 14×14 patch grid and hidden = 4·coordinate + 2·shape", () => {
  for (const c of Object.values(presets)) {
    assert.is(c.imageSize / c.patchSize, 14, c.name);
    assert.is(4 * c.fusion.coordinateSize + 2 * c.fusion.shapeSize, c.fusion.hidden, c.name);
  }
});

t.run();
