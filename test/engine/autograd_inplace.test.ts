// Gradient accumulation in place: a second backward adds into the existing .grad buffer (no new tensor), sums
// inside one pass reuse their own buffers, and the results equal the out-of-place ones (createGraph passes).
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor } from "../../engine/index.ts";
import { RUNS } from "../helpers.ts";

const t = suite("autograd in place");

const valuesArb = fc.array(fc.float({ min: -2, max: 2, noNaN: true }), { minLength: 1, maxLength: 24 });

t("a second backward accumulates into the same .grad buffer, with the values of an out-of-place sum", () => {
  fc.assert(fc.property(valuesArb, (vals) => {
    const x = tensor(Float32Array.from(vals)).requiresGrad_();
    // x is used three times: the pass sums three contributions into one gradient.
    const loss = (): void => x.mul(x).add(x.exp()).add(x.mul(3)).sum().backward();
    loss();
    const first = x.grad!;
    const once = Float32Array.from(first.storage as Float32Array);
    loss();
    assert.ok(x.grad === first, "the same tensor");
    const want = once.map((v) => Math.fround(v + v));
    assert.equal(Array.from(x.grad!.storage), Array.from(want));
    // The createGraph path adds out of place: same numbers.
    const y = tensor(Float32Array.from(vals)).requiresGrad_();
    for (let i = 0; i < 2; i++) y.mul(y).add(y.exp()).add(y.mul(3)).sum().backward(undefined, { createGraph: true });
    assert.equal(Array.from(y.grad!.storage), Array.from(want));
  }), { numRuns: RUNS });
});

t("in-place sums never touch a gradient another tensor still holds (retained non-leaf grads, pass-through adds)", () => {
  const x = tensor([1, 2, 3]).requiresGrad_();
  const h = x.mul(2).retainGrad();
  const out = h.add(h).add(x); // add passes its gradient to both inputs unchanged
  out.sum().backward();
  assert.equal(Array.from(h.grad!.storage), [2, 2, 2]);
  assert.equal(Array.from(x.grad!.storage), [5, 5, 5]);
});

t.run();
