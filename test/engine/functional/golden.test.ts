// F against PyTorch: outputs and input gradients in float32, from test/fixtures/functional_golden.json
// (written by test/golden/gen_functional.py; the reference is float64 maths on the same float32 inputs).
import { readFileSync } from "node:fs";
import { suite } from "uvu";
import { F, Tensor, matmul, tensor } from "../../../engine/index.ts";
import { mismatch } from "../../../engine/testing/index.ts";

interface Encoded { shape: number[]; dtype: "float32" | "int32"; data: number[] }
interface Case {
  name: string;
  fn: string;
  args: Record<string, number | string | boolean | number[]>;
  inputs: Record<string, Encoded>;
  w: Encoded;
  out: Encoded;
  grads: Record<string, Encoded>;
}

const fixture = JSON.parse(readFileSync(new URL("../../fixtures/functional_golden.json", import.meta.url), "utf8")) as { cases: Case[] };

/**
 * float32 accuracy: 1e-5 relative plus a 1e-6 absolute floor. The floor is for values that are small only
 * through cancellation (gelu-tanh's gradient at x ≈ -4 is 2e-4 made from terms near 1), where float32
 * cannot do better: PyTorch's own float32 gelu-tanh gradient is 4.7e-7 off the float64 answer there.
 */
const RTOL = 1e-5;
const ATOL = 1e-6;

const decode = (e: Encoded): Tensor =>
  tensor(e.dtype === "int32" ? Int32Array.from(e.data) : Float32Array.from(e.data), e.shape);

const num = (v: Case["args"][string] | undefined): number | undefined => (typeof v === "number" ? v : undefined);

/** Each fixture "fn" with its engine call; the inputs arrive by the names the generator gave them. */
const calls: Record<string, (x: Record<string, Tensor>, args: Case["args"]) => Tensor> = {
  softmax: (x, a) => F.softmax(x.x, num(a.dim)!),
  logSoftmax: (x, a) => F.logSoftmax(x.x, num(a.dim)!),
  layerNorm: (x, a) => F.layerNorm(x.x, a.normalizedShape as number[], x.weight, x.bias, num(a.eps)),
  gelu: (x, a) => F.gelu(x.x, a.approximate === "tanh" ? "tanh" : "none"),
  linear: (x) => F.linear(x.x, x.weight, x.bias),
  matmul: (x) => matmul(x.a, x.b),
  crossEntropy: (x, a) => F.crossEntropy(x.x, x.target, {
    labelSmoothing: num(a.labelSmoothing),
    reduction: a.reduction === "sum" || a.reduction === "none" ? a.reduction : "mean",
    weight: a.useWeight === true ? x.weight.detach() : null,
  }),
  normalize: (x, a) => F.normalize(x.x, num(a.dim)),
  cosineSimilarity: (x, a) => F.cosineSimilarity(x.a, x.b, num(a.dim)),
  avgPool2d: (x, a) => F.avgPool2d(x.x, num(a.kernelSize)!, num(a.stride)),
  conv2d: (x, a) => F.conv2d(x.x, x.weight, x.bias, { stride: num(a.stride) }),
  scaledDotProductAttention: (x) => F.scaledDotProductAttention(x.q, x.k, x.v, { bias: x.bias, keyMask: x.keyMask }),
  embedding: (x, a) => F.embedding(x.indices, x.weight, num(a.paddingIdx)),
};

/** Worst |engine - torch| / (ATOL + RTOL·|torch|) per case, printed so the accuracy margin is visible. */
const margins: string[] = [];

const t = suite("functional golden (float32 vs PyTorch)");
for (const c of fixture.cases) {
  t(c.name, () => {
    const call = calls[c.fn];
    if (call === undefined) throw new Error(`no engine call for fixture fn "${c.fn}"`);
    const inputs: Record<string, Tensor> = {};
    for (const [name, e] of Object.entries(c.inputs)) {
      const x = decode(e);
      inputs[name] = name in c.grads ? x.requiresGrad_() : x;
    }
    const out = call(inputs, c.args);
    const expected = decode(c.out);
    if (out.shape.join() !== expected.shape.join()) throw new Error(`${c.name}: output shape [${out.shape}] vs torch [${expected.shape}]`);
    let worst = 0;
    const check = (got: Tensor, want: Tensor, what: string): void => {
      const m = mismatch(got, want, RTOL, ATOL);
      if (m !== null) throw new Error(`${c.name} ${what}: ${m}`);
      for (let i = 0; i < got.numel; i++) worst = Math.max(worst, Math.abs(got.storage[i] - want.storage[i]) / (ATOL + RTOL * Math.abs(want.storage[i])));
    };
    check(out, expected, "output");
    out.backward(decode(c.w));
    for (const [name, g] of Object.entries(c.grads)) {
      const grad = inputs[name].grad;
      if (grad === null) throw new Error(`${c.name}: no gradient for input ${name}`);
      check(grad, decode(g), `grad of ${name}`);
    }
    margins.push(`${c.name}: ${worst.toFixed(3)}`);
  });
}
t.after(() => { if (process.env.GOLDEN_VERBOSE) console.log(`worst error / tolerance:\n  ${margins.join("\n  ")}`); });
t.run();
