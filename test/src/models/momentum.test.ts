import { suite } from "uvu";
import * as assert from "uvu/assert";
import { nn, randn } from "../../../engine/index.ts";
import { tiny } from "../../../src/config.ts";
import { MomentumPair } from "../../../src/alignment/momentum.ts";
import { VisionTransformer } from "../../../src/models/vit.ts";

const t = suite("momentum");

t("deep copy: equal values, separate storage, frozen, still in the state dict", () => {
  const online = new nn.Linear(4, 3);
  const pair = MomentumPair.create(online, () => new nn.Linear(4, 3));
  assert.equal(Array.from(pair.momentum.weight.storage), Array.from(online.weight.storage));
  assert.ok(pair.momentum.weight.storage !== online.weight.storage);
  assert.is(pair.momentum.weight.requiresGrad, false);
  assert.is(pair.momentum.parameters().filter((p) => p.requiresGrad).length, 0);
  assert.equal(Object.keys(pair.momentum.stateDict()).sort(), ["bias", "weight"]);
});

t("momentum parameters get no gradient and move by exactly the EMA rule", () => {
  const online = new VisionTransformer(tiny);
  const pair = MomentumPair.create(online, () => new VisionTransformer(tiny));
  const x = randn([1, 3, 56, 56]);
  online.forward(x).lastHiddenState.sum().add(pair.momentum.forward(x).lastHiddenState.sum()).backward();
  for (const [, m] of pair.pairs) assert.is(m.grad, null);
  // change the online weights, then one EMA step
  for (const [p] of pair.pairs) for (let i = 0; i < p.storage.length; i++) p.storage[i] += 0.5;
  const before = pair.pairs.map(([, m]) => Float32Array.from(m.storage));
  pair.update(0.9);
  pair.pairs.forEach(([p, m], k) => {
    for (let i = 0; i < m.storage.length; i += 17) {
      const want = Math.fround(before[k][i] * 0.9 + p.storage[i] * (1 - 0.9));
      assert.ok(Math.abs(m.storage[i] - want) <= 1e-6 * Math.max(1, Math.abs(want)), `${pair.pairs[k][2]}[${i}]`);
    }
  });
  pair.copy();
  for (const [p, m] of pair.pairs) assert.equal(Array.from(m.storage.slice(0, 5)), Array.from(p.storage.slice(0, 5)));
});

t("bad momentum is rejected", () => {
  const pair = MomentumPair.create(new nn.Linear(2, 2), () => new nn.Linear(2, 2));
  assert.throws(() => pair.update(1.5), /momentum must be in/);
});

t.run();
