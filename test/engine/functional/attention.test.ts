// F.scaledDotProductAttention: values against a loop reference with bias and key masks, gradcheck, dropout, errors.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { F, Generator, ones, tensor, type Tensor } from "../../../engine/index.ts";
import { RUNS, checkGradProperty, shapeArb, tensorArb } from "../../helpers.ts";
import { attentionRef, expectError, expectTensor, prod } from "./reference.ts";

/** Element of t at a multi-index of a larger broadcast shape (right-aligned; size-1 dims read index 0). */
function at(t: Tensor, idx: readonly number[]): number {
  const off = idx.length - t.ndim;
  let flat = 0;
  t.shape.forEach((d, i) => { flat = flat * d + (d === 1 ? 0 : idx[off + i]); });
  return t.storage[flat];
}

/** Multi-indices of a shape in row-major order. */
function indices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  for (let f = 0; f < prod(shape); f++) {
    const idx: number[] = [];
    let r = f;
    for (let i = shape.length - 1; i >= 0; i--) { idx.unshift(r % shape[i]); r = Math.floor(r / shape[i]); }
    out.push(idx);
  }
  return out;
}

/** The reference over every batch position, reading bias and keyMask through broadcasting. */
function reference(q: Tensor, k: Tensor, v: Tensor, bias: Tensor | null, keyMask: Tensor | null, scale: number): number[] {
  const batch = q.shape.slice(0, -2);
  const [lq, d] = q.shape.slice(-2);
  const [lk, dv] = v.shape.slice(-2);
  const rows = (t: Tensor, b: number[], n: number, m: number): number[][] =>
    Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => at(t, [...b, i, j])));
  return indices(batch).flatMap((b) => {
    const biasRows = bias ? rows(bias, b, lq, lk) : null;
    const keep = Array.from({ length: lk }, (_, j) => (keyMask ? at(keyMask, [...b, j]) !== 0 : true));
    return attentionRef(rows(q, b, lq, d), rows(k, b, lk, d), rows(v, b, lk, dv), biasRows, keep, scale).flat();
  });
}

/** Random problem: q, k, v on a shared batch shape; bias and keyMask with random size-1 (broadcast) dims. */
const caseArb = fc.record({
  batch: shapeArb(0, 2, 2), lq: fc.integer({ min: 1, max: 3 }), lk: fc.integer({ min: 1, max: 4 }),
  d: fc.integer({ min: 1, max: 3 }), dv: fc.integer({ min: 1, max: 3 }),
  useBias: fc.boolean(), useMask: fc.boolean(), scale: fc.option(fc.double({ min: 0.1, max: 2, noNaN: true }), { nil: undefined }),
}).chain((s) => {
  const biasShape = fc.array(fc.boolean(), { minLength: s.batch.length + 2, maxLength: s.batch.length + 2 })
    .map((ones) => [...s.batch, s.lq, s.lk].map((n, i) => (ones[i] ? 1 : n)));
  const maskShape = fc.array(fc.boolean(), { minLength: s.batch.length, maxLength: s.batch.length })
    .map((ones) => [...s.batch.map((n, i) => (ones[i] ? 1 : n)), s.lk]);
  return fc.tuple(fc.constant(s),
    tensorArb([...s.batch, s.lq, s.d]), tensorArb([...s.batch, s.lk, s.d]), tensorArb([...s.batch, s.lk, s.dv]),
    biasShape.chain((bs) => tensorArb(bs)),
    // Each mask row keeps at least one key (position `keep` of that row), so no row is fully masked.
    maskShape.chain((ms) => fc.tuple(fc.array(fc.boolean(), { minLength: prod(ms), maxLength: prod(ms) }), fc.nat())
      .map(([bits, keep]) => tensor(Int32Array.from(bits.map((b, i) => (b || i % s.lk === keep % s.lk ? 1 : 0))), ms))));
});

