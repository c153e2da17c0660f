// The fused cross-entropy op (one kernel forward, one backward) against its composed form (logSoftmax +
// NLL, setFusedOps(false)): values and input gradients in float32 for every target layout, ignoreIndex,
// label smoothing and reduction; a float64 finite-difference gradcheck of the fused path; double backward.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { F, Tensor, randn, tensor } from "../../../engine/index.ts";
import { RUNS, checkGradProperty, tensorArb } from "../../helpers.ts";
import { bothWays, maxDiff, values } from "./fused_helpers.ts";

const t = suite("fused cross-entropy");

/** Class indices for `shape`, every third one set to ignoreIndex. */
function targets(shape: number[], classes: number, ignoreIndex: number, seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Int32Array.from({ length: n }, (_, i) => (i % 3 === 2 ? ignoreIndex : ((seed >>> 0) + 5 * i) % classes)), shape);
}

/** Loss and input gradient for a fixed upstream gradient. */
function lossAndGrad(x: Tensor, y: Tensor, opts: F.CrossEntropyOptions): Float32Array[] {
  const leaf = tensor(x.storage.slice(), x.shape).requiresGrad_();
  const loss = F.crossEntropy(leaf, y, opts);
  loss.backward(tensor(values(loss.numel, 9, 1), loss.shape).to(loss.dtype));
  return [loss.storage as Float32Array, leaf.grad!.storage as Float32Array];
}

t("fused equals composed in float32: layouts, ignoreIndex, label smoothing, reductions", () => {
  const layouts: [number[], number[]][] = [[[7], []], [[33, 7], [33]], [[64, 1000], [64]], [[3, 11, 5], [3, 5]], [[2, 301, 2, 3], [2, 2, 3]]];
  for (const [shape, tshape] of layouts) {
    for (const opts of [{}, { ignoreIndex: 1 }, { labelSmoothing: 0.2 }, { ignoreIndex: -100, labelSmoothing: 0.05, reduction: "sum" as const }, { reduction: "none" as const }]) {
      const x = randn(shape).mul(3);
      const y = targets(tshape, shape.length === 1 ? shape[0] : shape[1], opts.ignoreIndex ?? -100, shape[0]);
      const { fused, composed } = bothWays(() => lossAndGrad(x, y, opts));
      fused.forEach((v, i) => assert.ok(maxDiff(v, composed[i]) < 1e-5 * Math.sqrt(shape[1] ?? shape[0]), `${shape} ${JSON.stringify(opts)} ${i}: ${maxDiff(v, composed[i])}`));
    }
  }
});

t("every target ignored: mean is NaN and the gradient zero, as composed", () => {
  const x = randn([4, 6]);
  const y = tensor(new Int32Array(4).fill(-100), [4]);
  const { fused, composed } = bothWays(() => lossAndGrad(x, y, {}));
  assert.ok(Number.isNaN(fused[0][0]) && Number.isNaN(composed[0][0]));
});

t("float64 gradcheck of the fused path (ignored rows, smoothing)", () => {
  const arb = fc.record({ rows: fc.integer({ min: 1, max: 5 }), cols: fc.integer({ min: 1, max: 6 }), eps: fc.constantFrom(0, 0.3), seed: fc.integer() })
    .chain(({ rows, cols, eps, seed }) => fc.tuple(tensorArb([rows, cols]), fc.constant(eps), fc.constant(seed)));
  checkGradProperty(arb, (x, eps, seed) => ({
    fn: (x2) => F.crossEntropy(x2, targets([x2.shape[0]], x2.shape[1], -100, seed), { labelSmoothing: eps, reduction: "sum" }),
    inputs: [x],
  }), RUNS);
});

t("double backward takes the composed formula", () => {
  const second = (): number[] => {
    const x = tensor(Float64Array.from([0.3, -1.2, 2, 0.7, -0.4, 1.1, 0.05, -2]), [2, 4]).requiresGrad_();
    const loss = F.crossEntropy(x, tensor(Int32Array.from([1, 3]), [2]), { labelSmoothing: 0.1 });
    loss.backward(undefined, { createGraph: true });
    const g = x.grad!;
    x.zeroGrad();
    g.mul(g).sum().backward();
    return Array.from(x.grad!.storage);
  };
  const { fused, composed } = bothWays(second);
  assert.ok(maxDiff(fused, composed) < 1e-9, `${fused} vs ${composed}`);
});

t.run();
