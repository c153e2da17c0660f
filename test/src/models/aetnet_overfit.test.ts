import { suite } from "uvu";
import * as assert from "uvu/assert";
import { manualSeed, optim, randint, randn, tensor } from "../../../engine/index.ts";
import { tiny, withOverrides } from "../../../src/config.ts";
import { AETNet, type AETNetInputs } from "../../../src/models/aetnet.ts";
import { fillGolden } from "./golden_weights.ts";

// A narrower tiny model (the 14×14 patch grid stays): the test takes a handful of optimizer steps on 4 documents.
const micro = withOverrides(tiny, {
  fusion: { ...tiny.fusion, hidden: 24, layers: 1, heads: 1, intermediate: 48, coordinateSize: 4, shapeSize: 4 },
  text: { ...tiny.text, hidden: 24, heads: 1, intermediate: 48 },
  vision: { ...tiny.vision, hidden: 24, heads: 1, intermediate: 48 },
  embedDim: 16, queueSize: 16, hiddenDropout: 0, attentionDropout: 0, momentum: 0,
});

function documents(b: number, t: number): AETNetInputs {
  const boxes: number[] = [];
  for (let i = 0; i < b * t; i++) {
    const j = i % t;
    boxes.push(...(j === 0 || j === t - 1 ? [0, 0, 0, 0] : [((i * 131) % 13) * 72 + 5, ((i * 71) % 13) * 72 + 5, ((i * 131) % 13) * 72 + 60, ((i * 71) % 13) * 72 + 60]));
  }
  // each document repeats its own word, so texts differ as clearly as the pages do
  const ids = tensor(Int32Array.from({ length: b * t }, (_, i) => 10 + 37 * Math.floor(i / t)), [b, t]);
  for (let i = 0; i < b; i++) { ids.storage[i * t] = 0; ids.storage[i * t + t - 1] = 2; }
  return {
    inputIds: ids,
    bbox: tensor(Int32Array.from(boxes), [b, t, 4]),
    attentionMask: tensor(Int32Array.from({ length: b * t }, () => 1), [b, t]),
    // each page its own colour, so the documents are told apart from the first step
    pixelValues: randn([b, 3, 56, 56]).mul(0.5).add(tensor(Float32Array.from({ length: b * 3 }, (_, i) => (((i * 7) % 5) - 2) * 1.5), [b, 3, 1, 1])),
    labels: randint(0, 5, [b, t]),
  };
}

const t = suite("aetnet_overfit");
const STEPS = Number(process.env.STEPS ?? 6);

t("a tiny AETNet overfits 4 documents: every loss term falls", () => {
  manualSeed(0);
  const model = new AETNet(micro, { task: "token", numLabels: 5 });
  // O(1/√fan_in) weights instead of HF's N(0, 0.02): with the tiny init every document starts with the same CLS
  // feature, and telling 4 documents apart (i2i, t2t) would take far more steps than a unit test can afford.
  fillGolden(model, ["temp"]);
  model.copyMomentum();
  const batch = documents(4, 8);
  const opt = new optim.AdamW(model.trainableParameters(), { lr: Number(process.env.LR ?? 2e-3), weightDecay: 0 });
  const history: Record<string, number>[] = [];
  for (let step = 0; step < STEPS; step++) {
    const out = model.forward(batch);
    history.push({ total: out.loss.item(), ...Object.fromEntries(Object.entries(out.terms).map(([k, v]) => [k, v.item()])) });
    opt.zeroGrad();
    out.loss.backward();
    opt.step();
    // the trainer's afterStep() minus the enqueue: re-enqueueing the same 4 documents would put copies of each
    // positive among its negatives, which raises the contrastive terms by design; afterStep is tested elsewhere.
    model.clampTemp();
    model.momentumUpdate();
  }
  if (process.env.VERBOSE) for (const k of Object.keys(history[0])) console.log(k, history.map((h) => h[k].toFixed(4)).join(" "));
  const [first, last] = [history[0], history[history.length - 1]];
  for (const k of Object.keys(first)) assert.ok(last[k] < first[k], `${k} did not fall: ${history.map((h) => h[k].toFixed(4)).join(" → ")}`);
});

t.run();
