import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor } from "../../engine/index.ts";

const t = suite("smoke");
t("add and backward", () => {
  const a = tensor([1, 2, 3], [3], { requiresGrad: true });
  a.mul(a).sum().backward();
  assert.equal(Array.from(a.grad!.storage), [2, 4, 6]);
});
t.run();
