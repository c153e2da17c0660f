// patchPool and patchIndex: window means on the 14×14 grid (values, gradient) and the token-box → cell mapping.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { gradcheck, randn } from "../../../engine/index.ts";
import { patchIndex, patchPool } from "../../../src/index.ts";

const RUNS = 40;
const t = suite("patch");

t("patchPool: 5×5 windows at stride 4 on 14×14, row-major, plain means (row/column 13 unused)", () => {
  const [b, d] = [2, 3];
  const x = randn([b, 196, d], { dtype: "float64" });
  const y = patchPool(x);
  assert.equal(y.shape, [b, 9, d]);
  for (let n = 0; n < b; n++) for (let w = 0; w < 9; w++) for (let e = 0; e < d; e++) {
    const [r0, c0] = [Math.floor(w / 3) * 4, (w % 3) * 4];
    let s = 0;
    for (let r = r0; r < r0 + 5; r++) for (let c = c0; c < c0 + 5; c++) s += x.storage[(n * 196 + r * 14 + c) * d + e];
    assert.ok(Math.abs(y.storage[(n * 9 + w) * d + e] - s / 25) < 1e-12);
  }
  // The last row and column feed no window.
  const g = randn([1, 196, 1], { dtype: "float64", requiresGrad: true });
  patchPool(g).sum().backward();
  for (let k = 0; k < 14; k++) {
    assert.is(g.grad!.storage[13 * 14 + k], 0);
    assert.is(g.grad!.storage[k * 14 + 13], 0);
  }
  assert.is(g.grad!.storage[4 * 14 + 4], 4 / 25); // shared by four windows
});

t("patchPool: gradcheck, other grids and options, errors", () => {
  gradcheck((x) => patchPool(x, { kernel: 2, stride: 2 }), [randn([2, 16, 2], { dtype: "float64" })]);
  gradcheck((x) => patchPool(x), [randn([1, 196, 1], { dtype: "float64" })]);
  assert.equal(patchPool(randn([1, 16, 1]), { kernel: 2, stride: 2 }).shape, [1, 4, 1]);
  assert.throws(() => patchPool(randn([1, 15, 2])), /\[patchPool\].*square/);
  assert.throws(() => patchPool(randn([15, 2])), /\[patchPool\]/);
});

const cellArb = fc.record({ row: fc.integer({ min: 0, max: 13 }), col: fc.integer({ min: 0, max: 13 }) });
/** Two sorted coordinates inside [lo, hi]. */
const spanIn = (lo: number, hi: number): fc.Arbitrary<[number, number]> =>
  fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => (a <= b ? [a, b] : [b, a]));
const cellRange = (k: number): [number, number] => [k * 72, Math.min(1000, k * 72 + 71)];

t("patchIndex: a box inside one cell maps to row·14 + col", () => {
  fc.assert(fc.property(cellArb.chain(({ row, col }) => fc.tuple(fc.constant({ row, col }), spanIn(...cellRange(col)), spanIn(...cellRange(row)))),
    ([{ row, col }, [x0, x1], [y0, y1]]) => patchIndex([x0, y0, x1, y1]) === row * 14 + col), { numRuns: RUNS });
});

t("patchIndex: a box whose corners fall in different cells gives -100", () => {
  const spanning = fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 1000 }))
    .filter(([x0, y0, x1, y1]) => Math.floor(x0 / 72) !== Math.floor(x1 / 72) || Math.floor(y0 / 72) !== Math.floor(y1 / 72));
  fc.assert(fc.property(spanning, (box) => patchIndex(box) === -100), { numRuns: RUNS });
});

t("patchIndex: edges, specials and errors", () => {
  assert.is(patchIndex([0, 0, 0, 0]), 0); // <s>, </s> and pads land in cell 0, as in the reference
  assert.is(patchIndex([1000, 1000, 1000, 1000]), 195);
  assert.is(patchIndex([71, 0, 72, 0]), -100);
  assert.is(patchIndex([72, 144, 143, 215]), 2 * 14 + 1);
  assert.is(patchIndex([10, 10, 20, 20], 4, 250), 0);
  assert.throws(() => patchIndex([0, 0, 1001, 5]), /\[patchIndex\].*0–1000/);
  assert.throws(() => patchIndex([-1, 0, 5, 5]), /\[patchIndex\]/);
  assert.throws(() => patchIndex([Number.NaN, 0, 5, 5]), /\[patchIndex\]/);
  assert.throws(() => patchIndex([0, 0, 5]), /\[patchIndex\]/);
  assert.throws(() => patchIndex([990, 990, 995, 995], 14, 50), /\[patchIndex\].*outside/);
});

t.run();
