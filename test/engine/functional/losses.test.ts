// F.crossEntropy, F.nllLoss, F.mseLoss: values against a plain-JS PyTorch-formula reference, gradchecks, errors.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { F, ones, tensor, type Tensor } from "../../../engine/index.ts";
import { RUNS, checkGradProperty, shapeArb, tensorArb } from "../../helpers.ts";
import { classRows, crossEntropyRef, expectError, expectTensor, logSoftmaxRow, prod, softCrossEntropyRef, type CeRef } from "./reference.ts";

const f64 = (data: number[], shape: number[]): Tensor => tensor(Float64Array.from(data), shape);
const i32 = (data: number[], shape: number[]): Tensor => tensor(Int32Array.from(data), shape);

/** A random class-index problem: input [N, C, d...], targets with some ignored, options, weight. */
const indexCaseArb = fc.record({
  n: fc.integer({ min: 1, max: 3 }),
  c: fc.integer({ min: 1, max: 4 }),
  rest: shapeArb(0, 2, 3),
  reduction: fc.constantFrom("mean" as const, "sum" as const, "none" as const),
  labelSmoothing: fc.constantFrom(0, 0.1, 0.35),
  useWeight: fc.boolean(),
}).chain((o) => {
  const rowShape = [o.n, ...o.rest];
  const m = prod(rowShape);
  return fc.record({
    o: fc.constant(o),
    rowShape: fc.constant(rowShape),
    x: tensorArb([o.n, o.c, ...o.rest], -3, 3),
    weight: tensorArb([o.c], 0.2, 2),
    // -100 marks an ignored position; the first one is always kept so a mean never divides by zero.
    target: fc.array(fc.oneof(fc.integer({ min: 0, max: o.c - 1 }), fc.constant(-100)), { minLength: m, maxLength: m })
      .map((t) => [Math.max(t[0], 0) % o.c, ...t.slice(1)]),
  });
});

const ce = suite("F.crossEntropy (class indices)");
ce("values: a hand example, mean over non-ignored targets", () => {
  const x = f64([1, 2, 3, 0, 0, 0, 5, 1, 1], [3, 3]);
  const lp = [logSoftmaxRow([1, 2, 3]), logSoftmaxRow([0, 0, 0])];
  expectTensor(F.crossEntropy(x, i32([2, 1, -100], [3])), [], [-(lp[0][2] + lp[1][1]) / 2]);
  expectTensor(F.crossEntropy(x, i32([2, 1, -100], [3]), { reduction: "sum" }), [], [-(lp[0][2] + lp[1][1])]);
  expectTensor(F.crossEntropy(x, i32([2, 1, 0], [3]), { ignoreIndex: 0, reduction: "none" }), [3], [-lp[0][2], -lp[1][1], 0]);
});
ce("values: unbatched [C] input with a scalar target", () => {
  expectTensor(F.crossEntropy(f64([1, 2, 3], [3]), i32([0], [])), [], [-logSoftmaxRow([1, 2, 3])[0]]);
  expectTensor(F.crossEntropy(f64([1, 2, 3], [3]), i32([0], []), { reduction: "none" }), [], [-logSoftmaxRow([1, 2, 3])[0]]);
});
ce("property: values match PyTorch's formula (ignore, smoothing, weight, every reduction, [N, C, d...])", () => {
  fc.assert(fc.property(indexCaseArb, ({ o, rowShape, x, weight, target }) => {
    const opts: CeRef = { reduction: o.reduction, labelSmoothing: o.labelSmoothing, weight: o.useWeight ? Array.from(weight.storage) : undefined };
    const got = F.crossEntropy(x, i32(target, rowShape), { ...opts, weight: o.useWeight ? weight : null });
    const want = crossEntropyRef(classRows(x.storage, x.shape).map(logSoftmaxRow), target, opts);
    expectTensor(got, o.reduction === "none" ? rowShape : [], want, 1e-9, 1e-12);
  }), { numRuns: RUNS });
});
ce("gradcheck wrt logits and weight on random problems", () => {
  checkGradProperty(fc.tuple(indexCaseArb), ({ o, rowShape, x, weight, target }) => ({
    fn: (x2, w2) => F.crossEntropy(x2, i32(target, rowShape), { reduction: o.reduction, labelSmoothing: o.labelSmoothing, weight: o.useWeight ? w2 : null }),
    inputs: [x, weight],
  }));
});
ce("every target ignored: mean is NaN (0/0) as PyTorch, sum is 0", () => {
  const x = f64([1, 2, 3, 4], [2, 2]);
  assert.ok(Number.isNaN(F.crossEntropy(x, i32([-100, -100], [2])).item()));
  assert.is(F.crossEntropy(x, i32([-100, -100], [2]), { reduction: "sum" }).item(), 0);
});
ce("errors name the op, the bad target and the shapes", () => {
  expectError(() => F.crossEntropy(ones([2, 3]), i32([0, 3], [2])), "[crossEntropy]", "target 3", "3 classes", "[2, 3]");
  expectError(() => F.crossEntropy(ones([2, 3]), i32([0, -1], [2])), "[crossEntropy]", "target -1");
  expectError(() => F.crossEntropy(ones([2, 3]), i32([0, 1, 2], [3])), "[crossEntropy]", "target [3]", "input [2, 3]", "[2]");
  expectError(() => F.crossEntropy(ones([2, 3, 4]), i32([0, 1], [2])), "[crossEntropy]", "[2, 4]");
  expectError(() => F.crossEntropy(ones([2, 3]), ones([2, 4])), "[crossEntropy]", "[2, 4]", "[2, 3]");
  expectError(() => F.crossEntropy(ones([2, 3]), i32([0, 1], [2]), { weight: ones([2]) }), "[crossEntropy]", "weight [2]", "[3]");
  expectError(() => F.crossEntropy(ones([2, 3]), i32([0, 1], [2]), { labelSmoothing: 2 }), "[crossEntropy]", "labelSmoothing");
  expectError(() => F.crossEntropy(ones([]), i32([0], [])), "[crossEntropy]", "[]");
});
ce.run();

