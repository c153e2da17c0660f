// clipGradNorm against torch.nn.utils.clip_grad_norm_ (golden) and its edge cases.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { tensor, optim, NonFiniteError } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";

interface Golden {
  shapes: number[][];
  params0: number[][];
  grads: number[][][];
  clip: { maxNorm: number; normType: number | "inf"; total: number; grads: number[][] }[];
}
const golden: Golden = JSON.parse(readFileSync(new URL("../../fixtures/optim_golden.json", import.meta.url), "utf8"));

const t = suite("optim.clipGradNorm");

for (const c of golden.clip) {
  t(`matches torch: maxNorm ${c.maxNorm}, norm ${c.normType}`, () => {
    const ps = golden.params0.map((d, i) => tensor(d, golden.shapes[i], { requiresGrad: true }));
    ps.forEach((p, i) => { p.grad = tensor(golden.grads[0][i], golden.shapes[i]); });
    const total = optim.clipGradNorm(ps, c.maxNorm, c.normType === "inf" ? Infinity : c.normType);
    assertClose([total], [c.total], 1e-6, 0, "total norm");
    ps.forEach((p, i) => assertClose(p.grad!, c.grads[i], 2e-6, 1e-7, `grad ${i}`));
  });
}

t("no grads gives 0; params without grad are ignored; non-finite norms", () => {
  const a = tensor([1], [1], { requiresGrad: true });
  assert.is(optim.clipGradNorm([a], 1), 0);
  const b = tensor([1, 1], [2], { requiresGrad: true });
  b.grad = tensor([3, 4], [2]);
  assert.is(optim.clipGradNorm([a, b], 10), 5);
  assert.equal(Array.from(b.grad.storage), [3, 4]);
  b.grad = tensor([NaN, 1], [2]);
  assert.ok(Number.isNaN(optim.clipGradNorm([b], 1)));
  assert.throws(() => optim.clipGradNorm([b], 1, 2, { errorIfNonfinite: true }), (e: unknown) => e instanceof NonFiniteError && e.message.startsWith("[clipGradNorm]"));
});

t.run();
