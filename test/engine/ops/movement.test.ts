// Shape and movement ops: gradcheck of every view/copy op on random shapes, values vs index references.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../../engine/index.ts";
import { Tensor, tensor } from "../../../engine/index.ts";
import { RUNS, broadcastPairArb, checkGradProperty, shapeArb, tensorArb } from "../../helpers.ts";

const t = suite("movement");

const xArb = (minRank = 0): fc.Arbitrary<Tensor> => shapeArb(minRank, 4).chain((s) => tensorArb(s));
const dimArb = (x: Tensor, extra = 0): fc.Arbitrary<number> => fc.integer({ min: -(x.ndim + extra), max: x.ndim + extra - 1 });
/** Weights each element differently, so an op that routes gradients to the wrong place is caught. */
const weighted = (y: Tensor): Tensor => E.mul(y, E.arange(1, y.numel + 1, 1, "float64").reshape(y.shape));

t("gradcheck reshape / view with -1 and flatten", () => {
  const arb = xArb().chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 0, max: Math.max(0, x.ndim - 1) }), fc.integer({ min: 0, max: Math.max(0, x.ndim - 1) })));
  checkGradProperty(arb, (x, i, j) => {
    // Reverse the shape and put -1 at position i.
    const target = [...x.shape].reverse().map((d, k) => (k === i ? -1 : d));
    return { fn: (a) => weighted(x.ndim === 0 ? a.view(-1) : a.reshape(target)), inputs: [x] };
  });
  checkGradProperty(arb, (x, i, j) => ({ fn: (a) => weighted(E.flatten(a, Math.min(i, j), Math.max(i, j))), inputs: [x] }));
});

t("gradcheck permute (random permutations) and transpose", () => {
  const arb = xArb().chain((x) => fc.tuple(fc.constant(x), fc.shuffledSubarray([...x.shape.keys()], { minLength: x.ndim, maxLength: x.ndim }), dimArb(x, x.ndim === 0 ? 1 : 0), dimArb(x, x.ndim === 0 ? 1 : 0)));
  checkGradProperty(arb, (x, perm, _d0, _d1) => ({ fn: (a) => weighted(E.permute(a, perm)), inputs: [x] }));
  checkGradProperty(arb, (x, _p, d0, d1) => ({ fn: (a) => weighted(E.transpose(a, Math.max(d0, -Math.max(x.ndim, 1)), d1)), inputs: [x] }));
});

t("gradcheck unsqueeze / squeeze", () => {
  const arb = xArb().chain((x) => fc.tuple(fc.constant(x), dimArb(x, 1)));
  checkGradProperty(arb, (x, d) => ({ fn: (a) => weighted(E.squeeze(E.unsqueeze(a, d), d)), inputs: [x] }));
  checkGradProperty(arb, (x, _d) => ({ fn: (a) => weighted(E.squeeze(a)), inputs: [x] }));
});

t("gradcheck expand from size-1 and missing leading dims", () => {
  const arb = broadcastPairArb().chain(([a, b]) => {
    const target = E.add(E.zeros(a), E.zeros(b)).shape;
    return fc.tuple(tensorArb(a), fc.constant(target));
  });
  checkGradProperty(arb, (x, target) => ({ fn: (a) => weighted(E.expand(a, target)), inputs: [x] }));
});

/** Python's slice semantics along one axis: the indices range(*slice(start, end, step).indices(size)) yields. */
function sliceIndices(size: number, start: number | undefined, end: number | undefined, step: number): number[] {
  const norm = (i: number): number => Math.min(Math.max(i < 0 ? i + size : i, 0), size);
  const out: number[] = [];
  for (let i = norm(start ?? 0); i < norm(end ?? size); i += step) out.push(i);
  return out;
}

const sliceArb = xArb(1).chain((x) => fc.tuple(
  fc.constant(x), fc.integer({ min: 0, max: x.ndim - 1 }),
  fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }), fc.option(fc.integer({ min: -6, max: 6 }), { nil: undefined }), fc.integer({ min: 1, max: 3 })));

t("slice matches Python slicing (negative indices, steps, clamped bounds)", () => {
  fc.assert(fc.property(sliceArb, ([x, d, s, e, step]) => {
    const out = E.slice(x, d, s, e, step);
    const keep = sliceIndices(x.shape[d], s, e, step);
    assert.equal(out.shape, x.shape.map((v, i) => (i === d ? keep.length : v)));
    assert.equal(Array.from(out.storage), Array.from(E.indexSelect(x, d, tensor(Int32Array.from(keep))).storage));
  }), { numRuns: RUNS * 2 });
});

