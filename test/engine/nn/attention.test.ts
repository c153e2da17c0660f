// MultiheadAttention: shapes, key padding, cross-attention, keys, and a float64 gradcheck through every parameter.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, tensor, randn, nn, gradcheck, manualSeed, ShapeError } from "../../../engine/index.ts";
import { assertClose } from "../../../engine/testing/index.ts";
import { withParameters } from "./with_parameters.ts";

const t = suite("nn.MultiheadAttention");

t("state-dict keys and shapes", () => {
  const mha = new nn.MultiheadAttention(8, 2);
  const sd = mha.stateDict();
  assert.equal(Object.keys(sd), ["query.weight", "query.bias", "key.weight", "key.bias", "value.weight", "value.bias", "out.weight", "out.bias"]);
  assert.equal(sd["query.weight"].shape, [8, 8]);
  assert.is(nn.parameterCount(mha), 4 * (64 + 8));
  assert.is(nn.parameterCount(new nn.MultiheadAttention(8, 2, { bias: false })), 4 * 64);
  assert.throws(() => new nn.MultiheadAttention(6, 4), /\[MultiheadAttention\] embedDim 6 must be divisible by numHeads 4/);
});

t("forward shape and input checks", () => {
  manualSeed(1);
  const mha = new nn.MultiheadAttention(8, 4);
  assert.equal(mha.forward(randn([2, 5, 8])).shape, [2, 5, 8]);
  assert.equal(mha.forward(randn([2, 5, 8]), { context: randn([2, 3, 8]) }).shape, [2, 5, 8]);
  assert.throws(() => mha.forward(randn([5, 8])), (e: unknown) => e instanceof ShapeError && /^\[MultiheadAttention\]/.test(e.message));
  assert.throws(() => mha.forward(randn([2, 5, 8]), { keyPaddingMask: tensor([[1, 1, 1]]) }), /keyPaddingMask must be \[B, S\] = \[2, 5\]/);
});

t("padded keys are irrelevant: same as running the unpadded sequence", () => {
  manualSeed(2);
  const mha = new nn.MultiheadAttention(8, 2).eval();
  const x = randn([2, 5, 8], { requiresGrad: true });
  const mask = tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]);
  const out = mha.forward(x, { keyPaddingMask: mask });
  const short = mha.forward(x.slice(0, 1, 2).slice(1, 0, 3));
  assertClose(out.slice(0, 1, 2).slice(1, 0, 3), short, 1e-5, 1e-6, "unpadded rows");
  // The kept rows' outputs send no gradient to the padded tokens.
  out.slice(0, 1, 2).slice(1, 0, 3).sum().backward();
  const g = x.grad!.slice(0, 1, 2).slice(1, 3, 5);
  assert.ok(Array.from(g.storage).every((v) => v === 0));
  // Changing a padded token leaves kept rows unchanged.
  const x2 = x.detach().clone();
  x2.storage.fill(9, (1 * 5 + 3) * 8, 2 * 5 * 8);
  assertClose(mha.forward(x2, { keyPaddingMask: mask }).slice(0, 1, 2).slice(1, 0, 3), short, 1e-5, 1e-6, "after editing padding");
});

t("attnBias of -inf-like values masks like keyPaddingMask; bias broadcasts over batch and heads", () => {
  manualSeed(3);
  const mha = new nn.MultiheadAttention(4, 2);
  const x = randn([2, 3, 4]);
  const keep = tensor([[1, 1, 0], [1, 1, 0]]);
  const bias = tensor([0, 0, -1e9]).reshape(1, 1, 1, 3);
  assertClose(mha.forward(x, { attnBias: bias }), mha.forward(x, { keyPaddingMask: keep }), 1e-5, 1e-6);
  const perHead = randn([1, 2, 3, 3]);
  assert.equal(mha.forward(x, { attnBias: perHead }).shape, [2, 3, 4]);
});

t("dropout on attention probabilities only in training", () => {
  manualSeed(4);
  const mha = new nn.MultiheadAttention(4, 2, { dropout: 0.5 });
  const x = randn([1, 6, 4]);
  mha.eval();
  assertClose(mha.forward(x), mha.forward(x), 0, 0);
  mha.train();
  const a = mha.forward(x).storage;
  const b = mha.forward(x).storage;
  assert.ok(a.some((v, i) => v !== b[i]));
});

t("gradcheck (float64) through x, attnBias and every parameter, with a padding mask", () => {
  manualSeed(5);
  const mha = new nn.MultiheadAttention(4, 2).to("float64");
  for (const p of mha.parameters()) p.storage.set(randn(p.shape).storage); // non-zero biases
  const mask = tensor([[1, 1, 1], [1, 0, 1]]);
  const x = randn([2, 3, 4], { dtype: "float64" });
  const bias = randn([1, 2, 3, 3], { dtype: "float64" });
  const names = [...mha.namedParameters()].map(([k]) => k);
  const fn = withParameters(mha, names, (xs: Tensor[]) => mha.forward(xs[0], { attnBias: xs[1], keyPaddingMask: mask }));
  gradcheck(fn, [x, bias, ...mha.parameters()], { atol: 1e-6, rtol: 1e-4 });
});

t.run();
