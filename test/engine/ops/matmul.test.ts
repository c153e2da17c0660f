// matmul: gradcheck with broadcast batch dims, 1-D operands and the transposed mm forms; values vs a triple loop.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../../engine/index.ts";
import { Tensor, tensor } from "../../../engine/index.ts";
import { mm } from "../../../engine/ops/matmul.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { RUNS, broadcastPairArb, checkGradProperty, tensorArb } from "../../helpers.ts";

const t = suite("matmul");

const dim = fc.integer({ min: 1, max: 4 });
/** Batch shapes that broadcast, plus m, k, n. */
const batchedArb = fc.tuple(broadcastPairArb(2, 3), dim, dim, dim).chain(([[ba, bb], m, k, n]) =>
  fc.tuple(tensorArb([...ba, m, k]), tensorArb([...bb, k, n])));

/** Naive reference: out[..., i, j] = Σ_p a[..., i, p]·b[..., p, j], batch dims broadcast by index arithmetic. */
function matmulRef(a: Tensor, b: Tensor): { shape: number[]; values: number[] } {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.ndim - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const nb = Math.max(ba.length, bb.length);
  const pa = [...Array(nb - ba.length).fill(1), ...ba];
  const pb = [...Array(nb - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]));
  const values: number[] = [];
  const total = batch.reduce((x, y) => x * y, 1);
  for (let t = 0; t < total; t++) {
    let rest = t;
    const idx = batch.map(() => 0);
    for (let d = nb - 1; d >= 0; d--) { idx[d] = rest % batch[d]; rest = Math.floor(rest / batch[d]); }
    const oa = pa.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : idx[i]), 0) * m * k;
    const ob = pb.reduce((acc, d, i) => acc * d + (d === 1 ? 0 : idx[i]), 0) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.storage[oa + i * k + p] * b.storage[ob + p * n + j];
        values.push(s);
      }
    }
  }
  return { shape: [...batch, m, n], values };
}

t("values match a triple loop with broadcast batch dims", () => {
  fc.assert(fc.property(batchedArb, ([a, b]) => {
    const out = E.matmul(a, b);
    const want = matmulRef(a, b);
    assert.equal(out.shape, want.shape);
    assertClose(out, want.values, 1e-12, 1e-12);
  }), { numRuns: RUNS });
});

t("gradcheck batched matmul with broadcasting", () => {
  checkGradProperty(batchedArb, (a, b) => ({ fn: E.matmul, inputs: [a, b] }), Math.ceil(RUNS / 2));
});

t("gradcheck 1-D operands (vector·vector, vector·matrix, batch·vector)", () => {
  const arb = fc.tuple(dim, dim, fc.constantFrom<[number, number]>([1, 1], [1, 2], [1, 3], [2, 1], [3, 1])).chain(([k, n, [ra, rb]]) => {
    const shapeOf = (r: number, rows: number[]): number[] => (r === 1 ? [k] : r === 2 ? rows : [2, ...rows]);
    return fc.tuple(tensorArb(shapeOf(ra, [n, k])), tensorArb(shapeOf(rb, [k, n])));
  });
  checkGradProperty(arb, (a, b) => ({ fn: E.matmul, inputs: [a, b] }));
});

t("1-D operands give torch.matmul's shapes", () => {
  const v = tensor([1, 2, 3]);
  assert.equal(E.matmul(v, v).shape, []);
  assert.is(E.matmul(v, v).item(), 14);
  assert.equal(E.matmul(v, E.ones([3, 2])).shape, [2]);
  assert.equal(E.matmul(E.ones([4, 2, 3]), v).shape, [4, 2]);
  assert.equal(E.matmul(v, E.ones([4, 3, 5])).shape, [4, 5]);
  assert.equal(E.matmul(E.ones([2, 3]), E.ones([4, 3, 5])).shape, [4, 2, 5]);
});

t("gradcheck mm with every transA / transB combination and batch broadcast", () => {
  const arb = fc.tuple(broadcastPairArb(2, 2), dim, dim, dim, fc.boolean(), fc.boolean()).chain(([[ba, bb], m, k, n, ta, tb]) =>
    fc.tuple(tensorArb([...ba, ...(ta ? [k, m] : [m, k])]), tensorArb([...bb, ...(tb ? [n, k] : [k, n])]), fc.constant(ta), fc.constant(tb)));
  checkGradProperty(arb, (a, b, ta, tb) => ({ fn: (x, y) => mm(x, y, ta, tb), inputs: [a, b] }), Math.ceil(RUNS / 2));
  fc.assert(fc.property(arb, ([a, b, ta, tb]) => {
    const want = E.matmul(ta ? a.mT : a, tb ? b.mT : b);
    assertClose(mm(a, b, ta, tb), want, 1e-12, 1e-12);
  }), { numRuns: RUNS });
});

t("float32 x float64 promotes; int operands and bad shapes throw", () => {
  assert.is(E.matmul(E.ones([2, 2]), E.ones([2, 2], "float64")).dtype, "float64");
  assert.throws(() => E.matmul(E.ones([2, 2], "int32"), E.ones([2, 2])), /\[matmul\].*int32/);
  assert.throws(() => E.matmul(E.ones([2, 3]), E.ones([4, 2])), /\[matmul\].*\[2, 3\].*\[4, 2\]/);
  assert.throws(() => E.matmul(tensor(1), E.ones([2])), /\[matmul\]/);
});

t.run();
