// F.linear, F.layerNorm, F.embedding, F.dropout: values, gradcheck properties, errors, dropout statistics.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { F, Generator, manualSeed, ones, randint, tensor, type Tensor } from "../../../engine/index.ts";
import { RUNS, checkGradProperty, shapeArb, tensorArb } from "../../helpers.ts";
import { expectError, expectTensor, prod } from "./reference.ts";

const f64 = (data: number[], shape: number[]): Tensor => tensor(Float64Array.from(data), shape);

// ---- linear ----
const lin = suite("F.linear");
lin("values: x Wᵀ + b on a hand example, and a 1-D input", () => {
  const x = f64([1, 2, 3, 4, 5, 6], [2, 3]);
  const w = f64([1, 0, -1, 2, 1, 0], [2, 3]);
  const b = f64([0.5, -1], [2]);
  expectTensor(F.linear(x, w, b), [2, 2], [1 - 3 + 0.5, 2 + 2 - 1, 4 - 6 + 0.5, 8 + 5 - 1]);
  expectTensor(F.linear(f64([1, 2, 3], [3]), w), [2], [-2, 4]);
});
lin("gradcheck on random leading shapes, with and without bias", () => {
  const arb = fc.tuple(shapeArb(0, 2, 3), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.boolean())
    .chain(([lead, i, o, withBias]) => fc.tuple(tensorArb([...lead, i]), tensorArb([o, i]), tensorArb([o]), fc.constant(withBias)));
  checkGradProperty(arb, (x, w, b, withBias) => ({
    fn: (x2, w2, b2) => F.linear(x2, w2, withBias ? b2 : null),
    inputs: [x, w, b],
  }));
});
lin("errors name the op and the shapes", () => {
  expectError(() => F.linear(ones([2, 3]), ones([4, 5])), "[linear]", "[2, 3]", "[4, 5]");
  expectError(() => F.linear(ones([2, 3]), ones([4, 3]), ones([3])), "[linear]", "bias [3]", "[4]");
});
lin.run();

// ---- layerNorm ----
const ln = suite("F.layerNorm");
ln("values: zero mean, unit (biased) variance, then weight and bias", () => {
  const x = f64([1, 2, 3, 4, 10, 10, 10, 10], [2, 4]);
  const mean = 2.5, v = 1.25;
  const row0 = [1, 2, 3, 4].map((a) => (a - mean) / Math.sqrt(v + 1e-5));
  expectTensor(F.layerNorm(x, 4), [2, 4], [...row0, 0, 0, 0, 0]);
  const w = f64([1, 2, 3, 4], [4]);
  const b = f64([0, 1, 0, 1], [4]);
  expectTensor(F.layerNorm(x, [4], w, b, 1e-5), [2, 4], [...row0.map((a, i) => a * (i + 1) + (i % 2)), 0, 1, 0, 1]);
});
ln("gradcheck over 1..rank trailing dims with weight and bias", () => {
  const arb = shapeArb(1, 3, 4).chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 1, max: shape.length }))
    .chain(([s, k]) => fc.tuple(tensorArb(s), tensorArb(s.slice(s.length - k)), tensorArb(s.slice(s.length - k)), fc.constant(s.slice(s.length - k)))));
  checkGradProperty(arb, (x, w, b, norm) => ({ fn: (x2, w2, b2) => F.layerNorm(x2, norm, w2, b2), inputs: [x, w, b] }));
});
ln("errors name the op and the shapes", () => {
  expectError(() => F.layerNorm(ones([2, 3]), 4), "[layerNorm]", "[2, 3]", "[4]");
  expectError(() => F.layerNorm(ones([2, 3]), 3, ones([4])), "[layerNorm]", "weight [4]", "[3]");
});
ln.run();

