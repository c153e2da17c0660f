// One AdamW training step of AETNet on random token-labelling documents: the W4 workload and the
// attention bench share it so both time the same thing.
import { optim, randint, randn, tensor } from "../engine/index.ts";
import type { AETNetConfig } from "../src/config.ts";
import { AETNet, type AETNetInputs } from "../src/models/aetnet.ts";

/** A closure running forward, backward, step and afterStep on b documents of t tokens (the last `padTail` padded). */
export function aetnetStep(config: AETNetConfig, b = 2, t = 64, padTail = 0): () => void {
  const model = new AETNet(config, { task: "token", numLabels: 7 });
  const boxes = randint(0, 500, [b, t, 4]).int();
  const batch: AETNetInputs = {
    inputIds: randint(4, config.vocabSize, [b, t]).int(),
    bbox: tensor(Int32Array.from(boxes.storage, (v, i) => (i % 4 >= 2 ? v + 400 : v)), [b, t, 4]),
    attentionMask: tensor(Int32Array.from({ length: b * t }, (_, i) => (i % t < t - padTail ? 1 : 0)), [b, t]),
    pixelValues: randn([b, 3, config.imageSize, config.imageSize]),
    labels: randint(0, 7, [b, t]).int(),
  };
  const opt = new optim.AdamW(model.trainableParameters(), { lr: 1e-4 });
  return () => {
    const out = model.forward(batch);
    opt.zeroGrad();
    out.loss.backward();
    opt.step();
    model.afterStep();
  };
}
