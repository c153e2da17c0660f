// wasm strided copy and accumulate, column sums, index and element gather / scatter-add against the cpu reference
// kernels, to the last bit: odd shapes (vector tails of 1–3), broadcasts and slices, repeated indices, on 1 and
// 2 threads with the size thresholds lowered so that every call takes the wasm path and splits, with operands
// both resident in wasm memory and on the JS heap.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { setWasmThreads, wasmKernels, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { movementTuning } from "../../../engine/backends/wasm/movement.ts";
import { reduceTuning } from "../../../engine/backends/wasm/reduce.ts";
import { indexTuning } from "../../../engine/backends/wasm/indexing.ts";
import { allocResident, freeResident } from "../../../engine/backends/wasm/tensor_memory.ts";
import { skipWhen } from "../../skip.ts";
import { RUNS } from "../../helpers.ts";
import { values } from "./fused_helpers.ts";

const t = suite("wasm movement, column sums and index kernels");
const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");
const tunings = [movementTuning, reduceTuning, indexTuning];

const runArb = fc.record({ threads: fc.constantFrom(1, 2), split: fc.constantFrom(1, 1 << 15), resident: fc.boolean(), seed: fc.integer() });

/** Runs fn with `threads` threads and every call on the wasm path, split once per `split` elements. */
function withSplit<T>(threads: number, split: number, fn: () => T): T {
  const saved = tunings.map((k) => ({ ...k }));
  setWasmThreads(threads);
  for (const k of tunings) { k.minElements = 1; k.splitElements = split; }
  try { return fn(); } finally { tunings.forEach((k, i) => Object.assign(k, saved[i])); }
}

/** A copy of `x` in wasm memory (resident) or on the JS heap; `done` frees what was allocated. */
function place(x: Float32Array, resident: boolean, held: Float32Array[]): Float32Array {
  const view = resident ? allocResident(wasmRuntime(), x.length, false) : null;
  if (!view) return Float32Array.from(x);
  view.set(x);
  held.push(view);
  return view;
}

/** Runs fn with a list that collects resident arrays, freed afterwards. */
function holding<T>(fn: (held: Float32Array[]) => T): T {
  const held: Float32Array[] = [];
  try { return fn(held); } finally { held.forEach((v) => freeResident(v)); }
}

const sameBits = (a: Float32Array, b: Float32Array): boolean => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

/** A view of a random contiguous tensor: a permutation of its dims, a slice, and broadcast (stride 0) dims. */
const viewArb = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 6 }),
  perm: fc.integer({ min: 0, max: 719 }), sliceAt: fc.nat(), broadcast: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
});

function makeView(v: { shape: number[]; perm: number; sliceAt: number; broadcast: boolean[] }): { size: number; offset: number; strides: number[]; shape: number[] } {
  const nd = v.shape.length;
  const base = [...v.shape];
  const contiguous = base.map((_, i) => base.slice(i + 1).reduce((a, b) => a * b, 1));
  // Slice one dim down to half its length from an offset.
  const d = v.sliceAt % nd;
  const len = Math.max(1, Math.floor(base[d] / 2));
  const offset = (base[d] - len) * contiguous[d];
  const shape = base.map((s, i) => (i === d ? len : s));
  const strides = contiguous.map((s, i) => (v.broadcast[i] && shape[i] > 1 && i !== d ? 0 : s));
  // A permutation from its index (Lehmer code).
  const order = Array.from({ length: nd }, (_, i) => i);
  const perm: number[] = [];
  let k = v.perm;
  for (let n = nd; n > 0; n--) { perm.push(order.splice(k % n, 1)[0]); k = Math.floor(k / n); }
  return { size: base.reduce((a, b) => a * b, 1), offset, strides: perm.map((i) => strides[i]), shape: perm.map((i) => shape[i]) };
}

simd("stridedCopy matches the reference on permuted, sliced and broadcast views", () => {
  fc.assert(fc.property(viewArb, runArb, (v, { threads, split, resident, seed }) => withSplit(threads, split, () => holding((held) => {
    const view = makeView(v);
    const n = view.shape.reduce((a, b) => a * b, 1);
    const src = place(values(view.size, seed, 4), resident, held);
    const want = new Float32Array(n);
    cpuKernels.stridedCopy(src, view.offset, view.strides, view.shape, want);
    const got = place(new Float32Array(n), resident, held);
    wasmKernels.stridedCopy!(src, view.offset, view.strides, view.shape, got);
    return sameBits(got, want);
  }))), { numRuns: RUNS * 2 });
});

simd("stridedAccumulate matches the reference on permuted and sliced views (no broadcast: dst never aliases)", () => {
  fc.assert(fc.property(viewArb, runArb, (v, { threads, split, resident, seed }) => withSplit(threads, split, () => holding((held) => {
    const view = makeView({ ...v, broadcast: v.broadcast.map(() => false) });
    const n = view.shape.reduce((a, b) => a * b, 1);
    const src = place(values(n, seed, 4), resident, held);
    const want = values(view.size, seed + 1, 2);
    const got = place(want, resident, held);
    cpuKernels.stridedAccumulate(src, want, view.offset, view.strides, view.shape);
    wasmKernels.stridedAccumulate!(src, got, view.offset, view.strides, view.shape);
    return sameBits(got, want);
  }))), { numRuns: RUNS * 2 });
});

