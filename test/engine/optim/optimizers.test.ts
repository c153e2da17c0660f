// SGD and AdamW against torch trajectories (golden), parameter groups, and exact resume from stateDict.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { Tensor, tensor, optim, ShapeError } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";

interface Golden {
  shapes: number[][];
  params0: number[][];
  grads: number[][][];
  cases: Record<string, { options: Record<string, number | boolean | number[]>; group0: Record<string, number>; steps: number[][][] }>;
}
const golden: Golden = JSON.parse(readFileSync(new URL("../../fixtures/optim_golden.json", import.meta.url), "utf8"));

const freshParams = (): Tensor[] => golden.params0.map((d, i) => tensor(d, golden.shapes[i], { requiresGrad: true }));
const setGrads = (ps: Tensor[], step: number): void => { ps.forEach((p, i) => { p.grad = tensor(golden.grads[step][i], golden.shapes[i]); }); };

type Make = (ps: Tensor[]) => optim.SGD | optim.AdamW;
const makers: Record<string, Make> = {
  sgd_momentum_nesterov_wd: (ps) => new optim.SGD([{ params: ps.slice(0, 2), lr: 0.05 }, { params: ps.slice(2) }], { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true }),
  sgd_momentum_dampening: (ps) => new optim.SGD([{ params: ps.slice(0, 2), weightDecay: 0 }, { params: ps.slice(2) }], { lr: 0.1, momentum: 0.8, dampening: 0.3, weightDecay: 0.05 }),
  sgd_plain: (ps) => new optim.SGD([{ params: ps.slice(0, 2) }, { params: ps.slice(2) }], { lr: 0.2 }),
  adamw_wd: (ps) => new optim.AdamW([{ params: ps.slice(0, 2), weightDecay: 0, lr: 0.02 }, { params: ps.slice(2) }], { lr: 0.01, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.1 }),
  adamw_defaults: (ps) => new optim.AdamW([{ params: ps.slice(0, 2) }, { params: ps.slice(2) }]),
};

const t = suite("optim.SGD / optim.AdamW");

for (const [name, make] of Object.entries(makers)) {
  t(`${name} matches torch over 5 steps`, () => {
    const ps = freshParams();
    const opt = make(ps);
    golden.cases[name].steps.forEach((expected, step) => {
      setGrads(ps, step);
      opt.step();
      ps.forEach((p, i) => assertClose(p, expected[i], 2e-6, 1e-7, `${name} step ${step + 1} param ${i}`));
    });
  });

  t(`${name} resumes exactly from stateDict after 2 steps`, () => {
    const a = freshParams();
    const optA = make(a);
    for (let s = 0; s < 5; s++) { setGrads(a, s); optA.step(); }
    const b = freshParams();
    const optB = make(b);
    for (let s = 0; s < 2; s++) { setGrads(b, s); optB.step(); }
    const sd = optB.stateDict();
    const json = JSON.parse(JSON.stringify({ groups: sd.paramGroups })); // hyperparameters are plain data
    assert.equal(json.groups, sd.paramGroups);
    const c = b.map((p) => tensor(p.storage.slice(), p.shape, { requiresGrad: true }));
    for (let s = 2; s < 5; s++) { setGrads(b, s); optB.step(); } // keeps stepping: the saved dict must not change
    const optC = make(c);
    optC.loadStateDict(sd);
    for (let s = 2; s < 5; s++) { setGrads(c, s); optC.step(); }
    c.forEach((p, i) => assert.equal(Array.from(p.storage), Array.from(a[i].storage), `param ${i}`));
  });
}

t("plain param list, defaults, skipped params without grad, zeroGrad", () => {
  const p = tensor([1, 2], [2], { requiresGrad: true });
  const q = tensor([3], [1], { requiresGrad: true });
  const opt = new optim.AdamW([p, q]);
  assert.is(opt.paramGroups.length, 1);
  assert.equal({ ...opt.paramGroups[0], params: null }, { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, params: null });
  p.grad = tensor([1, 1], [2]);
  opt.step();
  assert.equal(Array.from(q.storage), [3]);
  assert.ok(Array.from(p.storage).every((v, i) => v < [1, 2][i]));
  assert.equal(Object.keys(opt.stateDict().state), ["0"]);
  opt.zeroGrad();
  assert.is(p.grad, null);
});

t("errors: duplicates, mixed inputs, empty, int params, nesterov without momentum, bad state", () => {
  const p = tensor([1], [1], { requiresGrad: true });
  assert.throws(() => new optim.SGD([{ params: [p] }, { params: [p] }], { lr: 1 }), /^\[SGD\] group 1: a parameter/);
  assert.throws(() => new optim.SGD([], { lr: 1 }), /\[SGD\] got an empty parameter list/);
  assert.throws(() => new optim.SGD([tensor(new Int32Array([1]))], { lr: 1 }), /can only optimize floating-point/);
  assert.throws(() => new optim.SGD([p], { lr: 1, nesterov: true }), /\[SGD\] nesterov/);
  assert.throws(() => new optim.AdamW([p], { betas: [1, 0.9] }), /\[AdamW\] betas/);
  const opt = new optim.AdamW([p]);
  p.grad = tensor([1], [1]);
  opt.step();
  const sd = opt.stateDict();
  const two = new optim.AdamW([p, tensor([1], [1], { requiresGrad: true })]);
  assert.throws(() => two.loadStateDict(sd), /\[AdamW.loadStateDict\] group sizes differ/);
  sd.state[0].expAvg = tensor([1, 2], [2]);
  assert.throws(() => new optim.AdamW([p]).loadStateDict(sd), /state expAvg of parameter 0 should be a tensor of shape \[1\], got \[2\]/);
});

t("loadStateDict restores hyperparameters (e.g. a scheduled lr)", () => {
  const p = tensor([1], [1], { requiresGrad: true });
  const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.5 });
  opt.paramGroups[0].lr = 0.025;
  const other = new optim.SGD([tensor([1], [1], { requiresGrad: true })], { lr: 0.1, momentum: 0.5 });
  other.loadStateDict(opt.stateDict());
  assert.is(other.paramGroups[0].lr, 0.025);
});

t("paramGroupsNoDecay puts biases, norm weights and 1-D params in a zero-decay group", () => {
  assert.ok(optim.isNoDecay("encoder.layer.0.attention.output.LayerNorm.weight", tensor([[1]])));
  assert.ok(optim.isNoDecay("blocks.0.norm1.weight", tensor([[1]])));
  assert.ok(optim.isNoDecay("head.bias", tensor([[1]])));
  assert.ok(optim.isNoDecay("cls_token", tensor([1])));
  assert.ok(!optim.isNoDecay("head.weight", tensor([[1]])));
  assert.ok(!optim.isNoDecay("normalizer.proj.weight", tensor([[1]])));
});

t.run();
