// addResidual: the residual add written into the block's fresh output where autograd allows it. Same values
// and gradients as add; finite-difference gradients over broadcast shapes; refused where the block's maker
// keeps its output for backward (exp) or the block is a leaf; the engine's encoder layer through it.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { gradcheck, nn, randn, tensor } from "../../../engine/index.ts";
import { addResidual } from "../../../engine/ops/elementwise.ts";
import { broadcastPairArb, checkGradProperty, tensorArb } from "../../helpers.ts";

const t = suite("addResidual");

// The block is made inside fn (b·2, a fresh mul output) so each evaluation has its own to overwrite.
t("gradcheck addResidual(x, b·2) with broadcasting of x", () => checkGradProperty(
  broadcastPairArb().filter(([a, b]) => a.length <= b.length && a.every((d, i) => d === 1 || d === b[b.length - a.length + i]))
    .chain(([xs, bs]) => fc.tuple(tensorArb(xs), tensorArb(bs))),
  (x, b) => ({ fn: (x2, b2) => addResidual(x2, b2.mul(2)), inputs: [x, b] }),
));

t("writes into a fresh block and matches add, values and gradients", () => {
  const run = (inPlace: boolean): { out: Float32Array; grads: Float32Array[]; shared: boolean } => {
    const x = tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i))).reshape([2, 3, 4]).detach().requiresGrad_();
    const w = tensor(Float32Array.from({ length: 16 }, (_, i) => Math.cos(i))).reshape([4, 4]).detach().requiresGrad_();
    const block = x.matmul(w);
    const out = inPlace ? addResidual(x, block) : x.add(block);
    out.exp().sum().backward();
    return { out: Float32Array.from(out.storage as Float32Array), grads: [x.grad!, w.grad!].map((g) => Float32Array.from(g.storage as Float32Array)), shared: out.buf === block.buf };
  };
  const [a, b] = [run(true), run(false)];
  assert.ok(a.shared, "the result lives in the block's storage");
  assert.equal(Array.from(a.out), Array.from(b.out));
  a.grads.forEach((g, i) => assert.equal(Array.from(g), Array.from(b.grads[i])));
});

t("refuses a block whose maker saves its output, and a leaf", () => {
  const x = randn([3, 4]).requiresGrad_();
  const saved = x.exp(); // exp's backward reads its output
  const y = addResidual(x, saved);
  assert.not.ok(y.buf === saved.buf);
  y.sum().backward();
  const want = (x.storage as Float32Array).map((v) => Math.fround(1 + Math.exp(v)));
  (x.grad!.storage as Float32Array).forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-5));
  const leaf = randn([3, 4]).requiresGrad_();
  assert.not.ok(addResidual(x, leaf).buf === leaf.buf);
});

t("TransformerEncoderLayer (pre- and post-LN) through its in-place residuals passes gradcheck", () => {
  for (const normFirst of [true, false]) {
    const layer = new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0, normFirst });
    layer.to("float64");
    const x = randn([2, 3, 8], { dtype: "float64" }).requiresGrad_();
    gradcheck((x2) => layer.forward(x2).pow(2).sum(), [x]);
  }
});

t.run();
