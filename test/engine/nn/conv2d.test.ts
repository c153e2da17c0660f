// nn.Conv2d: the patch-embedding layer — shapes, keys, PyTorch-default init range, values and gradients.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { F, gradcheck, manualSeed, nn, randn } from "../../../engine/index.ts";
import { withParameters } from "./with_parameters.ts";

const t = suite("nn.Conv2d");

t("weight/bias shapes, keys and the U(±1/√(C·k²)) init", () => {
  manualSeed(1);
  const conv = new nn.Conv2d(3, 8, 4);
  assert.equal(Object.keys(conv.stateDict()), ["weight", "bias"]);
  assert.equal(conv.weight.shape, [8, 3, 4, 4]);
  const bound = 1 / Math.sqrt(3 * 16);
  assert.ok(Array.from(conv.weight.storage).every((v) => Math.abs(v) <= bound));
  assert.is(new nn.Conv2d(3, 8, 4, { bias: false }).bias, null);
});

t("forward is F.conv2d with stride = kernel", () => {
  manualSeed(2);
  const conv = new nn.Conv2d(2, 5, 3);
  const x = randn([2, 2, 6, 9]);
  const y = conv.forward(x);
  assert.equal(y.shape, [2, 5, 2, 3]);
  assert.equal(Array.from(y.storage), Array.from(F.conv2d(x, conv.weight, conv.bias, { stride: 3 }).storage));
});

t("gradients for input, weight and bias", () => {
  manualSeed(3);
  const conv = new nn.Conv2d(2, 3, 2).to("float64");
  const fn = withParameters(conv, ["weight", "bias"], ([x]) => conv.forward(x).tanh());
  gradcheck(fn, [randn([1, 2, 4, 4], { dtype: "float64" }), conv.weight, conv.bias!]);
});

t.run();
