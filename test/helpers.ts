// Shared test helpers: fast-check arbitraries for shapes and tensors, and a one-line gradcheck property.
import fc from "fast-check";
import { Tensor, tensor, gradcheck } from "../engine/index.ts";
import type { GradcheckOptions } from "../engine/testing/gradcheck.ts";

/** fast-check runs per property; FC_RUNS raises it for a deeper local search. */
export const RUNS = Number(process.env.FC_RUNS ?? 40);

/** A shape of rank minRank..maxRank with dims 1..maxDim (size-1 dims included). */
export const shapeArb = (minRank = 0, maxRank = 4, maxDim = 4): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });

/** Two shapes that broadcast together: the second is the first with some dims set to 1 and some leading dims dropped. */
export const broadcastPairArb = (maxRank = 4, maxDim = 4): fc.Arbitrary<[number[], number[]]> =>
  shapeArb(0, maxRank, maxDim).chain((a) =>
    fc.tuple(fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }), fc.integer({ min: 0, max: a.length }), fc.boolean())
      .map(([ones, drop, swap]) => {
        const b = a.map((d, i) => (ones[i] ? 1 : d)).slice(drop);
        return (swap ? [b, a] : [a, b]) as [number[], number[]];
      }));

/** A float64 tensor of `shape` with values in [lo, hi] (and at least `gap` away from zero when gap > 0). */
export const tensorArb = (shape: number[], lo = -2, hi = 2, gap = 0): fc.Arbitrary<Tensor> => {
  const n = shape.reduce((a, b) => a * b, 1);
  const value = fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).map((v) => (gap > 0 && Math.abs(v) < gap ? (v < 0 ? -gap : gap) : v));
  return fc.array(value, { minLength: n, maxLength: n }).map((vals) => tensor(Float64Array.from(vals), shape));
};

/** Asserts a gradcheck property over random inputs; fast-check prints the shrunk counterexample on failure. */
export function checkGradProperty<T extends unknown[]>(arb: fc.Arbitrary<T>, body: (...args: T) => { fn: (...xs: Tensor[]) => Tensor; inputs: Tensor[]; options?: GradcheckOptions }, runs = RUNS): void {
  fc.assert(fc.property(arb, (args) => {
    const { fn, inputs, options } = body(...args);
    return gradcheck(fn, inputs, options);
  }), { numRuns: runs });
}

/**
 * A float64 tensor whose values are pairwise at least 0.05 apart (and apart from every tensor drawn with another
 * `phase` in 0..3), so max/min-style ops stay away from ties where finite differences break down.
 */
export const distinctTensorArb = (shape: number[], phase = 0): fc.Arbitrary<Tensor> => {
  const n = shape.reduce((a, b) => a * b, 1);
  const order = fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });
  const jitter = fc.array(fc.double({ min: 0, max: 0.04, noNaN: true }), { minLength: n, maxLength: n });
  return fc.tuple(order, jitter).map(([perm, jit]) => tensor(Float64Array.from(perm, (p, i) => (p * 4 + phase) * 0.1 + jit[i] - 2), shape));
};
