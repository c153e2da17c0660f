// ema: the exact update rule, name/order matching, and its errors.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor, nn, optim, manualSeed } from "../../../engine/index.ts";

const t = suite("optim.ema");

t("target = m·target + (1-m)·source, element by element (float32 storage)", () => {
  const a = tensor([1, 2, 3]);
  const b = tensor([4, -2, 0.5]);
  optim.ema([a], [b], 0.9);
  assert.equal(Array.from(a.storage), [1, 2, 3].map((x, i) => Math.fround(0.9 * x + 0.1 * [4, -2, 0.5][i])));
  assert.equal(Array.from(b.storage), [4, -2, 0.5].map(Math.fround));
  optim.ema([a], [b], 0); // momentum 0 copies
  assert.equal(Array.from(a.storage), Array.from(b.storage));
});

t("modules are matched by name (frozen target included), no graph is recorded", () => {
  manualSeed(3);
  const online = new nn.Sequential(new nn.Linear(3, 2), new nn.GELU(), new nn.Linear(2, 2));
  const momentum = new nn.Sequential(new nn.Linear(3, 2), new nn.GELU(), new nn.Linear(2, 2)).requiresGrad_(false);
  const before = momentum.parameters().map((p) => Array.from(p.storage));
  optim.ema(momentum, online, 0.99);
  momentum.parameters().forEach((p, i) => {
    const src = online.parameters()[i].storage;
    assert.equal(Array.from(p.storage), before[i].map((v, j) => Math.fround(0.99 * v + 0.01 * src[j])));
    assert.ok(!p.requiresGrad && p.gradFn === null);
  });
});

t("clear errors on mismatch", () => {
  const a = new nn.Sequential(new nn.Linear(3, 2));
  const b = new nn.Sequential(new nn.Linear(3, 3));
  assert.throws(() => optim.ema(a, b, 0.9), /\[ema\] parameter 0\.weight: target \[2, 3\] vs source \[3, 3\]/);
  const c = new nn.Sequential(new nn.Linear(3, 2, { bias: false }));
  assert.throws(() => optim.ema(a, c, 0.9), /\[ema\] parameter names differ: only in target: 0\.bias/);
  assert.throws(() => optim.ema([tensor([1])], [], 0.9), /\[ema\] target has 1 parameters, source 0/);
  assert.throws(() => optim.ema([tensor([1])], [tensor([1])], 1.5), /\[ema\] momentum must be in \[0, 1\]/);
});

t.run();
