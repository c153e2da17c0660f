// The explain maps are PITA's own quantities: with one token per cell whose feature equals its patch's (so PITA's
// two directions agree), pitaLoss equals the mean of −log p(own patch) that cellAlignment reports.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor } from "../../../engine/index.ts";
import { pitaLoss } from "../../../src/losses/pita.ts";
import {
  alignmentSummary, cellAlignment, meanFeature, patchDistribution, topPatch, type PageFeatures,
} from "../../../src/explain/pita_maps.ts";
import { hashUnits } from "../models/golden_weights.ts";

const t = suite("explain pita maps");
const G = 14, P = G * G, D = 6;

t("cellAlignment's own-patch probabilities give pitaLoss", () => {
  const patches = Float32Array.from(hashUnits("explain.patches", P * D), (v) => 2 * v);
  const f: PageFeatures = {
    grid: G, dim: D, patches,
    wordSums: Array.from({ length: P }, (_, c) => patches.slice(c * D, (c + 1) * D)),
    wordTokens: new Array<number>(P).fill(1),
    wordCells: Array.from({ length: P }, (_, c) => c),
  };
  const cells = cellAlignment(f);
  assert.is(cells.length, P);
  const want = -cells.reduce((s, c) => s + Math.log(c.own), 0) / P;
  const bbox = [Array.from({ length: P }, (_, c) => { const x = (c % G) * 72 + 10, y = Math.floor(c / G) * 72 + 10; return [x, y, x + 20, y + 20]; })];
  const loss = pitaLoss(tensor(patches, [1, P, D]), tensor(patches, [1, P, D]), bbox, [new Array<number>(P).fill(1)], { grid: G, cell: 72 });
  assert.ok(Math.abs(loss.item() - want) < 1e-4, `pitaLoss ${loss.item()} vs ${want}`);
});

t("a word's distribution sums to 1 and peaks on the patch its feature matches best; sub-tokens weigh equally", () => {
  const patches = new Float32Array(P * D);
  patches[37 * D] = 5; // patch 37 points along the first axis
  const f: PageFeatures = { grid: G, dim: D, patches, wordSums: [Float32Array.of(2, 0, 0, 0, 0, 0), Float32Array.of(0, 3, 0, 0, 0, 0)], wordTokens: [2, 1], wordCells: [0, 1] };
  assert.equal(Array.from(meanFeature(f, [0, 1])), [2 / 3, 1, 0, 0, 0, 0].map(Math.fround));
  const d = patchDistribution(f, meanFeature(f, [0]));
  assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) - 1) < 1e-9);
  assert.is(d.indexOf(Math.max(...d)), 37);
});

t("topPatch is the first largest; alignmentSummary counts own-patch cells and averages p(own patch)", () => {
  assert.is(topPatch(Float64Array.of(0.1, 0.4, 0.1, 0.4)), 1);
  assert.is(topPatch(Float64Array.of(1)), 0);
  const cells = [
    { cell: 3, words: [0], own: 0.5, top: 3 },
    { cell: 5, words: [1, 2], own: 0.25, top: 9 },
    { cell: 9, words: [3], own: 0.75, top: 9 },
  ];
  assert.equal(alignmentSummary(cells), { count: 3, ownTop: 2, meanOwn: 0.5 });
  assert.equal(alignmentSummary([]), { count: 0, ownTop: 0, meanOwn: 0 });
});

t.run();
