// Reductions: gradcheck over random axis subsets and keepdim, values vs plain loops, int32 and argmax rules.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../../engine/index.ts";
import { Tensor, tensor } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { RUNS, checkGradProperty, distinctTensorArb, shapeArb, tensorArb } from "../../helpers.ts";

const t = suite("reduce");

interface CoreOps { [name: string]: number | number[] }
const golden = (JSON.parse(readFileSync(new URL("../../fixtures/core_golden.json", import.meta.url), "utf8")) as { ops: CoreOps }).ops;
const gx = tensor(golden.x as number[], [3, 4], { dtype: "float64" });
const want = (name: string): number[] => { const v = golden[name]; return typeof v === "number" ? [v] : v; };

/** A shape, a subset of its axes (written as negative dims half the time) and keepdim. */
const axesArb = shapeArb().chain((shape) =>
  fc.tuple(
    fc.constant(shape),
    fc.subarray([...shape.keys()]).chain((axes) => fc.tuple(...axes.map((a) => fc.constantFrom(a, a - shape.length)))),
    fc.boolean(),
  ));
/** undefined (all axes) when the drawn subset is empty: an empty list means "reduce nothing" in this engine. */
const dimsOf = (axes: number[]): number[] | undefined => (axes.length === 0 ? undefined : axes);

t("gradcheck sum / mean / logsumexp over random axes", () => {
  const arb = axesArb.chain(([shape, axes, keep]) => fc.tuple(tensorArb(shape), fc.constant(axes), fc.constant(keep)));
  checkGradProperty(arb, (x, axes, keep) => ({ fn: (a) => E.sum(a, dimsOf(axes), keep), inputs: [x] }));
  checkGradProperty(arb, (x, axes, keep) => ({ fn: (a) => E.mean(a, dimsOf(axes), keep), inputs: [x] }));
  checkGradProperty(arb, (x, axes, keep) => ({ fn: (a) => E.logsumexp(a, dimsOf(axes), keep), inputs: [x] }));
});

t("gradcheck amax / amin on distinct values", () => {
  const arb = axesArb.chain(([shape, axes, keep]) => fc.tuple(distinctTensorArb(shape), fc.constant(axes), fc.constant(keep)));
  checkGradProperty(arb, (x, axes, keep) => ({ fn: (a) => E.amax(a, dimsOf(axes), keep), inputs: [x] }));
  checkGradProperty(arb, (x, axes, keep) => ({ fn: (a) => E.amin(a, dimsOf(axes), keep), inputs: [x] }));
});

t("gradcheck var with both corrections", () => {
  const arb = axesArb.chain(([shape, axes, keep]) => fc.tuple(tensorArb(shape), fc.constant(axes), fc.constant(keep), fc.constantFrom(0, 1)));
  checkGradProperty(arb, (x, axes, keep, correction) => {
    const count = (dimsOf(axes) ?? [...x.shape.keys()]).reduce((n, a) => n * x.shape[a < 0 ? a + x.ndim : a], 1);
    // With count <= correction the variance is inf/NaN (as torch); drop the correction there.
    return { fn: (a) => E.var(a, dimsOf(axes), keep, count > correction ? correction : 0), inputs: [x] };
  });
});

// ---- values ----

/** Reduces `axes` of x with a plain loop over every element; returns keepdim-shaped values. */
function reduceRef(x: Tensor, axes: readonly number[], init: number, f: (acc: number, v: number) => number): { shape: number[]; values: number[] } {
  const shape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const values = new Array<number>(shape.reduce((a, b) => a * b, 1)).fill(init);
  for (let flat = 0; flat < x.numel; flat++) {
    let rest = flat;
    let out = 0;
    let mul = 1;
    for (let d = x.ndim - 1; d >= 0; d--) {
      const i = rest % x.shape[d];
      rest = Math.floor(rest / x.shape[d]);
      if (!axes.includes(d)) out += i * mul;
      mul *= shape[d];
    }
    values[out] = f(values[out], x.storage[flat]);
  }
  return { shape, values };
}

