// F.conv2d (patch embedding) and F.avgPool2d: values against direct loops, gradcheck properties, errors.
import fc from "fast-check";
import { suite } from "uvu";
import { F, arange, ones, tensor } from "../../../engine/index.ts";
import { RUNS, checkGradProperty, tensorArb } from "../../helpers.ts";
import { avgPoolRef, expectError, expectTensor, patchConvRef } from "./reference.ts";

const conv = suite("F.conv2d (stride = kernel)");
conv("values: a 1-channel 4x4 image, 2x2 patches, two filters", () => {
  const x = arange(0, 16, 1, "float64").reshape(1, 1, 4, 4);
  const w = tensor(Float64Array.from([1, 0, 0, 0, 1, 1, 1, 1]), [2, 1, 2, 2]);
  // filter 0 picks each patch's top-left pixel, filter 1 sums the patch (+ bias 0.5).
  expectTensor(F.conv2d(x, w, tensor(Float64Array.from([0, 0.5]), [2]), { stride: 2 }), [1, 2, 2, 2],
    [0, 2, 8, 10, 10.5, 18.5, 42.5, 50.5]);
});
conv("property: values match direct convolution and the gradient checks, unbatched input too", () => {
  const arb = fc.record({
    b: fc.integer({ min: 1, max: 2 }), c: fc.integer({ min: 1, max: 2 }), o: fc.integer({ min: 1, max: 3 }),
    kh: fc.integer({ min: 1, max: 3 }), kw: fc.integer({ min: 1, max: 3 }), ph: fc.integer({ min: 1, max: 2 }), pw: fc.integer({ min: 1, max: 3 }),
    batched: fc.boolean(),
  }).chain((s) => fc.tuple(fc.constant(s), tensorArb([s.b, s.c, s.kh * s.ph, s.kw * s.pw]), tensorArb([s.o, s.c, s.kh, s.kw]), tensorArb([s.o])));
  fc.assert(fc.property(arb, ([s, x, w, bias]) => {
    expectTensor(F.conv2d(x, w, bias, { stride: [s.kh, s.kw] }), [s.b, s.o, s.ph, s.pw], patchConvRef(x.storage, x.shape, w.storage, w.shape, bias.storage));
  }), { numRuns: RUNS });
  checkGradProperty(arb, (s, x, w, bias) => ({
    fn: (x2, w2, b2) => (s.batched ? F.conv2d(x2, w2, b2, { stride: [s.kh, s.kw] }) : F.conv2d(x2.reshape(-1, s.kh * s.ph, s.kw * s.pw).narrow(0, 0, s.c), w2, b2, { stride: [s.kh, s.kw] })),
    inputs: [x, w, bias],
  }), Math.ceil(RUNS / 2));
});
conv("errors name the op and the shapes", () => {
  expectError(() => F.conv2d(ones([1, 3, 8, 8]), ones([4, 2, 4, 4]), null, { stride: 4 }), "[conv2d]", "[1, 3, 8, 8]", "[4, 2, 4, 4]");
  expectError(() => F.conv2d(ones([1, 3, 8, 8]), ones([4, 3, 4, 4]), null, { stride: 2 }), "[conv2d]", "stride [2, 2]", "[4, 3, 4, 4]");
  expectError(() => F.conv2d(ones([1, 3, 8, 8]), ones([4, 3, 3, 3]), null, { stride: 3 }), "[conv2d]", "[1, 3, 8, 8]", "3x3");
  expectError(() => F.conv2d(ones([1, 3, 8, 8]), ones([4, 3, 4, 4]), ones([3]), { stride: 4 }), "[conv2d]", "bias [3]", "[4]");
  expectError(() => F.conv2d(ones([8, 8]), ones([4, 3, 4, 4]), null, { stride: 4 }), "[conv2d]", "[8, 8]");
});
conv.run();

const pool = suite("F.avgPool2d");
pool("values: 4x4 kernel 2 by hand; 14x14 kernel 5 stride 4 gives 3x3", () => {
  const x = arange(0, 16, 1, "float64").reshape(1, 1, 4, 4);
  expectTensor(F.avgPool2d(x, 2), [1, 1, 2, 2], [2.5, 4.5, 10.5, 12.5]);
  const big = arange(0, 196, 1, "float64").reshape(1, 14, 14);
  const ref = avgPoolRef(big.storage, big.shape, 5, 5, 4, 4);
  expectTensor(F.avgPool2d(big, 5, 4), [1, 3, 3], ref.data);
  expectTensor(F.avgPool2d(x, [1, 2], [2, 1]), [1, 1, 2, 3], [0.5, 1.5, 2.5, 8.5, 9.5, 10.5]);
});
pool("property: values match direct pooling and the gradient checks (overlapping and strided windows)", () => {
  const arb = fc.record({
    lead: fc.constantFrom([1, 1], [2, 1], [1, 2], [2]), h: fc.integer({ min: 1, max: 6 }), w: fc.integer({ min: 1, max: 6 }),
    sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
  }).chain((s) => fc.tuple(fc.constant(s), fc.integer({ min: 1, max: s.h }), fc.integer({ min: 1, max: s.w }), tensorArb([...s.lead, s.h, s.w])));
  fc.assert(fc.property(arb, ([s, kh, kw, x]) => {
    const ref = avgPoolRef(x.storage, x.shape, kh, kw, s.sh, s.sw);
    expectTensor(F.avgPool2d(x, [kh, kw], [s.sh, s.sw]), ref.shape, ref.data);
  }), { numRuns: RUNS });
  checkGradProperty(arb, (s, kh, kw, x) => ({ fn: (x2) => F.avgPool2d(x2, [kh, kw], [s.sh, s.sw]), inputs: [x] }));
});
pool("errors name the op and the shapes", () => {
  expectError(() => F.avgPool2d(ones([4, 4]), 2), "[avgPool2d]", "[4, 4]");
  expectError(() => F.avgPool2d(ones([1, 1, 4, 4]), 5), "[avgPool2d]", "kernel [5, 5]", "[1, 1, 4, 4]");
  expectError(() => F.avgPool2d(ones([1, 1, 4, 4]), 2, 0), "[avgPool2d]", "stride [0, 0]");
});
pool.run();