// ---- embedding ----
const emb = suite("F.embedding");
emb("values: rows picked for indices of any shape; negative paddingIdx counts from the end", () => {
  const w = f64([0, 0, 1, 1, 2, 2], [3, 2]);
  const idx = tensor(Int32Array.from([2, 0, 1, 2]), [2, 2]);
  expectTensor(F.embedding(idx, w), [2, 2, 2], [2, 2, 0, 0, 1, 1, 2, 2]);
  expectTensor(F.embedding(idx, w.clone().requiresGrad_(), -1), [2, 2, 2], [2, 2, 0, 0, 1, 1, 2, 2]);
});
emb("gradcheck without padding on random shapes", () => {
  const arb = fc.tuple(shapeArb(0, 3, 3), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }))
    .chain(([s, v, d]) => fc.tuple(fc.array(fc.integer({ min: 0, max: v - 1 }), { minLength: prod(s), maxLength: prod(s) }), tensorArb([v, d]), fc.constant(s)));
  checkGradProperty(arb, (ids, w, s) => ({ fn: (w2) => F.embedding(tensor(Int32Array.from(ids), s), w2), inputs: [w] }));
});
emb("property: the padding row gets no gradient, every other row the sum of its upstream gradients", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), fc.nat(),
    (v, d, raw, padRaw) => {
      const ids = raw.map((r) => r % v);
      const pad = padRaw % v;
      const w = tensor(Float64Array.from({ length: v * d }, (_, i) => i + 1), [v, d]).requiresGrad_();
      const up = tensor(Float64Array.from({ length: ids.length * d }, (_, i) => (i % 7) - 3), [ids.length, d]);
      F.embedding(tensor(Int32Array.from(ids), [ids.length]), w, pad).backward(up);
      const want = new Float64Array(v * d);
      ids.forEach((r, i) => { if (r !== pad) for (let c = 0; c < d; c++) want[r * d + c] += up.storage[i * d + c]; });
      expectTensor(w.grad!, [v, d], want);
    }), { numRuns: RUNS });
});
emb("errors name the op, the bad index and the shapes", () => {
  expectError(() => F.embedding(tensor([0, 1], [2]), ones([3, 2])), "[embedding]", "int32", "float32");
  expectError(() => F.embedding(tensor(Int32Array.from([0, 3]), [2]), ones([3, 2])), "[embedding]", "index 3", "[3, 2]");
  expectError(() => F.embedding(tensor(Int32Array.from([0]), [1]), ones([3, 2]), 5), "[embedding]", "paddingIdx 5", "[3, 2]");
});
emb.run();

// ---- dropout ----
const drop = suite("F.dropout");
drop("identity when not training or p = 0; zeros when p = 1", () => {
  const x = ones([4, 5]);
  assert.is(F.dropout(x, 0.5, false), x);
  assert.is(F.dropout(x, 0), x);
  expectTensor(F.dropout(x, 1), [4, 5], new Float32Array(20));
});
drop("seeded: the same generator seed (or manualSeed) gives the same mask, another seed a different one", () => {
  const x = ones([64]);
  const a = F.dropout(x, 0.5, true, new Generator(7)).storage;
  const b = F.dropout(x, 0.5, true, new Generator(7)).storage;
  const c = F.dropout(x, 0.5, true, new Generator(8)).storage;
  assert.equal(Array.from(a), Array.from(b));
  assert.not.equal(Array.from(a), Array.from(c));
  manualSeed(3);
  const d = F.dropout(x, 0.5).storage;
  manualSeed(3);
  assert.equal(Array.from(F.dropout(x, 0.5).storage), Array.from(d));
});
drop("keeps about 1-p of the elements and scales them by 1/(1-p)", () => {
  for (const p of [0.1, 0.5, 0.9]) {
    const y = F.dropout(ones([200_000], "float64"), p, true, new Generator(11)).storage;
    let kept = 0;
    for (const v of y) {
      if (v !== 0) { kept++; assert.ok(Math.abs(v - 1 / (1 - p)) < 1e-12); }
    }
    // Binomial standard deviation is at most 0.0012 here; 0.006 is five of them.
    assert.ok(Math.abs(kept / y.length - (1 - p)) < 0.006, `p=${p}: kept ${kept / y.length}`);
  }
});
drop("gradient equals mask/(1-p), and matches gradcheck with a fixed seed", () => {
  const p = 0.3;
  const x = randint(1, 5, [50]).double().requiresGrad_();
  const y = F.dropout(x, p, true, new Generator(5));
  y.sum().backward();
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(x.grad!.storage[i] - (y.storage[i] === 0 ? 0 : 1 / (1 - p))) < 1e-12);
  checkGradProperty(fc.tuple(shapeArb(0, 3, 4).chain((s) => tensorArb(s)), fc.integer({ min: 0, max: 1000 })), (t, seed) => ({
    fn: (t2) => F.dropout(t2, 0.4, true, new Generator(seed)),
    inputs: [t],
  }));
});
drop("errors name the op and the probability", () => {
  expectError(() => F.dropout(ones([2]), 1.5), "[dropout]", "1.5");
  expectError(() => F.dropout(ones([2]), Number.NaN), "[dropout]", "NaN");
});
drop.run();