/** Soft targets: probabilities of the input's shape (rows drawn from a softmax so they sum to 1). */
const softCaseArb = fc.record({
  shape: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), shapeArb(0, 1, 3)).map(([n, c, r]) => [n, c, ...r]),
  reduction: fc.constantFrom("mean" as const, "sum" as const, "none" as const),
  labelSmoothing: fc.constantFrom(0, 0.2),
  useWeight: fc.boolean(),
}).chain((o) => fc.record({ o: fc.constant(o), x: tensorArb(o.shape, -3, 3), t: tensorArb(o.shape, -2, 2), weight: tensorArb([o.shape[1]], 0.2, 2) }));

const soft = suite("F.crossEntropy (probability targets)");
soft("property: values match -Σ w·t·log p (smoothed target), mean over rows", () => {
  fc.assert(fc.property(softCaseArb, ({ o, x, t, weight }) => {
    const probs = F.softmax(t, 1);
    const opts: CeRef = { reduction: o.reduction, labelSmoothing: o.labelSmoothing, weight: o.useWeight ? Array.from(weight.storage) : undefined };
    const got = F.crossEntropy(x, probs, { ...opts, weight: o.useWeight ? weight : null });
    const want = softCrossEntropyRef(classRows(x.storage, x.shape).map(logSoftmaxRow), classRows(probs.storage, probs.shape), opts);
    expectTensor(got, o.reduction === "none" ? o.shape.filter((_, i) => i !== 1) : [], want);
  }), { numRuns: RUNS });
});
soft("gradcheck wrt logits and the target probabilities", () => {
  checkGradProperty(fc.tuple(softCaseArb), ({ o, x, t }) => ({
    fn: (x2, t2) => F.crossEntropy(x2, F.softmax(t2, 1), { reduction: o.reduction, labelSmoothing: o.labelSmoothing }),
    inputs: [x, t],
  }));
});
soft("a one-hot probability target equals the class-index loss", () => {
  const x = f64([0.3, -1, 2, 0.5, 0.5, 0], [2, 3]);
  const viaIndex = F.crossEntropy(x, i32([2, 0], [2]), { labelSmoothing: 0.1 }).item();
  const viaProbs = F.crossEntropy(x, f64([0, 0, 1, 1, 0, 0], [2, 3]), { labelSmoothing: 0.1 }).item();
  assert.ok(Math.abs(viaIndex - viaProbs) < 1e-12);
});
soft("errors: ignoreIndex is rejected for probability targets", () => {
  expectError(() => F.crossEntropy(ones([2, 3]), ones([2, 3]), { ignoreIndex: 1 }), "[crossEntropy]", "ignoreIndex", "[2, 3]");
});
soft.run();

const nll = suite("F.nllLoss");
nll("values and gradcheck: crossEntropy is nllLoss after logSoftmax", () => {
  fc.assert(fc.property(indexCaseArb, ({ o, rowShape, x, weight, target }) => {
    const opts = { reduction: o.reduction, weight: o.useWeight ? weight : null };
    const a = F.nllLoss(F.logSoftmax(x, 1), i32(target, rowShape), opts);
    const b = F.crossEntropy(x, i32(target, rowShape), opts);
    expectTensor(a, b.shape, b.storage, 1e-12, 1e-14);
  }), { numRuns: RUNS });
  checkGradProperty(fc.tuple(indexCaseArb), ({ o, rowShape, x, target }) => ({
    fn: (x2) => F.nllLoss(x2, i32(target, rowShape), { reduction: o.reduction }),
    inputs: [x],
  }));
});
nll("errors name the op and the shapes", () => {
  expectError(() => F.nllLoss(ones([2, 3]), ones([2])), "[nllLoss]", "int32", "[2]");
  expectError(() => F.nllLoss(ones([2, 3]), i32([5, 0], [2])), "[nllLoss]", "target 5", "[2, 3]");
});
nll.run();

const mse = suite("F.mseLoss");
mse("values for every reduction", () => {
  const a = f64([1, 2, 3, 4], [2, 2]);
  const b = f64([1, 0, 0, 4], [2, 2]);
  expectTensor(F.mseLoss(a, b), [], [13 / 4]);
  expectTensor(F.mseLoss(a, b, { reduction: "sum" }), [], [13]);
  expectTensor(F.mseLoss(a, b, { reduction: "none" }), [2, 2], [0, 4, 9, 0]);
});
mse("gradcheck on random shapes", () => {
  checkGradProperty(shapeArb(0, 3, 4).chain((s) => fc.tuple(tensorArb(s), tensorArb(s))), (a, b) => ({ fn: (x, y) => F.mseLoss(x, y), inputs: [a, b] }));
});
mse("errors name the op and the shapes", () => {
  expectError(() => F.mseLoss(ones([2, 3]), ones([3])), "[mseLoss]", "[2, 3]", "[3]");
});
mse.run();
