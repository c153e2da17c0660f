// Elementwise ops: gradcheck properties over random broadcast shapes, values vs a NumPy-rule reference, int32 rules.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../../engine/index.ts";
import { Tensor, tensor } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { RUNS, broadcastPairArb, checkGradProperty, distinctTensorArb, shapeArb, tensorArb } from "../../helpers.ts";

const t = suite("elementwise");

interface CoreOps { [name: string]: number | number[] }
const golden = (JSON.parse(readFileSync(new URL("../../fixtures/core_golden.json", import.meta.url), "utf8")) as { ops: CoreOps }).ops;
const gx = tensor(golden.x as number[], [3, 4], { dtype: "float64" });
const want = (name: string): number[] => { const v = golden[name]; return typeof v === "number" ? [v] : v; };

/** Two float64 tensors of broadcastable shapes with values in [lo, hi] (gap: kept that far from 0). */
const pairArb = (lo = -2, hi = 2, gap = 0): fc.Arbitrary<[Tensor, Tensor]> =>
  broadcastPairArb().chain(([a, b]) => fc.tuple(tensorArb(a, lo, hi, gap), tensorArb(b, lo, hi, gap)));
const oneArb = (lo = -2, hi = 2, gap = 0): fc.Arbitrary<[Tensor]> => shapeArb().chain((s) => fc.tuple(tensorArb(s, lo, hi, gap)));

/** Moves values that sit within `gap` of any of `points` out to that distance (keeps gradchecks off kinks). */
const awayFrom = (x: Tensor, points: readonly number[], gap: number): Tensor => {
  const data = Float64Array.from(x.storage);
  for (let i = 0; i < data.length; i++) for (const p of points) if (Math.abs(data[i] - p) < gap) data[i] = p + (data[i] < p ? -gap : gap);
  return tensor(data, x.shape);
};

// ---- gradcheck properties ----

const binary: [string, (a: Tensor, b: Tensor) => Tensor, number, number, number][] = [
  ["add", E.add, -2, 2, 0],
  ["sub", E.sub, -2, 2, 0],
  ["mul", E.mul, -2, 2, 0],
  ["div", E.div, -2, 2, 0.3],
  ["pow (tensor exponent, positive base)", E.pow, 0.3, 2, 0],
];
for (const [name, fn, lo, hi, gap] of binary) {
  t(`gradcheck ${name} with broadcasting`, () => checkGradProperty(pairArb(lo, hi, gap), (a, b) => ({ fn, inputs: [a, b] })));
}

t("gradcheck pow with scalar exponents", () => {
  checkGradProperty(fc.tuple(oneArb(0.3, 2), fc.constantFrom(2, 3, 0.5, -1.5, 1)), ([x], p) => ({ fn: (a) => E.pow(a, p), inputs: [x] }));
  // A scalar base with a tensor exponent: the exponent gets d/dy b^y = b^y log b.
  checkGradProperty(oneArb(-1, 1), (y) => ({ fn: (e) => E.pow(1.7, e), inputs: [y] }));
});

t("gradcheck maximum and minimum on distinct values", () => {
  const arb = broadcastPairArb().chain(([a, b]) => fc.tuple(distinctTensorArb(a, 0), distinctTensorArb(b, 2)));
  checkGradProperty(arb, (a, b) => ({ fn: E.maximum, inputs: [a, b] }));
  checkGradProperty(arb, (a, b) => ({ fn: E.minimum, inputs: [a, b] }));
});

const unary: [string, (x: Tensor) => Tensor, number, number, number][] = [
  ["neg", E.neg, -2, 2, 0],
  ["exp", E.exp, -2, 2, 0],
  ["log", E.log, 0.1, 3, 0],
  ["sqrt", E.sqrt, 0.1, 3, 0],
  ["rsqrt", E.rsqrt, 0.1, 3, 0],
  ["abs", E.abs, -2, 2, 0.05],
  ["tanh", E.tanh, -3, 3, 0],
  ["sigmoid", E.sigmoid, -5, 5, 0],
  ["relu", E.relu, -2, 2, 0.05],
  ["erf", E.erf, -4, 4, 0],
  ["gelu (erf)", (x) => E.gelu(x), -4, 4, 0],
  ["gelu (tanh)", (x) => E.gelu(x, "tanh"), -4, 4, 0],
  ["square via method", (x) => x.square(), -2, 2, 0],
];
for (const [name, fn, lo, hi, gap] of unary) {
  t(`gradcheck ${name}`, () => checkGradProperty(oneArb(lo, hi, gap), (x) => ({ fn, inputs: [x] })));
}