t("gradcheck slice and narrow", () => {
  checkGradProperty(sliceArb, (x, d, s, e, step) => ({ fn: (a) => weighted(E.slice(a, d, s, e, step)), inputs: [x] }));
  const narrowArb = xArb(1).chain((x) => fc.integer({ min: 0, max: x.ndim - 1 }).chain((d) =>
    fc.integer({ min: -x.shape[d], max: x.shape[d] - 1 }).chain((start) => {
      const s = start < 0 ? start + x.shape[d] : start;
      return fc.tuple(fc.constant(x), fc.constant(d), fc.constant(start), fc.integer({ min: 0, max: x.shape[d] - s }));
    })));
  checkGradProperty(narrowArb, (x, d, start, len) => ({ fn: (a) => weighted(E.narrow(a, d, start, len)), inputs: [x] }));
});

t("gradcheck split / chunk (parts recombined with distinct weights)", () => {
  const arb = xArb(1).chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: 0, max: x.ndim - 1 }), fc.integer({ min: 1, max: 4 })));
  const recombine = (parts: Tensor[], d: number): Tensor => E.cat(parts.map((p, i) => E.mul(p, i + 1)), d);
  checkGradProperty(arb, (x, d, n) => ({ fn: (a) => weighted(recombine(E.split(a, n, d), d)), inputs: [x] }));
  checkGradProperty(arb, (x, d, n) => ({ fn: (a) => weighted(recombine(E.chunk(a, n, d), d)), inputs: [x] }));
  assert.equal(E.split(E.zeros([7]), 3).map((p) => p.shape[0]), [3, 3, 1]);
  assert.equal(E.split(E.zeros([7]), [2, 5]).map((p) => p.shape[0]), [2, 5]);
  assert.equal(E.chunk(E.zeros([5]), 3).map((p) => p.shape[0]), [2, 2, 1]);
});

t("gradcheck cat / stack on random dims", () => {
  const catArb = shapeArb(1, 3).chain((s) => fc.tuple(fc.integer({ min: 0, max: s.length - 1 }), fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })).chain(([d, sizes]) =>
    fc.tuple(fc.constant(d), ...sizes.map((n) => tensorArb(s.map((v, i) => (i === d ? n : v)))))));
  checkGradProperty(catArb, (d, ...xs) => ({ fn: (...as) => weighted(E.cat(as, d)), inputs: xs }));
  const stackArb = shapeArb(0, 3).chain((s) => fc.tuple(fc.integer({ min: -(s.length + 1), max: s.length }), tensorArb(s), tensorArb(s), tensorArb(s)));
  checkGradProperty(stackArb, (d, ...xs) => ({ fn: (...as) => weighted(E.stack(as, d)), inputs: xs }));
  const a = tensor([[1, 2]]);
  assert.equal(Array.from(E.cat([a, tensor([[3, 4]])], 0).storage), [1, 2, 3, 4]);
  assert.equal(E.stack([a, a], 1).shape, [1, 2, 2]);
  assert.equal(Array.from(E.cat([a, tensor([[3]])], -1).storage), [1, 2, 3]);
});

t("gradcheck clone and to(dtype)", () => {
  checkGradProperty(fc.tuple(xArb()), (x) => ({ fn: (a) => weighted(a.clone()), inputs: [x] }));
  // A round trip through float32: the gradient is cast back; a wide eps swamps the rounding.
  checkGradProperty(fc.tuple(xArb()), (x) => ({ fn: (a) => weighted(a.to("float32").to("float64")), inputs: [x], options: { eps: 1e-2, rtol: 1e-4, atol: 1e-4 } }));
  const x = tensor([1.7, -2.7], undefined, { requiresGrad: true });
  const i = x.to("int32");
  assert.equal(Array.from(i.storage), [1, -2]);
  assert.is(i.requiresGrad, false);
  x.to("float64").sum().backward();
  assert.is(x.grad!.dtype, "float32");
});

t("permute / transpose / expand values", () => {
  const x = E.arange(0, 6).reshape(2, 3);
  assert.equal(x.transpose(0, 1).tolist(), [[0, 3], [1, 4], [2, 5]]);
  assert.equal(E.arange(0, 24).reshape(2, 3, 4).permute(2, 0, 1).tolist(), Array.from({ length: 4 }, (_, k) => Array.from({ length: 2 }, (_, i) => Array.from({ length: 3 }, (_, j) => i * 12 + j * 4 + k))));
  assert.equal(tensor([[1], [2]]).expand(2, -1, 3).tolist(), [[[1, 1, 1], [2, 2, 2]], [[1, 1, 1], [2, 2, 2]]]);
  assert.equal(E.squeeze(E.zeros([1, 2, 1]), [0, 2]).shape, [2]);
  assert.equal(E.squeeze(E.zeros([1, 2, 1]), 1).shape, [1, 2, 1]);
  assert.equal(E.flatten(E.zeros([2, 3, 4]), 1).shape, [2, 12]);
  assert.equal(tensor(5).transpose(0, -1).shape, []);
});

t("reshape is a view: it shares storage", () => {
  const x = E.zeros([2, 3]);
  const v = x.view(3, 2);
  v.storage[0] = 7;
  assert.is(x.storage[0], 7);
});

t.run();
