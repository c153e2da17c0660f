// softmax / logSoftmax: gradcheck on random dims, values vs a loop, stability and masked rows.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../../engine/index.ts";
import { tensor } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { RUNS, checkGradProperty, shapeArb, tensorArb } from "../../helpers.ts";

const t = suite("softmax");

interface CoreOps { [name: string]: number | number[] }
const golden = (JSON.parse(readFileSync(new URL("../../fixtures/core_golden.json", import.meta.url), "utf8")) as { ops: CoreOps }).ops;
const gx = tensor(golden.x as number[], [3, 4], { dtype: "float64" });
const want = (name: string): number[] => { const v = golden[name]; return typeof v === "number" ? [v] : v; };

const arb = shapeArb(0, 4).chain((s) => fc.tuple(tensorArb(s, -3, 3), s.length === 0 ? fc.constantFrom(0, -1) : fc.integer({ min: -s.length, max: s.length - 1 })));

t("gradcheck softmax and logSoftmax on random dims", () => {
  checkGradProperty(arb, (x, d) => ({ fn: (a) => E.softmax(a, d), inputs: [x] }));
  checkGradProperty(arb, (x, d) => ({ fn: (a) => E.logSoftmax(a, d), inputs: [x] }));
});

t("values match exp / sum along the dim", () => {
  fc.assert(fc.property(arb, ([x, d]) => {
    const want = E.div(E.exp(x), E.sum(E.exp(x), d, true));
    assertClose(E.softmax(x, d), want, 1e-12, 1e-14);
    assertClose(E.logSoftmax(x, d), E.log(want), 1e-12, 1e-12);
  }), { numRuns: RUNS });
});

t("stable for large logits; a fully -inf row gives NaN as torch", () => {
  const big = E.softmax(tensor([1000, 1000, 999], undefined, { dtype: "float64" }), 0).storage;
  const e = Math.exp(-1);
  assertClose(big, [1 / (2 + e), 1 / (2 + e), e / (2 + e)], 1e-12);
  const masked = E.softmax(tensor([[-Infinity, -Infinity], [0, -Infinity]]), -1).storage;
  assert.ok(Number.isNaN(masked[0]) && Number.isNaN(masked[1]));
  assert.equal([masked[2], masked[3]], [1, 0]);
});

t("int input becomes float32", () => {
  const s = E.softmax(tensor(Int32Array.from([0, 0])), 0);
  assert.is(s.dtype, "float32");
  assert.equal(Array.from(s.storage), [0.5, 0.5]);
});

t("softmax / logSoftmax match torch 1.13 (core_golden.json)", () => {
  assertClose(E.softmax(gx, 0), want("softmax_dim0"), 1e-12, 1e-14);
  assertClose(E.logSoftmax(gx, 1), want("log_softmax_dim1"), 1e-12, 1e-12);
});

t.run();