t("gradcheck clamp away from its bounds", () => {
  const arb = fc.tuple(oneArb(), fc.constantFrom<[number | null, number | null]>([-0.5, 0.5], [null, 0.3], [-0.2, null], [1, 1.5]));
  checkGradProperty(arb, ([x], [lo, hi]) => ({ fn: (a) => E.clamp(a, lo, hi), inputs: [awayFrom(x, [lo ?? 0, hi ?? 0], 0.02)] }));
});

t("gradcheck where with a broadcast condition", () => {
  const arb = fc.tuple(broadcastPairArb(), shapeArb(0, 4, 1)).chain(([[a, b], c]) =>
    fc.tuple(tensorArb(a), tensorArb(b), fc.array(fc.boolean(), { minLength: c.length, maxLength: c.length }), fc.integer()).map(([x, y, mask, seed]) => {
      // The condition takes the broadcast shape (some dims 1) and random 0/1 values.
      const shape = E.add(E.zeros(x.shape), E.zeros(y.shape)).shape.map((d, i) => (mask[i] ? 1 : d));
      return [x, y, E.randint(0, 2, shape, { generator: new E.Generator(seed) })] as [Tensor, Tensor, Tensor];
    }));
  checkGradProperty(arb, (x, y, c) => ({ fn: (a, b) => E.where(c, a, b), inputs: [x, y] }));
  checkGradProperty(arb, (x, _y, c) => ({ fn: (a) => E.where(c, a, 0.5), inputs: [x] }));
});

t("gradcheck maskedFill", () => {
  const arb = broadcastPairArb().chain(([a]) => fc.tuple(tensorArb(a), fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }), fc.integer()));
  checkGradProperty(arb, (x, ones, seed) => {
    const mask = E.randint(0, 2, x.shape.map((d, i) => (ones[i] ? 1 : d)), { generator: new E.Generator(seed) });
    return { fn: (a) => E.maskedFill(a, mask, -3), inputs: [x] };
  });
});

// ---- values ----

/** NumPy broadcasting written out the slow way: pad shapes on the left, then index with modulo-free rules. */
function broadcastRef(a: Tensor, b: Tensor, f: (x: number, y: number) => number): { shape: number[]; values: number[] } {
  const n = Math.max(a.ndim, b.ndim);
  const pa = [...Array(n - a.ndim).fill(1), ...a.shape];
  const pb = [...Array(n - b.ndim).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const values: number[] = [];
  const total = shape.reduce((x, y) => x * y, 1);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    const idx = shape.map(() => 0);
    for (let d = n - 1; d >= 0; d--) { idx[d] = rest % shape[d]; rest = Math.floor(rest / shape[d]); }
    const at = (p: number[], x: Tensor): number => p.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : idx[i]), 0);
    values.push(f(a.storage[at(pa, a)], b.storage[at(pb, b)]));
  }
  return { shape, values };
}

