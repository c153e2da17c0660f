// wasm row max, min, argmax and argmin against the cpu reference, to the last bit: odd row lengths (vector tails
// of 1–3), NaNs (the first one wins), ±Infinity, ties and -0/+0 (the first one is kept), on 1 and 2 threads with
// the size thresholds lowered so that every call takes the wasm path and splits, with the input both resident in
// wasm memory and on the JS heap.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { ReduceOp } from "../../../engine/backends/backend.ts";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { setWasmThreads, wasmKernels, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { reduceTuning } from "../../../engine/backends/wasm/reduce.ts";
import { allocResident, freeResident } from "../../../engine/backends/wasm/tensor_memory.ts";
import { skipWhen } from "../../skip.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("wasm row max, min, argmax and argmin");
const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");
const OPS = ["max", "min", "argmax", "argmin"] as const;

/** Runs fn with `threads` threads and every call on the wasm path, split once per `split` elements. */
function withSplit<T>(threads: number, split: number, fn: () => T): T {
  const saved = { ...reduceTuning };
  setWasmThreads(threads);
  Object.assign(reduceTuning, { minElements: 1, splitElements: split });
  try { return fn(); } finally { Object.assign(reduceTuning, saved); }
}

/** Runs the op on wasm and on the reference; x is placed in wasm memory when `resident` (and memory is shared). */
type Pair = [got: ArrayLike<number>, want: ArrayLike<number>];
function both(op: ReduceOp, data: Float32Array, rowLength: number, resident: boolean): Pair {
  const rows = data.length / rowLength;
  const make = (): Float32Array | Int32Array => (op.startsWith("arg") ? new Int32Array(rows) : new Float32Array(rows));
  const want = make();
  const got = make();
  cpuKernels.reduceRows(op, data, rowLength, want);
  const view = resident ? allocResident(wasmRuntime(), data.length, false) : null;
  const x = view ?? Float32Array.from(data);
  x.set(data);
  try { wasmKernels.reduceRows!(op, x, rowLength, got); } finally { if (view) freeResident(view); }
  return [got, want];
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/** Few distinct values, so ties, zeros of both signs, infinities and NaNs are common. */
const element = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5),
  fc.float({ noNaN: true }).map((v) => Math.fround(v)),
);
const caseArb = fc.record({
  rowLength: fc.constantFrom(1, 3, 4, 5, 7, 8, 17, 33, 257),
  rows: fc.integer({ min: 1, max: 9 }),
  threads: fc.constantFrom(1, 2), split: fc.constantFrom(1, 1 << 15), resident: fc.boolean(),
}).chain((c) => fc.array(element, { minLength: c.rows * c.rowLength, maxLength: c.rows * c.rowLength })
  .map((xs) => ({ ...c, data: Float32Array.from(xs) })));

simd("max, min, argmax, argmin equal the reference on rows with NaN, ±Infinity, ties and ±0", () => {
  fc.assert(fc.property(caseArb, ({ data, rowLength, threads, split, resident }) => withSplit(threads, split, () =>
    OPS.every((op) => {
      const [got, want] = both(op, data, rowLength, resident);
      return same(got, want);
    }))), { numRuns: RUNS });
});

simd("the first NaN wins, ties and -0/+0 keep the first, in the vector part and the tail", () => withSplit(2, 1, () => {
  const rows: [number[], Record<(typeof OPS)[number], number>][] = [
    [[-0, 0, 0, -0, -0], { max: -0, min: -0, argmax: 0, argmin: 0 }],
    [[0, -0, -1, 0, -0], { max: 0, min: -1, argmax: 0, argmin: 2 }],
    [[1, 3, NaN, 3, 5, NaN, 9], { max: NaN, min: NaN, argmax: 2, argmin: 2 }],
    [[1, 3, 2, 3, 5, 2, 5, 1, NaN], { max: NaN, min: NaN, argmax: 8, argmin: 8 }],
    [[-Infinity, -Infinity, -Infinity, -Infinity, -Infinity], { max: -Infinity, min: -Infinity, argmax: 0, argmin: 0 }],
    [[4, 7, -2, 7, 7, -2, Infinity, 1, Infinity], { max: Infinity, min: -2, argmax: 6, argmin: 2 }],
  ];
  for (const [row, expect] of rows) {
    for (const resident of [false, true]) {
      for (const op of OPS) {
        const [got, want] = both(op, Float32Array.from(row), row.length, resident);
        const show = (v: number): string => (Object.is(v, -0) ? "-0" : String(v));
        assert.ok(same(got, [expect[op]]), `${op} of [${row.map(show)}]: got ${show(got[0])}, expected ${show(expect[op])}`);
        assert.ok(same(got, want), `${op} of [${row}] differs from the reference`);
      }
    }
  }
}));

simd("a non-float32 input or an out of the wrong dtype stays on the reference", () => withSplit(1, 1, () => {
  const x = Float32Array.from([3, 1, 2, 5, 4, 0, 9, 8]);
  const out = new Float32Array(2);
  wasmKernels.reduceRows!("argmax", x, 4, out);
  assert.equal(Array.from(out), [3, 2]);
}));

t.after(() => setWasmThreads(1));
t.run();
