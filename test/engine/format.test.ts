// Printing: toString must equal what torch 1.13 prints (fixture written by test/golden/gen_core.py).
import { readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../engine/index.ts";
import { Tensor, tensor } from "../../engine/index.ts";
import type { DType } from "../../engine/index.ts";

interface PrintCase { name: string; values: (number | string)[]; shape: number[]; dtype: DType; requiresGrad: boolean; op: "mul2" | "exp" | null; expected: string }
const golden = JSON.parse(readFileSync(new URL("../fixtures/core_golden.json", import.meta.url), "utf8")) as { prints: PrintCase[] };
const decode = (v: number | string): number => (typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity);

const t = suite("format");

for (const c of golden.prints) {
  t(`prints like torch: ${c.name}`, () => {
    let x: Tensor = tensor(c.values.map(decode), c.shape, { dtype: c.dtype, requiresGrad: c.requiresGrad });
    if (c.op === "mul2") x = x.mul(2);
    if (c.op === "exp") x = x.exp();
    assert.fixture(String(x), c.expected);
  });
}

t("a few exact strings", () => {
  assert.is(String(tensor([1, 2, 3])), "tensor([1., 2., 3.])");
  assert.is(String(tensor([[1.5, 2]])), "tensor([[1.5000, 2.0000]])");
  assert.is(String(E.arange(3)), "tensor([0, 1, 2])");
  assert.is(String(tensor(0.25)), "tensor(0.2500)");
  assert.is(String(tensor([1], undefined, { requiresGrad: true })), "tensor([1.], requires_grad=True)");
  assert.is(String(tensor([1, 2], undefined, { requiresGrad: true }).sum()), "tensor(3., grad_fn=<SumBackward0>)");
});

t.run();
