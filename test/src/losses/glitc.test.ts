// GLITC properties: gradients with and without a mask, batch-permutation invariance, masked locals are inert, N = 1, the TCL formula.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, cat, gradcheck, tensor } from "../../../engine/index.ts";
import { glitcLoss } from "../../../src/index.ts";
import { tensorArb } from "../../helpers.ts";

const RUNS = 15;

interface Case { local: Tensor; global: Tensor; mask: number[][]; temp: number }

const caseArb: fc.Arbitrary<Case> = fc.record({ n: fc.integer({ min: 1, max: 3 }), l: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 3 }) })
  .chain(({ n, l, d }) => fc.record({
    local: tensorArb([n, l, d], -1, 1), global: tensorArb([n, d], -1, 1),
    mask: fc.array(fc.array(fc.constantFrom(0, 1), { minLength: l, maxLength: l }), { minLength: n, maxLength: n }),
    temp: fc.double({ min: 0.2, max: 1, noNaN: true }),
  }));

const permArb = (n: number): fc.Arbitrary<number[]> => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });
const permRows = (x: Tensor, perm: number[]): Tensor => cat(perm.map((i) => x.slice(0, i, i + 1)));
const scalarT = (v: number): Tensor => tensor(Float64Array.from([v]), [], { dtype: "float64" });

/** Direct loops over the notes' §2.3 formula (full 1 + N·L logit rows), the reference to check the fused logaddexp form. */
function glitcLoops(local: Tensor, global: Tensor, temp: number, mask?: number[][]): number {
  const [n, l, d] = local.shape;
  const dot = (i: number, j: number, k: number): number => {
    let s = 0;
    for (let e = 0; e < d; e++) s += local.storage[(j * l + k) * d + e] * global.storage[i * d + e];
    return s / temp;
  };
  const valid = (j: number, k: number): number => (mask === undefined ? 1 : mask[j][k]);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let sample = 0;
    for (let k = 0; k < l; k++) {
      const row = [valid(i, k) * dot(i, i, k) + 10000 * (1 - valid(i, k))];
      for (let j = 0; j < n; j++) for (let kk = 0; kk < l; kk++) {
        const self = j === i ? 1 : 0;
        const u = (1 - self) * dot(i, j, kk) - 10000 * self;
        row.push(valid(j, kk) * u - 10000 * (1 - valid(j, kk)));
      }
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      sample += -(row[0] - lse);
    }
    const count = mask === undefined ? l : Math.max(1, mask[i].reduce((a, v) => a + v, 0));
    total += mask === undefined ? sample / l : sample / count;
  }
  return total / n;
}

const t = suite("glitc");

t("matches a direct loop over the reference formula (with and without mask)", () => {
  fc.assert(fc.property(caseArb, (c) => {
    const masked = glitcLoss(c.local, c.global, c.temp, c.mask).item();
    const plain = glitcLoss(c.local, c.global, c.temp).item();
    assert.ok(Math.abs(masked - glitcLoops(c.local, c.global, c.temp, c.mask)) < 1e-9 * (1 + Math.abs(masked)), "masked");
    assert.ok(Math.abs(plain - glitcLoops(c.local, c.global, c.temp)) < 1e-9 * (1 + Math.abs(plain)), "unmasked");
    return true;
  }), { numRuns: RUNS });
});

t("gradcheck: locals, global and a learnable temperature, with and without mask", () => {
  fc.assert(fc.property(caseArb, (c) => {
    gradcheck((lo, g, tp) => glitcLoss(lo, g, tp, c.mask), [c.local, c.global, scalarT(c.temp)]);
    return gradcheck((lo, g, tp) => glitcLoss(lo, g, tp), [c.local, c.global, scalarT(c.temp)]);
  }), { numRuns: RUNS });
});

t("permuting the samples (locals, globals and mask rows together) leaves the loss unchanged", () => {
  fc.assert(fc.property(caseArb.chain((c) => fc.tuple(fc.constant(c), permArb(c.local.shape[0]))), ([c, perm]) => {
    const mask = perm.map((i) => c.mask[i]);
    for (const m of [c.mask, undefined]) {
      const base = glitcLoss(c.local, c.global, c.temp, m).item();
      const moved = glitcLoss(permRows(c.local, perm), permRows(c.global, perm), c.temp, m === undefined ? undefined : mask).item();
      assert.ok(Math.abs(base - moved) < 1e-10 * (1 + Math.abs(base)), `${base} vs ${moved}`);
    }
    return true;
  }), { numRuns: RUNS });
});

t("masked locals do not change the loss, whatever their values", () => {
  fc.assert(fc.property(caseArb.chain((c) => fc.tuple(fc.constant(c), tensorArb(c.local.shape, -50, 50))), ([c, noise]) => {
    const l = c.local.shape[1];
    const d = c.local.shape[2];
    const swapped = c.local.storage.slice();
    c.mask.forEach((row, i) => row.forEach((v, k) => {
      if (v === 0) for (let e = 0; e < d; e++) swapped[(i * l + k) * d + e] = noise.storage[(i * l + k) * d + e];
    }));
    const base = glitcLoss(c.local, c.global, c.temp, c.mask).item();
    const changed = glitcLoss(tensor(swapped, c.local.shape, { dtype: "float64" }), c.global, c.temp, c.mask).item();
    assert.ok(Math.abs(base - changed) < 1e-12 * (1 + Math.abs(base)), `${base} vs ${changed}`);
    return true;
  }), { numRuns: RUNS });
});

t("N = 1 works (no squeeze collapse): every negative is self-masked, so the loss is ≈ 0 and finite", () => {
  const local = tensor(Float64Array.from([0.1, 0.2, -0.3, 0.4, 0.5, 0.6]), [1, 3, 2], { dtype: "float64" });
  const global = tensor(Float64Array.from([0.7, -0.1]), [1, 2], { dtype: "float64" });
  for (const mask of [[[1, 1, 0]], undefined]) {
    const v = glitcLoss(local, global, 0.07, mask).item();
    assert.ok(Number.isFinite(v) && Math.abs(v) < 1e-12, `loss ${v}`);
  }
});

t("mask as an int32 tensor equals the nested-array form; bad shapes throw", () => {
  const local = tensor(Float64Array.from([0.1, 0.2, -0.3, 0.4, 0.5, 0.6, 0.3, -0.2]), [2, 2, 2], { dtype: "float64" });
  const global = tensor(Float64Array.from([0.7, -0.1, 0.2, 0.9]), [2, 2], { dtype: "float64" });
  const a = glitcLoss(local, global, 0.1, [[1, 0], [1, 1]]).item();
  const b = glitcLoss(local, global, 0.1, tensor(Int32Array.from([1, 0, 1, 1]), [2, 2])).item();
  assert.is(a, b);
  assert.throws(() => glitcLoss(local, global, 0.1, [[1, 0, 1], [1, 1, 1]]), /\[glitcLoss\] mask/);
  assert.throws(() => glitcLoss(local, global.slice(1, 0, 1), 0.1), /\[glitcLoss\]/);
});

t.run();
