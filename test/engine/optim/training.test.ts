// A tiny end-to-end loop: a transformer classifier trained with AdamW, no-decay groups, clipping and a schedule.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, tensor, randn, nn, optim, manualSeed, F } from "../../../engine/index.ts";

class TinyClassifier extends nn.Module {
  encoder = new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0, normFirst: true });
  head = new nn.Linear(8, 2);
  forward(x: Tensor, keep: Tensor): Tensor {
    return this.head.forward(this.encoder.forward(x, { keyPaddingMask: keep }).mean(1)); // (B, 2)
  }
}

const t = suite("optim: training loop");

t("loss falls with AdamW + paramGroupsNoDecay + clipGradNorm + cosine schedule", () => {
  manualSeed(7);
  const model = new TinyClassifier();
  const x = randn([8, 4, 8]);
  const keep = tensor([[1, 1, 1, 1], [1, 1, 1, 0]]).reshape(2, 1, 4).expand(2, 4, 4).reshape(8, 4);
  const labels = tensor(new Int32Array([0, 1, 1, 0, 1, 0, 0, 1]));
  const groups = optim.paramGroupsNoDecay(model, 0.01);
  assert.is(groups[0].params.length + groups[1].params.length, model.parameters().length);
  assert.ok(groups[1].params.includes(model.encoder.norm1.weight) && groups[0].params.includes(model.head.weight));
  const opt = new optim.AdamW(groups, { lr: 3e-2 });
  const steps = 30;
  const sched = new optim.LRScheduler(opt, (s) => optim.cosineWarmupDecay(s, { warmupSteps: 3, totalSteps: steps }));
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    opt.zeroGrad();
    const loss = F.crossEntropy(model.forward(x, keep), labels);
    loss.backward();
    optim.clipGradNorm(model.parameters(), 1.0);
    opt.step();
    sched.step();
    losses.push(loss.item());
  }
  assert.ok(losses[steps - 1] < 0.5 * losses[0], `loss ${losses[0]} → ${losses[steps - 1]}`);
});

t("SGD with momentum fits a linear regression", () => {
  manualSeed(8);
  const lin = new nn.Linear(3, 1);
  const x = randn([16, 3]);
  const y = x.matmul(tensor([[1], [-2], [0.5]])).add(0.3);
  const opt = new optim.SGD(lin.parameters(), { lr: 0.05, momentum: 0.9 });
  let loss = 0;
  for (let s = 0; s < 150; s++) {
    opt.zeroGrad();
    const l = lin.forward(x).sub(y).square().mean();
    l.backward();
    opt.step();
    loss = l.item();
  }
  assert.ok(loss < 1e-4, `final loss ${loss}`);
});

t.run();
