// Tensor API: creation from nested/flat/typed arrays, factories, reading values back.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../engine/index.ts";
import { tensor } from "../../engine/index.ts";

const t = suite("tensor");

t("tensor() from nested arrays, flat + shape, typed arrays and scalars", () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  assert.equal(a.shape, [2, 3]);
  assert.is(a.dtype, "float32");
  assert.equal(Array.from(a.storage), [1, 2, 3, 4, 5, 6]);
  assert.equal(tensor([1, 2, 3, 4], [2, 2]).shape, [2, 2]);
  const s = tensor(7);
  assert.equal(s.shape, []);
  assert.is(s.item(), 7);
  const i = tensor(Int32Array.from([1, 2]));
  assert.is(i.dtype, "int32");
  const src = Float64Array.from([1, 2, 3, 4]);
  const f = tensor(src, [4, 1]);
  assert.is(f.dtype, "float64");
  src[0] = 9; // tensor() copies its input
  assert.is(f.storage[0], 1);
  assert.is(tensor([1.9, -1.9], undefined, { dtype: "int32" }).storage[1], -1);
  assert.is(tensor(Int32Array.from([1]), undefined, { dtype: "float64" }).dtype, "float64");
  assert.equal(tensor([]).shape, [0]);
  assert.equal(tensor([[], []]).shape, [2, 0]);
  assert.equal(tensor([[[1], [2]]]).shape, [1, 2, 1]);
});

t("ragged nested arrays and wrong flat lengths throw", () => {
  assert.throws(() => tensor([[1, 2], [3]]), (e: Error) => e instanceof E.ShapeError && /\[tensor\] ragged/.test(e.message));
  assert.throws(() => tensor([1, [2]] as never), /\[tensor\] ragged/);
  assert.throws(() => tensor([[1], 2] as never), /\[tensor\] ragged/);
  assert.throws(() => tensor([[1, [2]], [3, 4]] as never), /\[tensor\] ragged/);
  assert.throws(() => tensor([1, 2, 3], [2, 2]), /\[tensor\] 3 values do not fill shape \[2, 2\]/);
});

t("zeros / ones / full / arange / eye and the *Like factories", () => {
  assert.equal(Array.from(E.zeros([2, 2]).storage), [0, 0, 0, 0]);
  assert.equal(E.ones([3], "float64").dtype, "float64");
  assert.equal(Array.from(E.full([2], 2.5).storage), [2.5, 2.5]);
  assert.ok(E.zeros([1], "float32", { requiresGrad: true }).requiresGrad);
  assert.equal(Array.from(E.arange(4).storage), [0, 1, 2, 3]);
  assert.is(E.arange(4).dtype, "int32");
  assert.equal(Array.from(E.arange(1, 2, 0.25).storage), [1, 1.25, 1.5, 1.75]);
  assert.is(E.arange(1, 2, 0.25).dtype, "float32");
  assert.equal(Array.from(E.arange(5, 0, -2).storage), [5, 3, 1]);
  assert.equal(E.arange(3, 3).shape, [0]);
  assert.equal(E.eye(2, 3).tolist(), [[1, 0, 0], [0, 1, 0]]);
  const x = tensor([1, 2], undefined, { dtype: "float64" });
  assert.is(E.zerosLike(x).dtype, "float64");
  assert.equal(Array.from(E.fullLike(x, 3).storage), [3, 3]);
  assert.throws(() => E.arange(0, 3, 0), /\[arange\]/);
  assert.throws(() => E.zeros([2, -1]), /\[full\].*\[2, -1\]/);
});

t("item, dataSync, data(), tolist", async () => {
  const x = tensor([[1.5, 2], [3, 4]], undefined, { dtype: "float64" });
  const sync = x.dataSync();
  assert.ok(sync instanceof Float32Array);
  assert.equal(Array.from(sync), [1.5, 2, 3, 4]);
  const async = await x.data();
  assert.ok(async instanceof Float32Array);
  assert.equal(Array.from(async), [1.5, 2, 3, 4]);
  assert.equal(x.tolist(), [[1.5, 2], [3, 4]]);
  assert.is(tensor(0.1, undefined, { dtype: "float64" }).tolist(), 0.1);
  assert.is(x.sum().item(), 10.5);
  assert.throws(() => x.item(), (e: Error) => e instanceof E.ShapeError && /\[item\].*\[2, 2\]/.test(e.message));
});

t("shape accessors and dtype conversions", () => {
  const x = E.zeros([2, 3, 4]);
  assert.is(x.ndim, 3);
  assert.is(x.numel, 24);
  assert.is(x.size(-1), 4);
  assert.equal(x.size(), [2, 3, 4]);
  assert.is(x.double().dtype, "float64");
  assert.is(x.int().dtype, "int32");
  assert.is(x.float(), x);
  assert.ok(x.isLeaf);
  assert.not.ok(x.int().isFloatingPoint());
});

t.run();