const att = suite("F.scaledDotProductAttention");
att("values: a hand example where one key is masked and a bias shifts the other", () => {
  const q = tensor(Float64Array.from([1, 0]), [1, 2]);
  const k = tensor(Float64Array.from([1, 0, 0, 1, 5, 5]), [3, 2]);
  const v = tensor(Float64Array.from([1, 2, 3]), [3, 1]);
  const bias = tensor(Float64Array.from([0, Math.log(2), 0]), [1, 3]);
  const keyMask = tensor(Int32Array.from([1, 1, 0]), [3]);
  // Scores 1/√2 and 0 + ln 2 before softmax; the third key is out.
  const e = [Math.exp(1 / Math.SQRT2), 2];
  expectTensor(F.scaledDotProductAttention(q, k, v, { bias, keyMask }), [1, 1], [(e[0] * 1 + e[1] * 2) / (e[0] + e[1])]);
});
att("property: values match the loop reference (broadcast bias and masks, custom scale)", () => {
  fc.assert(fc.property(caseArb, ([s, q, k, v, bias, mask]) => {
    const got = F.scaledDotProductAttention(q, k, v, { bias: s.useBias ? bias : null, keyMask: s.useMask ? mask : null, scale: s.scale });
    const want = reference(q, k, v, s.useBias ? bias : null, s.useMask ? mask : null, s.scale ?? 1 / Math.sqrt(s.d));
    expectTensor(got, [...s.batch, s.lq, s.dv], want);
  }), { numRuns: RUNS });
});
att("gradcheck wrt q, k, v and bias; masked keys get exactly zero gradient", () => {
  checkGradProperty(caseArb, (s, q, k, v, bias, mask) => ({
    fn: (q2, k2, v2, b2) => F.scaledDotProductAttention(q2, k2, v2, { bias: s.useBias ? b2 : null, keyMask: s.useMask ? mask : null, scale: s.scale }),
    inputs: [q, k, v, bias],
  }));
  const k = ones([1, 3, 2], "float64").requiresGrad_();
  const v = ones([1, 3, 2], "float64").requiresGrad_();
  F.scaledDotProductAttention(ones([1, 2, 2], "float64"), k, v, { keyMask: tensor(Int32Array.from([1, 0, 1]), [1, 3]) }).sum().backward();
  for (const g of [k.grad!, v.grad!]) assert.equal(Array.from(g.storage.slice(2, 4)), [0, 0]);
});
att("float32 masking uses the dtype's lowest finite value: outputs stay finite", () => {
  const out = F.scaledDotProductAttention(ones([2, 3, 4]), ones([2, 5, 4]), ones([2, 5, 2]), { keyMask: tensor(Int32Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]), [2, 5]) });
  assert.ok(Array.from(out.storage).every(Number.isFinite));
});
att("dropout on the weights: seeded, only in training, and the gradient checks with a fixed seed", () => {
  const [q, k, v] = [ones([2, 3, 4], "float64"), ones([2, 5, 4], "float64"), tensor(Float64Array.from({ length: 30 }, (_, i) => i), [2, 5, 3])];
  const run = (training: boolean, seed: number): number[] => Array.from(F.scaledDotProductAttention(q, k, v, { dropoutP: 0.5, training, generator: new Generator(seed) }).storage);
  assert.equal(run(true, 1), run(true, 1));
  assert.not.equal(run(true, 1), run(true, 2));
  assert.equal(run(false, 1), Array.from(F.scaledDotProductAttention(q, k, v).storage));
  checkGradProperty(fc.tuple(tensorArb([2, 3]), tensorArb([4, 3]), tensorArb([4, 2])), (q2, k2, v2) => ({
    fn: (a, b, c) => F.scaledDotProductAttention(a, b, c, { dropoutP: 0.3, training: true, generator: new Generator(9) }),
    inputs: [q2, k2, v2],
  }), 10);
});
att("errors name the op and the shapes", () => {
  const op = "[scaledDotProductAttention]";
  expectError(() => F.scaledDotProductAttention(ones([2, 3, 4]), ones([2, 5, 3]), ones([2, 5, 2])), op, "[2, 3, 4]", "[2, 5, 3]");
  expectError(() => F.scaledDotProductAttention(ones([2, 3, 4]), ones([2, 5, 4]), ones([2, 4, 2])), op, "v [2, 4, 2]");
  expectError(() => F.scaledDotProductAttention(ones([4]), ones([5, 4]), ones([5, 2])), op, "q [4]");
  expectError(() => F.scaledDotProductAttention(ones([2, 3, 4]), ones([2, 5, 4]), ones([2, 5, 2]), { bias: ones([3, 3, 5]) }), op, "[3, 3, 5]");
  expectError(() => F.scaledDotProductAttention(ones([2, 3, 4]), ones([2, 5, 4]), ones([2, 5, 2]), { bias: ones([4, 2, 3, 5]) }), op, "bias [4, 2, 3, 5]", "[2, 3, 5]");
  expectError(() => F.scaledDotProductAttention(ones([2, 3, 4]), ones([2, 5, 4]), ones([2, 5, 2]), { keyMask: ones([2, 4]) }), op, "keyMask [2, 4]", "[2, 3, 5]");
});
att.run();
