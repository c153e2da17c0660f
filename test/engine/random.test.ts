// Random tensors: reproducible under manualSeed and per-call generators, state round trips, rough moments.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../engine/index.ts";

const t = suite("random");
const values = (x: E.Tensor): number[] => Array.from(x.storage);

t("manualSeed makes rand / randn / randint / randperm reproducible", () => {
  const draw = (): number[][] => [values(E.rand([5])), values(E.randn([2, 3])), values(E.randint(0, 10, [7])), values(E.randperm(9))];
  E.manualSeed(42);
  const a = draw();
  E.manualSeed(42);
  assert.equal(draw(), a);
  E.manualSeed(43);
  assert.not.equal(draw()[0], a[0]);
});

t("a per-call Generator is independent of the global stream", () => {
  E.manualSeed(1);
  const g1 = values(E.randn([4], { generator: new E.Generator(7) }));
  const globalNext = values(E.rand([3]));
  E.manualSeed(1);
  E.rand([100], { generator: new E.Generator(99) }); // must not advance the global stream
  assert.equal(values(E.rand([3])), globalNext);
  assert.equal(values(E.randn([4], { generator: new E.Generator(7) })), g1);
});

t("getState / setState round trip resumes the exact stream (also mid Box–Muller pair)", () => {
  const g = new E.Generator(5);
  E.randn([3], { generator: g }); // odd count leaves a spare normal cached
  const state = g.getState();
  const next = values(E.randn([5], { generator: g }));
  const restored = new E.Generator(0);
  restored.setState(JSON.parse(JSON.stringify(state)));
  assert.equal(values(E.randn([5], { generator: restored })), next);
});

t("ranges, dtypes and rough moments", () => {
  const g = new E.Generator(3);
  const u = E.rand([20000], { generator: g });
  assert.ok(u.storage.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(u.mean().item() - 0.5) < 0.01);
  const n = E.randn([20000], { generator: g, dtype: "float64" });
  assert.is(n.dtype, "float64");
  assert.ok(Math.abs(n.mean().item()) < 0.03, "randn mean");
  assert.ok(Math.abs(Math.sqrt(n.var().item()) - 1) < 0.03, "randn std");
  const i = E.randint(-3, 4, [5000], { generator: g });
  assert.is(i.dtype, "int32");
  assert.ok(i.storage.every((v) => v >= -3 && v < 4));
  assert.equal(new Set(i.storage).size, 7);
  const p = values(E.randperm(50, { generator: g }));
  assert.equal([...p].sort((a, b) => a - b), [...Array(50).keys()]);
  const nm = E.normal([20000], 3, 0.5, { generator: g });
  assert.ok(Math.abs(nm.mean().item() - 3) < 0.02);
  const un = E.uniform([1000], -2, -1, { generator: g });
  assert.ok(un.storage.every((v) => v >= -2 && v < -1));
  assert.ok(E.rand([2], { requiresGrad: true }).requiresGrad);
  assert.throws(() => E.randint(3, 3, [1]), /\[randint\]/);
});

t("skipInit gives zeros and leaves the generator where it was", () => {
  E.manualSeed(5);
  const skipped = E.skipInit(() => E.randn([3, 4]));
  assert.ok(Array.from(skipped.storage).every((v) => v === 0));
  const after = E.randn([2]);
  E.manualSeed(5);
  assert.equal(Array.from(E.randn([2]).storage), Array.from(after.storage));
});

t("bulk draws are the random() stream: rand, uniform, randint and the chunked fills equal one call per number", () => {
  const bulk = new E.Generator(9), single = new E.Generator(9);
  const u = new Float64Array(9000); // past one chunk, split unevenly
  bulk.randomInto(u.subarray(0, 3));
  bulk.randomInto(u.subarray(3));
  assert.ok(u.every((v) => v === single.random()), "randomInto follows random()");
  assert.equal(bulk.getState(), single.getState());
  const g1 = new E.Generator(3), g2 = new E.Generator(3);
  const n = 5000;
  assert.equal(values(E.rand([n], { generator: g1, dtype: "float64" })), Array.from({ length: n }, () => g2.random()));
  assert.equal(values(E.uniform([n], -2, 5, { generator: g1, dtype: "float64" })), Array.from({ length: n }, () => -2 + 7 * g2.random()));
  assert.equal(values(E.randint(-3, 11, [n], { generator: g1 })), Array.from({ length: n }, () => g2.int(-3, 11)));
  const mask = E.F.dropout(E.ones([n], "float64"), 0.3, true, g1);
  assert.equal(values(mask), Array.from({ length: n }, () => (g2.random() >= 0.3 ? 1 / 0.7 : 0)));
});

t.run();
