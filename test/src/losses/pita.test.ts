// PITA properties on a small grid: gradients, batch-permutation invariance, masked/spanning tokens are inert, cell averaging, empty cells.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, cat, gradcheck, tensor, zeros } from "../../../engine/index.ts";
import { pitaLoss } from "../../../src/index.ts";
import { tensorArb } from "../../helpers.ts";

const RUNS = 15;
// A 3×3 grid with 334-unit cells keeps P = 9 while covering the whole 0–1000 page (⌊1000/334⌋ = 2).
const OPTS = { grid: 3, cell: 334 };
const P = 9;

interface Case { patches: Tensor; tokens: Tensor; bbox: number[][][]; mask: number[][] }

const coord = fc.integer({ min: 0, max: 1000 });
/** Boxes biased towards single-cell ones (two corners near each other), with some spanning ones. */
const boxArb = fc.oneof(
  fc.tuple(coord, coord, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 })).map(([x, y, w, h]) => [x, y, Math.min(1000, x + w), Math.min(1000, y + h)]),
  fc.tuple(coord, coord, coord, coord),
);
const caseArb: fc.Arbitrary<Case> = fc.record({ b: fc.integer({ min: 1, max: 3 }), tk: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 1, max: 3 }) })
  .chain(({ b, tk, d }) => fc.record({
    patches: tensorArb([b, P, d], -1.5, 1.5), tokens: tensorArb([b, tk, d], -1.5, 1.5),
    bbox: fc.array(fc.array(boxArb, { minLength: tk, maxLength: tk }), { minLength: b, maxLength: b }),
    mask: fc.array(fc.array(fc.constantFrom(0, 1, 1), { minLength: tk, maxLength: tk }), { minLength: b, maxLength: b }),
  }));

const permArb = (n: number): fc.Arbitrary<number[]> => fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i), { minLength: n, maxLength: n });
const permRows = (x: Tensor, perm: number[]): Tensor => cat(perm.map((i) => x.slice(0, i, i + 1)));
const near = (a: number, b: number, tol = 1e-10): boolean => Math.abs(a - b) <= tol * (1 + Math.abs(a));

const t = suite("pita");

t("gradcheck: patch and token embeddings", () => {
  fc.assert(fc.property(caseArb, (c) => gradcheck((p, x) => pitaLoss(p, x, c.bbox, c.mask, OPTS), [c.patches, c.tokens])), { numRuns: RUNS });
});

t("permuting the batch (embeddings, boxes, mask together) leaves the loss unchanged", () => {
  fc.assert(fc.property(caseArb.chain((c) => fc.tuple(fc.constant(c), permArb(c.patches.shape[0]))), ([c, perm]) => {
    const base = pitaLoss(c.patches, c.tokens, c.bbox, c.mask, OPTS).item();
    const moved = pitaLoss(permRows(c.patches, perm), permRows(c.tokens, perm), perm.map((i) => c.bbox[i]), perm.map((i) => c.mask[i]), OPTS).item();
    return near(base, moved);
  }), { numRuns: RUNS });
});

t("masked and spanning tokens do not affect the loss, whatever their embeddings", () => {
  fc.assert(fc.property(caseArb.chain((c) => fc.tuple(fc.constant(c), tensorArb(c.tokens.shape, -50, 50))), ([c, noise]) => {
    const [, tk, d] = c.tokens.shape;
    const changed = c.tokens.storage.slice();
    c.bbox.forEach((row, b) => row.forEach(([x0, y0, x1, y1], k) => {
      const spans = Math.floor(x0 / 334) !== Math.floor(x1 / 334) || Math.floor(y0 / 334) !== Math.floor(y1 / 334);
      if (spans || c.mask[b][k] === 0) for (let e = 0; e < d; e++) changed[(b * tk + k) * d + e] = noise.storage[(b * tk + k) * d + e];
    }));
    const base = pitaLoss(c.patches, c.tokens, c.bbox, c.mask, OPTS).item();
    return near(base, pitaLoss(c.patches, tensor(changed, c.tokens.shape, { dtype: "float64" }), c.bbox, c.mask, OPTS).item(), 1e-12);
  }), { numRuns: RUNS });
});

t("tokens of a cell are averaged: duplicating a token inside its cell changes nothing", () => {
  fc.assert(fc.property(caseArb, (c) => {
    const [b, tk, d] = c.tokens.shape;
    const doubled = cat([c.tokens, c.tokens], 1); // every token twice, same boxes and mask
    const base = pitaLoss(c.patches, c.tokens, c.bbox, c.mask, OPTS).item();
    const twice = pitaLoss(c.patches, doubled, c.bbox.map((r) => [...r, ...r]), c.mask.map((r) => [...r, ...r]), OPTS).item();
    return b * tk * d > 0 && near(base, twice);
  }), { numRuns: RUNS });
});

t("no valid tokens: every cell is a zero vector, all logits 0, loss = log P", () => {
  const patches = tensor(Float64Array.from({ length: 2 * P * 2 }, (_, i) => Math.sin(i)), [2, P, 2], { dtype: "float64" });
  const tokens = tensor(Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8]), [2, 2, 2], { dtype: "float64" });
  const box = [[[0, 0, 10, 10], [500, 500, 900, 900]], [[0, 0, 10, 10], [5, 5, 6, 6]]];
  const v = pitaLoss(patches, tokens, box, [[0, 1], [0, 0]], OPTS).item(); // the one unmasked token spans cells
  assert.ok(Math.abs(v - Math.log(P)) < 1e-12, `${v}`);
});

t("tensor boxes/mask equal nested arrays; shape errors name the op", () => {
  const patches = zeros([1, P, 2], "float64");
  const tokens = tensor(Float64Array.from([1, 2, 3, 4]), [1, 2, 2], { dtype: "float64" });
  const box = [[[0, 0, 10, 10], [700, 700, 710, 720]]];
  const a = pitaLoss(patches, tokens, box, [[1, 1]], OPTS).item();
  const b = pitaLoss(patches, tokens, tensor(Int32Array.from(box.flat(2)), [1, 2, 4]), tensor(Int32Array.from([1, 1]), [1, 2]), OPTS).item();
  assert.is(a, b);
  assert.throws(() => pitaLoss(patches, tokens, box, [[1, 1]]), /\[pitaLoss\].*grid²/);
  assert.throws(() => pitaLoss(patches, tokens, [[[0, 0, 1, 1]]], [[1, 1]], OPTS), /\[pitaLoss\] bbox/);
  assert.throws(() => pitaLoss(patches, tokens, box, [[1]], OPTS), /\[pitaLoss\] attentionMask/);
  assert.throws(() => pitaLoss(patches, tokens, [[[0, 0, 10, 10], [0, 0, 1200, 5]]], [[1, 1]], OPTS), /\[patchIndex\]/);
});

t.run();
