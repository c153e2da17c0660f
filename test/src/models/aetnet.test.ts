import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { F, Tensor, noGrad, tensor } from "../../../engine/index.ts";
import { tiny, withOverrides } from "../../../src/config.ts";
import { AETNet, parameterCounts, type AETNetInputs } from "../../../src/models/aetnet.ts";
import { fillGolden, hashTensor, closeTo } from "./golden_weights.ts";

interface Case { alpha: number; total: number; terms: Record<string, number>; logits_first: number[]; grads: Record<string, number[]> }
const golden = JSON.parse(readFileSync(new URL("../../fixtures/aetnet_golden.json", import.meta.url), "utf8")) as {
  config: Record<string, number>;
  aetnet: { ids: number[][]; mask: number[][]; bbox: number[][][]; labels: number[][]; cases: Case[]; param_shapes: Record<string, number[]> };
};
const g = golden.aetnet;
const [B, T] = [g.ids.length, g.ids[0].length];
const int = (v: number[], shape: number[]): Tensor => tensor(Int32Array.from(v), shape);

function goldenInputs(): AETNetInputs {
  return {
    inputIds: int(g.ids.flat(), [B, T]),
    bbox: int(g.bbox.flat(2), [B, T, 4]),
    attentionMask: int(g.mask.flat(), [B, T]),
    pixelValues: hashTensor("pixel_values", [B, 3, 56, 56]),
    pixelValuesAug: hashTensor("pixel_values_aug", [B, 3, 56, 56]),
    labels: int(g.labels.flat(), [B, T]),
  };
}

function goldenModel(alpha: number): AETNet {
  const model = new AETNet(withOverrides(tiny, { alpha }), { task: "token", numLabels: 5 }).eval();
  fillGolden(model, ["temp"]);
  model.copyMomentum();
  const q = model.queue!;
  noGrad(() => {
    q.image.storage.set(F.normalize(hashTensor("image_queue", [32, 64]), 0).storage);
    q.text.storage.set(F.normalize(hashTensor("text_queue", [32, 64]), 0).storage);
  });
  return model;
}

const t = suite("aetnet");

t("tiny preset matches the golden script's config", () => {
  const c = golden.config;
  assert.equal([tiny.fusion.hidden, tiny.fusion.heads, tiny.fusion.intermediate, tiny.vision.layers, tiny.text.layers, tiny.fusion.layers, tiny.vocabSize, tiny.maxPositions, tiny.imageSize, tiny.patchSize, tiny.embedDim, tiny.queueSize],
    [c.hidden, c.heads, c.inter, c.vit_layers, c.text_layers, c.fusion_layers, c.vocab, c.max_pos, c.image, c.patch, c.embed_dim, c.queue]);
});

t("trainable parameter names and shapes match the reference layout", () => {
  const model = new AETNet(tiny, { task: "token", numLabels: 5 });
  const ours = Object.fromEntries(model.trainableParameters().length ? [...model.namedParameters()].filter(([, p]) => p.requiresGrad).map(([k, p]) => [k, p.shape]) : []);
  assert.equal(Object.keys(ours).sort(), Object.keys(g.param_shapes).sort());
  for (const [k, s] of Object.entries(g.param_shapes)) assert.equal(ours[k], s, k);
  const keys = Object.keys(model.stateDict());
  for (const k of ["visual_encoder_m.blocks.0.attn.qkv.weight", "text_encoder_m.roberta.embeddings.word_embeddings.weight", "vision_proj_m.weight", "text_proj_m.bias", "image_queue", "text_queue", "queue_ptr", "temp"]) {
    assert.ok(keys.includes(k), `state dict lacks ${k}`);
  }
});

for (const c of g.cases) {
  t(`golden forward + backward, alpha ${c.alpha} (plain-torch reference)`, () => {
    const model = goldenModel(c.alpha);
    const out = model.forward(goldenInputs());
    for (const [name, want] of Object.entries(c.terms)) {
      const got = new Map<string, Tensor>(Object.entries(out.terms)).get(name);
      assert.ok(got !== undefined, `missing term ${name}`);
      const r = closeTo([got.item()], [want]);
      assert.ok(r.ok, `${name}: ${r.worst}`);
    }
    const rt = closeTo([out.loss.item()], [c.total]);
    assert.ok(rt.ok, `total: ${rt.worst}`);
    const rl = closeTo(out.logits.narrow(1, 0, 3).narrow(0, 0, 1).dataSync(), c.logits_first);
    assert.ok(rl.ok, `logits: ${rl.worst}`);
    out.loss.backward();
    const params = Object.fromEntries(model.namedParameters());
    for (const [name, want] of Object.entries(c.grads)) {
      const grad = params[name].grad;
      assert.ok(grad !== null, `no grad for ${name}`);
      const r = closeTo(grad.dataSync().slice(0, want.length), want, 1e-4, 1e-6);
      assert.ok(r.ok, `grad ${name}: ${r.worst}`);
    }
    for (const [name, p] of model.namedParameters()) if (name.includes("_m.")) assert.is(p.grad, null, name);
  });
}

