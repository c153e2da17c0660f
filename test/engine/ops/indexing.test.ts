// indexSelect, gather, scatterAdd: gradcheck with repeated indices, values vs loops, bounds errors.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../../engine/index.ts";
import { Tensor, tensor } from "../../../engine/index.ts";
import { RUNS, checkGradProperty, shapeArb, tensorArb } from "../../helpers.ts";

const t = suite("indexing");

/** An int32 tensor of `shape` with values in [0, size) (repeats likely, so gradients must accumulate). */
const indexArb = (shape: number[], size: number): fc.Arbitrary<Tensor> => {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(fc.integer({ min: 0, max: size - 1 }), { minLength: n, maxLength: n }).map((v) => tensor(Int32Array.from(v), shape));
};

/** x, a dim d, and an index whose shape equals x's except along d (gather/scatterAdd's contract). */
const gatherArb = shapeArb(1, 4).chain((s) => fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.integer({ min: 1, max: 5 })).chain(([d, m]) => {
  const is = s.map((v, i) => (i === d ? m : v));
  return fc.tuple(tensorArb(s), fc.constant(d), indexArb(is, s[d]), tensorArb(is));
}));

t("gradcheck indexSelect with repeated indices on random dims", () => {
  const arb = shapeArb(1, 4).chain((s) => fc.integer({ min: 0, max: s.length - 1 }).chain((d) =>
    fc.tuple(tensorArb(s), fc.constant(d), fc.integer({ min: 0, max: 6 }).chain((n) => indexArb([n], s[d])))));
  checkGradProperty(arb, (x, d, idx) => ({ fn: (a) => E.mul(E.indexSelect(a, d, idx), 1.5), inputs: [x] }));
});

t("gradcheck gather and scatterAdd (both inputs)", () => {
  checkGradProperty(gatherArb, (x, d, idx, _src) => ({ fn: (a) => E.gather(a, d, idx), inputs: [x] }));
  checkGradProperty(gatherArb, (x, d, idx, src) => ({ fn: (a, b) => E.scatterAdd(a, d, idx, b), inputs: [x, src] }));
});

/** Reads index arithmetic element by element: out[pos] = x[pos with dim d replaced by index[pos]]. */
t("gather and scatterAdd values vs loops", () => {
  fc.assert(fc.property(gatherArb, ([x, d, idx, src]) => {
    const strides = (s: readonly number[]): number[] => s.map((_, i) => s.slice(i + 1).reduce((a, b) => a * b, 1));
    const xs = strides(x.shape);
    const is = strides(idx.shape);
    const g = E.gather(x, d, idx).storage;
    const sa = Float64Array.from(x.storage);
    for (let flat = 0; flat < idx.numel; flat++) {
      const pos = is.map((st, i) => Math.floor(flat / st) % idx.shape[i]);
      pos[d] = idx.storage[flat];
      const at = pos.reduce((acc, p, i) => acc + p * xs[i], 0);
      assert.is(g[flat], x.storage[at]);
      sa[at] += src.storage[flat];
    }
    assert.equal(Array.from(E.scatterAdd(x, d, idx, src).storage), Array.from(sa));
  }), { numRuns: RUNS });
});

t("indexSelect values and int32 tensors", () => {
  const x = E.arange(0, 6).reshape(2, 3);
  assert.equal(E.indexSelect(x, 1, tensor(Int32Array.from([2, 0, 2]))).tolist(), [[2, 0, 2], [5, 3, 5]]);
  assert.equal(E.indexSelect(x, -2, tensor(Int32Array.from([1]))).tolist(), [[3, 4, 5]]);
  assert.is(E.indexSelect(x, 0, tensor(Int32Array.from([0]))).dtype, "int32");
});

t("out-of-range and non-int indices throw naming the index and the size", () => {
  const x = E.zeros([2, 3]);
  assert.throws(() => E.indexSelect(x, 1, tensor(Int32Array.from([0, 3]))), (e: Error) => e instanceof E.IndexError && /\[indexSelect\] index 3 .* size 3/.test(e.message));
  assert.throws(() => E.indexSelect(x, 0, tensor(Int32Array.from([-1]))), /\[indexSelect\] index -1 .*size 2/);
  assert.throws(() => E.indexSelect(x, 0, tensor([0])), (e: Error) => e instanceof E.DTypeError && /\[indexSelect\].*int32.*float32/.test(e.message));
  assert.throws(() => E.gather(x, 1, tensor(Int32Array.from([5, 0]), [2, 1])), /\[gather\] index 5 .*size 3/);
  assert.throws(() => E.gather(x, 1, tensor(Int32Array.from([0, 0, 0]), [3, 1])), (e: Error) => e instanceof E.ShapeError && /\[gather\].*\[3, 1\].*\[2, 3\]/.test(e.message));
  assert.throws(() => E.scatterAdd(x, 1, tensor(Int32Array.from([0, 1]), [2, 1]), E.zeros([1, 2])), /\[scatterAdd\].*\[1, 2\].*\[2, 1\]/);
  assert.throws(() => E.indexSelect(x, 2, tensor(Int32Array.from([0]))), /\[indexSelect\] dim 2 out of range .*rank 2/);
});

t.run();