t("binary ops follow NumPy broadcasting (vs a reference)", () => {
  const fns: [(a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
    [E.add, (x, y) => x + y], [E.sub, (x, y) => x - y], [E.mul, (x, y) => x * y], [E.div, (x, y) => x / y],
    [E.maximum, Math.max], [E.minimum, Math.min], [E.lt, (x, y) => +(x < y)], [E.ge, (x, y) => +(x >= y)],
  ];
  fc.assert(fc.property(pairArb(-2, 2, 0.1), ([a, b]) => {
    for (const [fn, ref] of fns) {
      const out = fn(a, b);
      const want = broadcastRef(a, b, ref);
      assert.equal(out.shape, want.shape);
      assert.equal(Array.from(out.storage), want.values);
    }
  }), { numRuns: RUNS });
});

t("unary values match Math", () => {
  const x = tensor([-2, -0.5, 0, 0.5, 3], undefined, { dtype: "float64" });
  const check = (out: Tensor, f: (v: number) => number): void => assert.equal(Array.from(out.storage), Array.from(x.storage, f));
  check(E.neg(x), (v) => -v);
  check(E.exp(x), Math.exp);
  check(E.abs(x), Math.abs);
  check(E.tanh(x), Math.tanh);
  check(E.relu(x), (v) => Math.max(v, 0));
  check(E.sign(x), Math.sign);
  check(E.clamp(x, -1, 1), (v) => Math.min(Math.max(v, -1), 1));
  assert.ok(E.sigmoid(tensor([0])).item() === 0.5);
  // erf against high-precision values (Abramowitz–Stegun tables).
  const erfs = E.erf(tensor([0.5, 1, 2, 3.5], undefined, { dtype: "float64" })).storage;
  [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, 0.9999992569016276].forEach((v, i) => assert.ok(Math.abs(erfs[i] - v) < 1e-14, `erf ${i}`));
});

t("gelu matches its definition in both forms", () => {
  const x = tensor([-3, -1, -0.1, 0, 0.7, 2.5], undefined, { dtype: "float64" });
  const exact = E.gelu(x).storage;
  const approx = E.gelu(x, "tanh").storage;
  x.storage.forEach((v, i) => {
    assert.ok(Math.abs(exact[i] - 0.5 * v * (1 + E.erf(tensor([v / Math.SQRT2], undefined, { dtype: "float64" })).item())) < 1e-15);
    assert.ok(Math.abs(approx[i] - 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))) < 1e-15);
  });
});

t("int32 rules: comparisons give int32 0/1, int + float promotes, int / int is float", () => {
  const i = tensor(Int32Array.from([1, 2, 3]));
  const f = tensor([1.5, 2, 2.5]);
  const cmp = E.lt(i, f);
  assert.is(cmp.dtype, "int32");
  assert.equal(Array.from(cmp.storage), [1, 0, 0]);
  assert.equal(Array.from(E.eq(i, 2).storage), [0, 1, 0]);
  assert.is(E.add(i, f).dtype, "float32");
  assert.is(E.add(i, 1).dtype, "int32");
  assert.is(E.add(i, 0.5).dtype, "float32");
  assert.equal(Array.from(E.add(i, 0.5).storage), [1.5, 2.5, 3.5]);
  assert.is(E.mul(2.5, i).dtype, "float32");
  assert.is(E.div(i, tensor(Int32Array.from([2]))).dtype, "float32");
  assert.equal(Array.from(E.div(i, 2).storage), [0.5, 1, 1.5]);
  assert.is(E.exp(i).dtype, "float32");
  assert.is(E.add(f, tensor([1], undefined, { dtype: "float64" })).dtype, "float64");
  assert.is(E.neg(i).dtype, "int32");
});

t("comparisons and masks carry no gradient", () => {
  const x = tensor([1, 2], undefined, { requiresGrad: true });
  assert.is(E.gt(x, 1).requiresGrad, false);
  assert.is(E.sign(x).requiresGrad, false);
});

t("maximum splits the gradient evenly on ties (as PyTorch)", () => {
  const a = tensor([1, 2, 3], undefined, { requiresGrad: true });
  const b = tensor([1, 1, 4], undefined, { requiresGrad: true });
  E.maximum(a, b).sum().backward();
  assert.equal(Array.from(a.grad!.storage), [0.5, 1, 0]);
  assert.equal(Array.from(b.grad!.storage), [0.5, 0, 1]);
});

t("where and maskedFill values", () => {
  const c = tensor(Int32Array.from([1, 0, 1]));
  assert.equal(Array.from(E.where(c, tensor([1, 2, 3]), -1).storage), [1, -1, 3]);
  const x = tensor([[1, 2], [3, 4]]);
  assert.equal(Array.from(E.maskedFill(x, tensor(Int32Array.from([0, 1]), [1, 2]), 9).storage), [1, 9, 3, 9]);
});

t("pow and gelu match torch 1.13 (core_golden.json)", () => {
  assertClose(E.pow(E.add(E.abs(gx), 0.5), gx), want("pow_pos_x"), 1e-12, 1e-12, "pow");
  assertClose(E.pow(gx, 3), want("pow_x_3"), 1e-12, 1e-12, "pow 3");
  assertClose(E.gelu(gx), want("gelu"), 1e-12, 1e-12, "gelu");
  assertClose(E.gelu(gx, "tanh"), want("gelu_tanh"), 1e-12, 1e-12, "gelu tanh");
});

t.run();