t("sum / amax / amin / mean / var / logsumexp match loops", () => {
  fc.assert(fc.property(axesArb.chain(([s, a, k]) => fc.tuple(tensorArb(s), fc.constant(a), fc.constant(k))), ([x, rawAxes, keep]) => {
    const axes = (dimsOf(rawAxes) ?? [...x.shape.keys()]).map((a) => (a < 0 ? a + x.ndim : a));
    const dims = dimsOf(rawAxes);
    const sum = reduceRef(x, axes, 0, (a, v) => a + v);
    const max = reduceRef(x, axes, -Infinity, Math.max);
    const min = reduceRef(x, axes, Infinity, Math.min);
    const count = x.numel / sum.values.length;
    const wantShape = keep ? sum.shape : x.shape.filter((_, i) => !axes.includes(i));
    const got = E.sum(x, dims, keep);
    assert.equal(got.shape, wantShape);
    assertClose(got, sum.values, 1e-12, 1e-12, "sum");
    assertClose(E.amax(x, dims, keep), max.values, 0, 0, "amax");
    assertClose(E.amin(x, dims, keep), min.values, 0, 0, "amin");
    assertClose(E.mean(x, dims, keep), sum.values.map((v) => v / count), 1e-12, 1e-12, "mean");
    // Two-pass variance and log-sum-exp by loops.
    const m = reduceRef(E.sub(x, E.mean(x, dims, true)), axes, 0, (a, v) => a + v * v);
    assertClose(E.var(x, dims, keep, 0), m.values.map((v) => v / count), 1e-10, 1e-12, "var");
    const lse = reduceRef(E.sub(x, E.amax(x, dims, true)), axes, 0, (a, v) => a + Math.exp(v)).values.map((v, i) => Math.log(v) + max.values[i]);
    assertClose(E.logsumexp(x, dims, keep), lse, 1e-12, 1e-12, "logsumexp");
  }), { numRuns: RUNS });
});

t("logsumexp is stable for large inputs and -inf rows", () => {
  const x = tensor([1000, 1000, -Infinity, -Infinity], [2, 2], { dtype: "float64" });
  const out = E.logsumexp(x, 1).storage;
  assert.ok(Math.abs(out[0] - (1000 + Math.log(2))) < 1e-12);
  assert.is(out[1], -Infinity);
});

t("var uses Bessel's correction by default", () => {
  assert.ok(Math.abs(tensor([1, 2, 3, 4]).var().item() - 5 / 3) < 1e-6);
  assert.ok(Math.abs(tensor([1, 2, 3, 4]).var(0, false, 0).item() - 1.25) < 1e-6);
});

t("int32: sum stays int, mean is float, argmax/argmin are int32 without grad", () => {
  const i = tensor(Int32Array.from([3, 1, 4, 1, 5, 9]), [2, 3]);
  assert.is(i.sum().dtype, "int32");
  assert.is(i.sum().item(), 23);
  const m = i.mean(1);
  assert.is(m.dtype, "float32");
  assertClose(m, [8 / 3, 5], 1e-6);
  const x = tensor([[3, 1, 4], [1, 5, 9]], undefined, { requiresGrad: true });
  const am = x.argmax(1);
  assert.is(am.dtype, "int32");
  assert.equal(Array.from(am.storage), [2, 2]);
  assert.is(am.requiresGrad, false);
  assert.equal(Array.from(x.argmin(1).storage), [1, 0]);
  assert.is(x.argmax().item(), 5);
  assert.equal(x.argmax(0, true).shape, [1, 3]);
  assert.equal(Array.from(x.argmax(0).storage), [0, 1, 1]);
  // First occurrence wins on ties, as torch.
  assert.is(tensor([2, 7, 7, 1]).argmax().item(), 1);
});

t("amax shares the gradient among tied maxima", () => {
  const x = tensor([1, 3, 3, 2], undefined, { requiresGrad: true });
  x.amax().backward();
  assert.equal(Array.from(x.grad!.storage), [0, 0.5, 0.5, 0]);
});

t("reductions of a 0-d tensor and over repeated / negative axes", () => {
  const s = tensor(2.5);
  assert.is(s.sum().item(), 2.5);
  assert.equal(s.sum().shape, []);
  assert.is(s.mean(0).item(), 2.5);
  const x = E.arange(0, 6, 1, "float32").reshape(2, 3);
  assert.equal(Array.from(x.sum([-1, 1]).storage), [3, 12]);
  assert.equal(x.sum([0, 1], true).shape, [1, 1]);
});

t("var and logsumexp match torch 1.13 (core_golden.json)", () => {
  assertClose(gx.var(), want("var_all"), 1e-12, 1e-12, "var");
  assertClose(gx.var(1), want("var_dim1"), 1e-12, 1e-12, "var(1)");
  assertClose(gx.var(0, true, 0), want("var_dim0_unbiased0_keep"), 1e-12, 1e-12, "var(0, keepdim, correction 0)");
  assertClose(gx.logsumexp(1), want("logsumexp_dim1"), 1e-12, 1e-12, "logsumexp(1)");
  assertClose(gx.logsumexp([0, 1]), want("logsumexp_dim01"), 1e-12, 1e-12, "logsumexp([0, 1])");
});

t.run();
