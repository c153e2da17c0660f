// DITC and IMC properties: gradients, batch-permutation invariance, near-zero loss for a perfectly aligned batch, shape errors.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, cat, gradcheck, tensor, transpose, zeros } from "../../../engine/index.ts";
import { ditcLoss, imcLoss } from "../../../src/index.ts";
import { tensorArb } from "../../helpers.ts";

const RUNS = 15;

/** Random online features, momentum features and a queue: [B, D] ×2 and [D, B+Q] ×2. */
const caseArb = fc.record({ b: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 4 }), q: fc.integer({ min: 0, max: 3 }) })
  .chain(({ b, d, q }) => fc.record({
    image: tensorArb([b, d], -1, 1), text: tensorArb([b, d], -1, 1),
    imageAll: tensorArb([d, b + q], -1, 1), textAll: tensorArb([d, b + q], -1, 1),
    temp: fc.double({ min: 0.2, max: 1, noNaN: true }), alpha: fc.double({ min: 0, max: 1, noNaN: true }),
  }));

const scalarT = (v: number): Tensor => tensor(Float64Array.from([v]), [], { dtype: "float64" });
const both = (r: { i2t: Tensor; t2i: Tensor } | { i2i: Tensor; t2t: Tensor }): Tensor => {
  const [a, b] = Object.values(r);
  return cat([a.reshape([1]), b.reshape([1])]);
};

/** Reorders rows of a [B, D] tensor and the first B columns of a [D, B+Q] tensor by perm; queue columns stay. */
const permRows = (x: Tensor, perm: number[]): Tensor => cat(perm.map((i) => x.slice(0, i, i + 1)));
const permCols = (all: Tensor, perm: number[]): Tensor => {
  const b = perm.length;
  const moved = transpose(permRows(transpose(all.slice(1, 0, b), 0, 1), perm), 0, 1);
  return all.shape[1] > b ? cat([moved, all.slice(1, b)], 1) : moved;
};

/** A permutation of 0..n-1. */
const permArb = (n: number): fc.Arbitrary<number[]> => {
  const ids = Array.from({ length: n }, (_, i) => i);
  return fc.shuffledSubarray(ids, { minLength: n, maxLength: n });
};

const t = suite("ditc / imc");

t("gradcheck: DITC with a learnable temperature (alpha 0) and with distillation (alpha > 0, fixed temp)", () => {
  fc.assert(fc.property(caseArb, (c) => {
    // With alpha > 0 the targets depend on temp under noGrad (as in the reference), so temp is a constant there.
    gradcheck((i, x, tp) => both(ditcLoss(i, x, c.imageAll, c.textAll, tp, 0)), [c.image, c.text, scalarT(c.temp)]);
    return gradcheck((i, x) => both(ditcLoss(i, x, c.imageAll, c.textAll, c.temp, c.alpha)), [c.image, c.text]);
  }), { numRuns: RUNS });
});

t("gradcheck: IMC, features, queue side and temperature", () => {
  // IMC targets are constant, so even the momentum/queue side has an exact gradient.
  fc.assert(fc.property(caseArb, (c) =>
    gradcheck((i, x, ia, ta, tp) => both(imcLoss(i, x, ia, ta, tp)), [c.image, c.text, c.imageAll, c.textAll, scalarT(c.temp)])), { numRuns: RUNS });
});

t("permuting the batch consistently leaves the mean losses unchanged", () => {
  const withPerm = caseArb.chain((c) => fc.tuple(fc.constant(c), permArb(c.image.shape[0])));
  fc.assert(fc.property(withPerm, ([c, perm]) => {
    const [pi, px, pia, pta] = [permRows(c.image, perm), permRows(c.text, perm), permCols(c.imageAll, perm), permCols(c.textAll, perm)];
    const base = [...both(ditcLoss(c.image, c.text, c.imageAll, c.textAll, c.temp, c.alpha)).storage, ...both(imcLoss(c.image, c.text, c.imageAll, c.textAll, c.temp)).storage];
    const moved = [...both(ditcLoss(pi, px, pia, pta, c.temp, c.alpha)).storage, ...both(imcLoss(pi, px, pia, pta, c.temp)).storage];
    base.forEach((v, k) => assert.ok(Math.abs(v - moved[k]) < 1e-10 * (1 + Math.abs(v)), `term ${k}: ${v} vs ${moved[k]}`));
    return true;
  }), { numRuns: RUNS });
});

t("a perfectly aligned batch at low temperature gives near-zero DITC and IMC", () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.double({ min: 0, max: 1, noNaN: true }), (b, q, alpha) => {
    const d = b + 1;
    const feat = zeros([b, d], "float64");
    for (let i = 0; i < b; i++) feat.storage[i * d + i] = 1; // orthonormal rows, identical across modalities
    const queue = zeros([d, q], "float64");
    for (let j = 0; j < q; j++) queue.storage[(d - 1) * q + j] = 1; // queue entries orthogonal to every sample
    const all = cat([transpose(feat, 0, 1), queue], 1);
    const losses = [...both(ditcLoss(feat, feat, all, all, 0.01, alpha)).storage, ...both(imcLoss(feat, feat, all, all, 0.01)).storage];
    // With alpha > 0 the soft target is itself ≈ one-hot (off-diagonal weight e^-100), so the loss stays ≈ 0.
    losses.forEach((v) => assert.ok(v >= 0 && v < 1e-30, `loss ${v}`));
    return true;
  }), { numRuns: RUNS });
});

t("alpha = 1 distils onto the momentum softmax; alpha 0 equals IMC-style hard targets", () => {
  const image = tensor(Float64Array.from([0.6, 0.8, 1, 0]), [2, 2], { dtype: "float64" });
  const all = transpose(image, 0, 1);
  // online == momentum and alpha = 1: targets equal the model's own softmax, so the loss is its entropy.
  const { i2t } = ditcLoss(image, image, all, all, 0.5, 1);
  const logits = image.matmul(all).div(0.5);
  const p = logits.softmax(1);
  const entropy = p.mul(p.log()).sum(1).mean().neg().item();
  assert.ok(Math.abs(i2t.item() - entropy) < 1e-12);
  const hard = ditcLoss(image, image, all, all, 0.5, 0).i2t.item();
  assert.ok(Math.abs(hard - imcLoss(image, image, all, all, 0.5).i2i.item()) < 1e-12);
});

t("shape and argument errors name the op", () => {
  const f = zeros([2, 3], "float64");
  const all = zeros([3, 4], "float64");
  assert.throws(() => ditcLoss(f, f, zeros([3, 1], "float64"), all, 0.07), /\[ditcLoss\].*B\+Q/);
  assert.throws(() => ditcLoss(f, f, all, all, 0.07, 1.5), /\[ditcLoss\] alpha/);
  assert.throws(() => imcLoss(f, zeros([3, 3], "float64"), all, all, 0.07), /\[imcLoss\]/);
  assert.throws(() => imcLoss(f, f, all, all, zeros([2])), /\[imcLoss\] temp/);
});

t.run();