simd("stridedCopy matches the reference on (batched) transposes across several 16×16 tiles", () => {
  const arb = fc.record({ batch: fc.integer({ min: 1, max: 3 }), rows: fc.integer({ min: 1, max: 70 }), cols: fc.integer({ min: 2, max: 70 }) });
  fc.assert(fc.property(arb, runArb, ({ batch, rows, cols }, { threads, split, resident, seed }) => withSplit(threads, split, () => holding((held) => {
    const n = batch * rows * cols;
    const src = place(values(n + 5, seed, 4), resident, held);
    // out[b, i, j] = src[5 + b·rows·cols + j·rows + i]: each batch's [cols, rows] block read transposed.
    const [strides, shape] = [[rows * cols, 1, rows], [batch, rows, cols]];
    const want = new Float32Array(n);
    cpuKernels.stridedCopy(src, 5, strides, shape, want);
    const got = place(new Float32Array(n), resident, held);
    wasmKernels.stridedCopy!(src, 5, strides, shape, got);
    return sameBits(got, want);
  }))), { numRuns: RUNS });
});

const dimsArb = fc.record({ outer: fc.integer({ min: 1, max: 7 }), size: fc.integer({ min: 1, max: 40 }), inner: fc.integer({ min: 1, max: 70 }) });

simd("sumAxis and reduceRows' sum match the float64-accumulating reference to the last bit", () => {
  fc.assert(fc.property(dimsArb, runArb, ({ outer, size, inner }, { threads, split, resident, seed }) => withSplit(threads, split, () => holding((held) => {
    const x = place(values(outer * size * inner, seed, 8).map((v, i) => v * (i % 5 === 0 ? 1e4 : 1)), resident, held);
    const [want, got] = [new Float32Array(outer * inner), place(new Float32Array(outer * inner), resident, held)];
    cpuKernels.sumAxis(x, outer, size, inner, want);
    wasmKernels.sumAxis!(x, outer, size, inner, got);
    const [wantR, gotR] = [new Float32Array(outer * size), place(new Float32Array(outer * size), resident, held)];
    cpuKernels.reduceRows("sum", x, inner, wantR);
    wasmKernels.reduceRows!("sum", x, inner, gotR);
    return sameBits(got, want) && sameBits(gotR, wantR);
  }))), { numRuns: RUNS });
});

simd("indexSelect and indexAdd match the reference with repeated indices", () => {
  fc.assert(fc.property(dimsArb, fc.integer({ min: 1, max: 30 }), runArb, ({ outer, size, inner }, n, { threads, split, resident, seed }) => withSplit(threads, split, () => holding((held) => {
    const index = Int32Array.from({ length: n }, (_, j) => ((seed >>> 0) + j * 7 + (j % 3 === 0 ? 0 : j)) % size);
    const x = place(values(outer * size * inner, seed, 4), resident, held);
    const [want, got] = [new Float32Array(outer * n * inner), place(new Float32Array(outer * n * inner), resident, held)];
    cpuKernels.indexSelect(x, index, outer, size, inner, want);
    wasmKernels.indexSelect!(x, index, outer, size, inner, got);
    const g = place(values(outer * n * inner, seed + 1, 2), resident, held);
    const wantA = values(outer * size * inner, seed + 2, 1);
    const gotA = place(wantA, resident, held);
    cpuKernels.indexAdd(g, index, outer, size, inner, wantA);
    wasmKernels.indexAdd!(g, index, outer, size, inner, gotA);
    return sameBits(got, want) && sameBits(gotA, wantA);
  }))), { numRuns: RUNS });
});

simd("gather and scatterAdd match the reference with repeated indices", () => {
  fc.assert(fc.property(dimsArb, fc.integer({ min: 1, max: 12 }), runArb, ({ outer, size, inner }, idxSize, { threads, split, resident, seed }) => withSplit(threads, split, () => holding((held) => {
    const m = outer * idxSize * inner;
    const index = Int32Array.from({ length: m }, (_, k) => ((seed >>> 0) + k * 13 + (k % 4 === 0 ? 0 : k)) % size);
    const x = place(values(outer * size * inner, seed, 4), resident, held);
    const [want, got] = [new Float32Array(m), place(new Float32Array(m), resident, held)];
    cpuKernels.gather(x, index, outer, size, idxSize, inner, want);
    wasmKernels.gather!(x, index, outer, size, idxSize, inner, got);
    const src = place(values(m, seed + 1, 2), resident, held);
    const wantA = values(outer * size * inner, seed + 2, 1);
    const gotA = place(wantA, resident, held);
    cpuKernels.scatterAdd(src, index, outer, size, idxSize, inner, wantA);
    wasmKernels.scatterAdd!(src, index, outer, size, idxSize, inner, gotA);
    return sameBits(got, want) && sameBits(gotA, wantA);
  }))), { numRuns: RUNS });
});

simd("resident operands copy nothing in or out", () => {
  withSplit(2, 1, () => holding((held) => {
    const x = place(values(6 * 40, 3, 1), true, held);
    const out = place(new Float32Array(40 * 6), true, held);
    const c = wasmRuntime().copies;
    const before = { ...c };
    wasmKernels.stridedCopy!(x, 0, [1, 40], [40, 6], out);
    wasmKernels.sumAxis!(x, 1, 6, 40, out.subarray(0, 40));
    wasmKernels.stridedAccumulate!(x, out, 0, [1], [240]);
    assert.equal({ inBytes: c.inBytes - before.inBytes, outBytes: c.outBytes - before.outBytes }, { inBytes: 0, outBytes: 0 });
  }));
});

t.run();
