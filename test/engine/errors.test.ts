// Error messages: typed, start with "[op]", name the shapes / index / size involved; NaN trapping.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as E from "../../engine/index.ts";
import { tensor } from "../../engine/index.ts";

const t = suite("errors");

/** Asserts fn throws an instance of `type` whose message matches every pattern. */
function throwsWith(fn: () => unknown, type: new (...a: never[]) => Error, ...patterns: RegExp[]): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof type, `expected ${type.name}, got ${(e as Error).name}: ${(e as Error).message}`);
    for (const p of patterns) assert.match((e as Error).message, p);
    return;
  }
  assert.unreachable("did not throw");
}

t("shape mismatches name the op and both shapes", () => {
  throwsWith(() => E.add(E.zeros([2, 3]), E.zeros([4, 3])), E.ShapeError, /^\[add\]/, /\[2, 3\]/, /\[4, 3\]/);
  throwsWith(() => E.mul(E.zeros([2]), E.zeros([3])), E.ShapeError, /^\[mul\]/, /\[2\].*\[3\]/);
  throwsWith(() => E.where(E.zeros([2]), E.zeros([3]), 0), E.ShapeError, /^\[where\]/);
  throwsWith(() => E.matmul(E.zeros([2, 3]), E.zeros([2, 3])), E.ShapeError, /^\[matmul\]/, /\[2, 3\]/, /3 vs 2/);
  throwsWith(() => E.matmul(E.zeros([2, 2, 3]), E.zeros([3, 3, 1])), E.ShapeError, /^\[matmul\]/, /\[2\].*\[3\]/);
  throwsWith(() => E.zeros([2, 3]).reshape(4, 2), E.ShapeError, /^\[reshape\]/, /\[2, 3\]/, /\[4, 2\]/);
  throwsWith(() => E.zeros([6]).reshape(-1, -1), E.ShapeError, /^\[reshape\] only one dimension can be -1/);
  throwsWith(() => E.zeros([2, 3]).expand(2, 4), E.ShapeError, /^\[expand\]/, /\[2, 3\]/, /\[2, 4\]/);
  throwsWith(() => E.cat([E.zeros([2, 3]), E.zeros([2, 4])], 0), E.ShapeError, /^\[cat\]/, /\[2, 4\]/, /\[2, 3\]/);
  throwsWith(() => E.cat([tensor(1), tensor(2)]), E.ShapeError, /^\[cat\] zero-dimensional/);
  throwsWith(() => E.stack([E.zeros([2]), E.zeros([3])]), E.ShapeError, /^\[cat\]/);
  throwsWith(() => E.split(E.zeros([5]), [2, 2]), E.ShapeError, /^\[split\]/, /size 5/);
  throwsWith(() => E.maskedFill(E.zeros([2]), E.zeros([3, 2], "int32"), 1), E.ShapeError, /^\[maskedFill\]/, /\[3, 2\]/, /\[2\]/);
  throwsWith(() => E.permute(E.zeros([2, 3]), [0, 0]), E.ShapeError, /^\[permute\]/, /\[2, 3\]/);
});

t("bad dims name the dim and the rank", () => {
  throwsWith(() => E.sum(E.zeros([2, 3]), 2), E.IndexError, /^\[sum\] dim 2 out of range for a tensor of rank 2/);
  throwsWith(() => E.softmax(E.zeros([2]), -2), E.IndexError, /^\[softmax\] dim -2/);
  throwsWith(() => E.transpose(E.zeros([2]), 0, 1), E.IndexError, /^\[transpose\]/);
  throwsWith(() => E.unsqueeze(E.zeros([2]), 3), E.IndexError, /^\[unsqueeze\]/);
  throwsWith(() => E.zeros([2]).argmax(1), E.IndexError, /^\[argmax\]/);
  throwsWith(() => E.zeros([2, 0]).amax(1), E.IndexError, /^\[amax\].*empty.*\[2, 0\]/);
});

t("out-of-range slicing names the start, the length and the size", () => {
  throwsWith(() => E.narrow(E.zeros([4]), 0, 2, 3), E.IndexError, /^\[narrow\] start 2 and length 3 .*size 4/);
  throwsWith(() => E.slice(E.zeros([4]), 0, 0, 2, 0), E.IndexError, /^\[slice\] step/);
  throwsWith(() => E.indexSelect(E.zeros([4]), 0, tensor(Int32Array.from([4]))), E.IndexError, /index 4 .*size 4/);
});

t("dtype misuse is a DTypeError", () => {
  throwsWith(() => E.matmul(E.zeros([2, 2], "int32"), E.zeros([2, 2], "int32")), E.DTypeError, /^\[matmul\]/, /int32/);
  throwsWith(() => E.gather(E.zeros([2]), 0, E.zeros([2])), E.DTypeError, /^\[gather\]/, /float32/);
});

t("setDebugNaN(true) traps log(-1) naming the op; off again it gives NaN", () => {
  E.setDebugNaN(true);
  try {
    throwsWith(() => E.log(tensor([1, -1])), E.NonFiniteError, /^\[log\] produced NaN at flat index 1/, /\[2\]/);
    throwsWith(() => E.div(tensor([1]), 0), E.NonFiniteError, /^\[div\] produced Infinity/);
    assert.is(E.exp(tensor([1])).numel, 1); // finite outputs pass
  } finally {
    E.setDebugNaN(false);
  }
  assert.ok(Number.isNaN(E.log(tensor([-1])).item()));
});

t("every engine error is an EngineError carrying its op", () => {
  try { E.add(E.zeros([2]), E.zeros([3])); } catch (e) {
    assert.ok(e instanceof E.EngineError);
    assert.is((e as E.EngineError).op, "add");
    assert.is((e as Error).name, "ShapeError");
  }
});

t.run();