function smallBatch(b: number, tokens = 6): AETNetInputs {
  const boxes = Array.from({ length: b * tokens }, (_, i) => (i % tokens === 0 ? [0, 0, 0, 0] : [10 * (i % 7), 20, 10 * (i % 7) + 30, 50])).flat();
  return {
    inputIds: int(Array.from({ length: b * tokens }, (_, i) => (i % tokens === 0 ? 0 : 5 + i)), [b, tokens]),
    bbox: int(boxes, [b, tokens, 4]),
    attentionMask: int(Array.from({ length: b * tokens }, () => 1), [b, tokens]),
    pixelValues: hashTensor("px", [b, 3, 56, 56]),
    labels: int(Array.from({ length: b * tokens }, (_, i) => i % 5), [b, tokens]),
  };
}

t("afterStep: temperature clamped, EMA applied, this step's momentum features enqueued at the pointer", () => {
  const model = new AETNet(withOverrides(tiny, { queueSize: 8 }), { task: "token", numLabels: 5 });
  const q = model.queue!;
  const batch = smallBatch(2);
  const out = model.forward(batch);
  assert.is(q.pointer, 0); // nothing is enqueued inside forward
  out.loss.backward();
  const [vp, vpm] = [model.vision_proj!, model.vision_proj_m!];
  noGrad(() => { vp.weight.storage[0] += 1; model.temp!.storage[0] = 0.9; });
  const before = vpm.weight.storage[0];
  model.afterStep();
  assert.is(model.temp!.item(), 0.5);
  assert.ok(Math.abs(vpm.weight.storage[0] - (0.995 * before + 0.005 * vp.weight.storage[0])) < 1e-6);
  assert.is(q.pointer, 2);
  // the enqueued columns are the unit-norm momentum image features of the batch
  for (let c = 0; c < 2; c++) {
    let norm = 0;
    for (let d = 0; d < 32; d++) norm += q.image.storage[d * 8 + c] ** 2;
    assert.ok(Math.abs(norm - 1) < 1e-5);
  }
  noGrad(() => { model.temp!.storage[0] = 1e-5; });
  model.eval().forward(batch); // eval forwards queue nothing
  model.afterStep();
  assert.is(q.pointer, 2);
  assert.is(model.temp!.item(), Math.fround(0.001));
});

t("queue size that is not a multiple of the batch: clear error", () => {
  const model = new AETNet(withOverrides(tiny, { queueSize: 9 }), { task: "token", numLabels: 5 });
  assert.throws(() => model.forward(smallBatch(2)), /queue size 9 must be a multiple of the batch size 2/);
});

t("align: false is the fusion-only baseline; switches drop terms and unused machinery", () => {
  const baseline = new AETNet(withOverrides(tiny, { align: false }), { task: "token", numLabels: 5 });
  assert.is(baseline.visual_encoder, null);
  assert.is(baseline.text_encoder_m, null);
  assert.ok(Object.keys(baseline.stateDict()).every((k) => k.startsWith("fusion_model.")));
  const out = baseline.forward(smallBatch(2));
  assert.equal(Object.keys(out.terms), ["task"]);
  assert.is(out.loss.item(), out.terms.task.item());
  const pitaOnly = new AETNet(withOverrides(tiny, { losses: { ditc: false, imc: false, glitc: false, pita: true } }), { task: "sequence", numLabels: 3 });
  assert.is(pitaOnly.queue, null);
  assert.is(pitaOnly.visual_encoder_m, null);
  const b = smallBatch(2);
  const o2 = pitaOnly.forward({ ...b, labels: int([0, 2], [2]) });
  assert.equal(Object.keys(o2.terms).sort(), ["pita", "task"]);
  assert.equal(o2.logits.shape, [2, 3]);
  const noGlitc = new AETNet(withOverrides(tiny, { losses: { ditc: true, imc: true, glitc: false, pita: false } }), { task: "token", numLabels: 5 });
  const o3 = noGlitc.forward(smallBatch(2));
  assert.equal(Object.keys(o3.terms).sort(), ["i2i", "i2t", "t2i", "t2t", "task"]);
  assert.equal(noGlitc.predict(smallBatch(2)).shape, [2, 6, 5]);
});

t("parameterCounts: per component, momentum frozen", () => {
  const model = new AETNet(tiny, { task: "token", numLabels: 5 });
  const c = parameterCounts(model);
  assert.is(c.momentum, c.visual_encoder + c.text_encoder + c.vision_proj + c.text_proj);
  assert.is(c.trainable, c.visual_encoder + c.text_encoder + c.fusion_base + c.fusion_head + c.vision_proj + c.text_proj + 1);
  assert.is(c.vision_proj, 48 * 32 + 32);
});

t.run();
