// F.normalize, F.cosineSimilarity, F.oneHot: values, gradcheck properties, degenerate inputs, errors.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { F, ones, tensor, zeros, type Tensor } from "../../../engine/index.ts";
import { checkGradProperty, broadcastPairArb, shapeArb, tensorArb } from "../../helpers.ts";
import { expectError, expectTensor } from "./reference.ts";

const f64 = (data: number[], shape: number[]): Tensor => tensor(Float64Array.from(data), shape);

const norm = suite("F.normalize");
norm("values: each slice along dim divided by its L2 norm", () => {
  expectTensor(F.normalize(f64([3, 4, 0, 5], [2, 2])), [2, 2], [0.6, 0.8, 0, 1]);
  expectTensor(F.normalize(f64([3, 4, 0, 5], [2, 2]), 0), [2, 2], [1, 4 / Math.sqrt(41), 0, 5 / Math.sqrt(41)]);
});
norm("an all-zero slice stays zero with a finite gradient g/eps, as PyTorch", () => {
  const x = zeros([2, 3], "float64").requiresGrad_();
  const y = F.normalize(x, 1, 1e-3);
  expectTensor(y, [2, 3], new Float64Array(6));
  y.backward(f64([1, 2, 3, 4, 5, 6], [2, 3]));
  expectTensor(x.grad!, [2, 3], [1e3, 2e3, 3e3, 4e3, 5e3, 6e3]);
});
norm("gradcheck on random shapes and dims (values kept away from 0 so no slice sits at the kink)", () => {
  const arb = shapeArb(1, 4, 4).chain((s) => fc.tuple(tensorArb(s, -2, 2, 0.1), fc.integer({ min: -s.length, max: s.length - 1 })));
  checkGradProperty(arb, (x, dim) => ({ fn: (x2) => F.normalize(x2, dim), inputs: [x] }));
});
norm("errors name the op and the shapes", () => {
  expectError(() => F.normalize(ones([2, 3]), 2), "[normalize]", "dim 2", "rank 2");
  expectError(() => F.normalize(tensor(Int32Array.from([1, 2]), [2]), 0), "[normalize]", "int32", "[2]");
});
norm.run();

const cos = suite("F.cosineSimilarity");
cos("values: dot / (|a| |b|) with broadcasting, and the per-norm eps clamp", () => {
  const a = f64([1, 0, 1, 1], [2, 2]);
  const b = f64([1, 1], [1, 2]);
  expectTensor(F.cosineSimilarity(a, b), [2], [1 / Math.SQRT2, 1]);
  // |a| = 1e-5 is clamped to eps = 1e-3 alone, not the product of norms (PyTorch >= 1.12).
  expectTensor(F.cosineSimilarity(f64([3, 4], [1, 2]), f64([1e-5, 0], [1, 2]), 1, 1e-3), [1], [3e-5 / (5 * 1e-3)]);
});
cos("gradcheck on broadcasting shape pairs and random dims", () => {
  const arb = broadcastPairArb(3, 3).filter(([a, b]) => Math.max(a.length, b.length) > 0).chain(([sa, sb]) => {
    const rank = Math.max(sa.length, sb.length);
    return fc.tuple(tensorArb(sa, -2, 2, 0.1), tensorArb(sb, -2, 2, 0.1), fc.integer({ min: -rank, max: rank - 1 }));
  });
  checkGradProperty(arb, (a, b, dim) => ({ fn: (a2, b2) => F.cosineSimilarity(a2, b2, dim), inputs: [a, b] }));
});
cos("errors name the op and the shapes", () => {
  expectError(() => F.cosineSimilarity(ones([2, 3]), ones([2, 4])), "[cosineSimilarity]", "[2, 3]", "[2, 4]");
});
cos.run();

const hot = suite("F.oneHot");
hot("values: int32 indicators, numClasses given or inferred", () => {
  const idx = tensor(Int32Array.from([2, 0, 1, 2]), [2, 2]);
  const y = F.oneHot(idx, 4);
  assert.is(y.dtype, "int32");
  expectTensor(y, [2, 2, 4], [0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]);
  expectTensor(F.oneHot(tensor(Int32Array.from([1]), [1])), [1, 2], [0, 1]);
});
hot("property: every row sums to 1 with the 1 at the index", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 12 }), (ids) => {
    const y = F.oneHot(tensor(Int32Array.from(ids), [ids.length]), 7).storage;
    ids.forEach((c, i) => { for (let j = 0; j < 7; j++) assert.is(y[i * 7 + j], j === c ? 1 : 0); });
  }));
});
hot("errors name the op, the bad index and the shapes", () => {
  expectError(() => F.oneHot(tensor(Int32Array.from([0, 5]), [2]), 3), "[oneHot]", "index 5", "[2]", "3 classes");
  expectError(() => F.oneHot(tensor(Int32Array.from([-1]), [1])), "[oneHot]", "index -1");
  expectError(() => F.oneHot(tensor([0, 1], [2]), 2), "[oneHot]", "int32", "float32");
});
hot.run();
