// Warmup schedules against HF's formulas (written out here) and LRScheduler applying them per group.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor, optim } from "../../../engine/index.ts";

// HF transformers/optimization.py, transcribed as the expected values.
const hfLinear = (s: number, w: number, n: number): number => (s < w ? s / Math.max(1, w) : Math.max(0, (n - s) / Math.max(1, n - w)));
const hfCosine = (s: number, w: number, n: number, minRate = 0): number => {
  if (s < w) return s / Math.max(1, w);
  const progress = (s - w) / Math.max(1, n - w);
  const f = 0.5 * (1 + Math.cos(Math.PI * 0.5 * 2 * progress));
  return Math.max(0, f * (1 - minRate) + minRate);
};
const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) < 1e-12, `${what}: ${a} vs ${b}`);

const t = suite("optim.lr_schedule");

t("linearWarmupDecay follows HF get_linear_schedule_with_warmup", () => {
  for (const [w, n] of [[10, 100], [0, 50], [1, 7], [5, 5]]) {
    for (let s = 0; s <= n + 3; s++) close(optim.linearWarmupDecay(s, { warmupSteps: w, totalSteps: n }), hfLinear(s, w, n), `step ${s} (w ${w}, n ${n})`);
  }
  assert.is(optim.linearWarmupDecay(5, { warmupSteps: 10, totalSteps: 100 }), 0.5);
  assert.is(optim.linearWarmupDecay(10, { warmupSteps: 10, totalSteps: 100 }), 1);
  assert.is(optim.linearWarmupDecay(100, { warmupSteps: 10, totalSteps: 100 }), 0);
});

t("cosineWarmupDecay follows HF cosine (with min lr rate) up to totalSteps, then stays at the floor", () => {
  for (const [w, n, m] of [[10, 100, 0], [0, 40, 0.1], [3, 9, 0.5]]) {
    for (let s = 0; s <= n; s++) close(optim.cosineWarmupDecay(s, { warmupSteps: w, totalSteps: n, minRatio: m }), hfCosine(s, w, n, m), `step ${s} (w ${w}, n ${n}, min ${m})`);
    close(optim.cosineWarmupDecay(n + 25, { warmupSteps: w, totalSteps: n, minRatio: m }), m, "past the end");
  }
  close(optim.cosineWarmupDecay(55, { warmupSteps: 10, totalSteps: 100 }), 0.5, "midpoint");
});

t("LRScheduler scales every group's base lr, applies step 0 on construction, and resumes", () => {
  const p = tensor([1], [1], { requiresGrad: true });
  const q = tensor([1], [1], { requiresGrad: true });
  const opt = new optim.AdamW([{ params: [p], lr: 0.1 }, { params: [q], lr: 0.01 }]);
  const sched = new optim.LRScheduler(opt, (s) => optim.linearWarmupDecay(s, { warmupSteps: 4, totalSteps: 10 }));
  assert.equal(sched.getLastLr(), [0, 0]);
  const seen: number[][] = [];
  for (let i = 0; i < 6; i++) { sched.step(); seen.push(sched.getLastLr()); }
  seen.forEach((lrs, i) => {
    const m = hfLinear(i + 1, 4, 10);
    close(lrs[0], 0.1 * m, `group 0 step ${i + 1}`);
    close(lrs[1], 0.01 * m, `group 1 step ${i + 1}`);
  });
  const opt2 = new optim.AdamW([{ params: [p], lr: 0.5 }, { params: [q], lr: 0.5 }]);
  const sched2 = new optim.LRScheduler(opt2, (s) => optim.linearWarmupDecay(s, { warmupSteps: 4, totalSteps: 10 }));
  sched2.loadStateDict(sched.stateDict());
  assert.equal(sched2.getLastLr(), sched.getLastLr());
  sched.step(); sched2.step();
  assert.equal(sched2.getLastLr(), sched.getLastLr());
  assert.throws(() => new optim.LRScheduler(new optim.SGD([p], { lr: 1 }), () => 1).loadStateDict(sched.stateDict()), /\[LRScheduler.loadStateDict\]/);
});

t.run();
