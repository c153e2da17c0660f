// Fused kernels and the fast movement/reduction paths against their references: wasm-backend kernels
// against the cpu kernels (odd sizes; 1 and 2 threads, though these JS kernels run on one), and every
// fused op against its composed form (setFusedOps(false)): float64 gradchecks of the fused path, float32
// forward and gradients fused vs composed, and double backward (which takes the composed formulas).
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { setWasmThreads, wasmKernels } from "../../../engine/backends/wasm/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { skipWhen } from "../../skip.ts";
import { F, Tensor, logSoftmax, randn, softmax, sum, tensor } from "../../../engine/index.ts";
import { stridesOf } from "../../../engine/shape.ts";
import { RUNS, checkGradProperty, shapeArb, tensorArb } from "../../helpers.ts";
import { bothWays, maxDiff, values } from "./fused_helpers.ts";

const t = suite("fused kernels");
const fast = { ...cpuKernels, ...wasmKernels };
const threadArb = fc.constantFrom(1, 2);


/** Output and input gradients of fn(...inputs) for a fixed random upstream gradient. */
function valueAndGrads(fn: (...xs: Tensor[]) => Tensor, inputs: Tensor[], seed: number): Float32Array[] | Float64Array[] {
  const leaves = inputs.map((x) => tensor(x.storage.slice(), x.shape).requiresGrad_());
  const y = fn(...leaves);
  const w = tensor(values(y.numel, seed, 1), y.shape).to(y.dtype);
  y.backward(w);
  return [y.storage, ...leaves.map((l) => l.grad!.storage)] as Float32Array[];
}

// ---- kernels: wasm backend vs cpu reference ----

const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");
simd("wasm gelu and geluBackward (float32) match the float64 reference kernels", () => {
  const arb = fc.record({ n: fc.integer({ min: 1, max: 3000 }), seed: fc.integer(), scale: fc.constantFrom(0.3, 3, 12), threads: threadArb });
  fc.assert(fc.property(arb, ({ n, seed, scale, threads }) => {
    setWasmThreads(threads);
    const x = values(n, seed, scale), g = values(n, seed + 1, 1);
    const [want, got, wantB, gotB] = [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
    cpuKernels.gelu(x, want); fast.gelu(x, got);
    cpuKernels.geluBackward(x, g, wantB); fast.geluBackward(x, g, gotB);
    // erf to ~1.5e-7 absolute; Φ on the negative side is computed as erfc/2, so its error stays relative.
    return want.every((v, i) => Math.abs(v - got[i]) <= 3e-7 * (1 + Math.abs(x[i])))
      && wantB.every((v, i) => Math.abs(v - gotB[i]) <= 5e-7 * (1 + Math.abs(g[i]) * (1 + Math.abs(x[i]))));
  }), { numRuns: RUNS });
});

simd("wasm stridedCopy equals the reference exactly (permutes, transposes, broadcasts, slices)", () => {
  const arb = shapeArb(1, 5, 7).chain((shape) => fc.record({
    shape: fc.constant(shape),
    perm: fc.shuffledSubarray(shape.map((_, i) => i), { minLength: shape.length, maxLength: shape.length }),
    zero: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
    step: fc.integer({ min: 1, max: 2 }),
    offset: fc.integer({ min: 0, max: 3 }),
  }));
  fc.assert(fc.property(arb, ({ shape, perm, zero, step, offset }) => {
    const src = values(offset + shape.reduce((a, b) => a * b, 1) * step + 8, 5, 3);
    const base = stridesOf(shape).map((s) => s * step);
    const strides = perm.map((d, i) => (zero[i] ? 0 : base[d]));
    const outShape = perm.map((d) => shape[d]);
    const n = outShape.reduce((a, b) => a * b, 1);
    const want = new Float32Array(n), got = new Float32Array(n);
    cpuKernels.stridedCopy(src, offset, strides, outShape, want);
    fast.stridedCopy(src, offset, strides, outShape, got);
    return want.every((v, i) => Object.is(v, got[i]));
  }), { numRuns: RUNS * 2 });
});

simd("large head split/merge and last-two-dim transposes copy exactly", () => {
  const [B, T, H, D] = [3, 37, 4, 20];
  const src = values(B * T * H * D, 9, 1);
  const st = stridesOf([B, T, H, D]);
  for (const perm of [[0, 2, 1, 3], [0, 2, 3, 1], [0, 1, 3, 2]]) {
    const shape = perm.map((d) => [B, T, H, D][d]);
    const want = new Float32Array(src.length), got = new Float32Array(src.length);
    cpuKernels.stridedCopy(src, 0, perm.map((d) => st[d]), shape, want);
    fast.stridedCopy(src, 0, perm.map((d) => st[d]), shape, got);
    assert.equal(Array.from(got), Array.from(want));
  }
});

t("sumAxis equals moving the axes last and reducing rows, exactly", () => {
  const arb = fc.record({ outer: fc.integer({ min: 1, max: 5 }), size: fc.integer({ min: 0, max: 9 }), inner: fc.integer({ min: 1, max: 11 }), seed: fc.integer(), f64: fc.boolean() });
  fc.assert(fc.property(arb, ({ outer, size, inner, seed, f64 }) => {
    const x32 = values(outer * size * inner, seed, 3);
    const x = f64 ? Float64Array.from(x32, (v) => v / 3) : x32;
    const moved = x.slice();
    cpuKernels.stridedCopy(x, 0, [size * inner, 1, inner], [outer, inner, size], moved);
    const Arr = f64 ? Float64Array : Float32Array;
    const want = new Arr(outer * inner), got = new Arr(outer * inner);
    cpuKernels.reduceRows("sum", moved, size, want);
    fast.sumAxis(x, outer, size, inner, got);
    return want.every((v, i) => Object.is(v, got[i]));
  }), { numRuns: RUNS });
});

t("softmaxBackward and layerNorm kernels: float32 fast table vs float64 reference", () => {
  const arb = fc.record({ rows: fc.integer({ min: 1, max: 40 }), cols: fc.integer({ min: 1, max: 70 }), seed: fc.integer(), log: fc.boolean() });
  fc.assert(fc.property(arb, ({ rows, cols, seed, log }) => {
    const n = rows * cols;
    const x = values(n, seed, 4), g = values(n, seed + 3, 1), w = values(cols, seed + 5, 2), b = values(cols, seed + 7, 1);
    const y = new Float32Array(n), y64 = new Float64Array(n);
    cpuKernels.softmax(x, cols, y, log);
    const got = new Float32Array(n), want = new Float64Array(n);
    fast.softmaxBackward(y, g, cols, got, log);
    cpuKernels.softmaxBackward(Float64Array.from(y), Float64Array.from(g), cols, want, log);
    if (maxDiff(got, want) > 1e-5) return false;
    const [mu, rs, mu64, rs64] = [new Float32Array(rows), new Float32Array(rows), new Float64Array(rows), new Float64Array(rows)];
    fast.layerNorm(x, cols, w, b, 1e-5, y, mu, rs);
    cpuKernels.layerNorm(Float64Array.from(x), cols, Float64Array.from(w), Float64Array.from(b), 1e-5, y64, mu64, rs64);
    return maxDiff(y, y64) < 2e-5 * 8;
  }), { numRuns: RUNS });
});

// ---- ops: fused path vs composed reference ----

const f = suite("fused ops vs composed");

f("layerNorm: float64 gradcheck of the fused path, with and without weight/bias", () => {
  const arb = fc.tuple(shapeArb(0, 2, 3), fc.integer({ min: 1, max: 5 }), fc.boolean(), fc.boolean())
    .chain(([lead, h, withW, withB]) => fc.tuple(tensorArb([...lead, h]), tensorArb([h]), tensorArb([h]), fc.constant(withW), fc.constant(withB)));
  checkGradProperty(arb, (x, w, b, withW, withB) => ({
    fn: (x2, w2, b2) => F.layerNorm(x2, x2.shape[x2.ndim - 1], withW ? w2 : null, withB ? b2 : null),
    inputs: [x, w, b],
    options: { atol: 1e-4 },
  }));
});

f("layerNorm over two trailing dims: fused equals composed in float32 (values and gradients)", () => {
  for (const [shape, norm] of [[[3, 5, 7], [5, 7]], [[2, 33], [33]], [[4, 1, 256], [256]]] as [number[], number[]][]) {
    const x = randn(shape).mul(3).add(1), w = randn(norm), b = randn(norm);
    const run = (): Float32Array[] | Float64Array[] => valueAndGrads((x2, w2, b2) => F.layerNorm(x2, norm, w2, b2), [x, w, b], 11);
    const { fused, composed } = bothWays(run);
    fused.forEach((v, i) => assert.ok(maxDiff(v, composed[i]) < 2e-4 * Math.sqrt(x.numel / norm.reduce((a, c) => a * c, 1) + 1), `output/grad ${i} of ${shape}: ${maxDiff(v, composed[i])}`));
  }
});

f("gelu: float64 gradcheck of the fused path; float32 fused equals composed", () => {
  checkGradProperty(shapeArb(0, 3, 4).chain((s) => tensorArb(s, -4, 4)).map((x) => [x] as [Tensor]), (x) => ({ fn: (x2) => F.gelu(x2), inputs: [x] }));
  const x = randn([5, 301]).mul(3);
  const { fused, composed } = bothWays(() => valueAndGrads((x2) => F.gelu(x2), [x], 3));
  fused.forEach((v, i) => assert.ok(maxDiff(v, composed[i]) < 2e-6, `gelu ${i}: ${maxDiff(v, composed[i])}`));
});

f("softmax and logSoftmax backward: float64 gradcheck of the fused path; float32 fused equals composed", () => {
  for (const op of [softmax, logSoftmax]) {
    const arb = shapeArb(1, 3, 5).chain((s) => fc.tuple(tensorArb(s), fc.integer({ min: 0, max: s.length - 1 })));
    checkGradProperty(arb, (x, dim) => ({ fn: (x2) => op(x2, dim), inputs: [x] }));
    const x = randn([6, 5, 129]).mul(4);
    for (const dim of [-1, 1]) {
      const { fused, composed } = bothWays(() => valueAndGrads((x2) => op(x2, dim), [x], 5));
      fused.forEach((v, i) => assert.ok(maxDiff(v, composed[i]) < 2e-6, `${op.name} dim ${dim} ${i}: ${maxDiff(v, composed[i])}`));
    }
  }
});

f("sum over leading and middle dims (the bias-gradient path): gradcheck and exact values", () => {
  const x = randn([4, 3, 6, 5]);
  for (const dims of [[0], [0, 1], [1, 2], [0, 1, 2], [2]]) {
    const want = x.permute([...[0, 1, 2, 3].filter((d) => !dims.includes(d)), ...dims]).reshape([-1, dims.reduce((a, d) => a * x.shape[d], 1)]).sum(-1);
    assert.equal(Array.from(sum(x, dims).storage), Array.from(want.storage));
  }
  checkGradProperty(shapeArb(2, 4, 3).chain((s) => tensorArb(s)).map((x) => [x] as [Tensor]), (x) => ({ fn: (x2) => sum(x2, [0, 1]), inputs: [x] }));
});

f("double backward through fused ops takes the composed formulas", () => {
  for (const fn of [(x: Tensor) => F.gelu(x), (x: Tensor) => F.layerNorm(x, 4), (x: Tensor) => softmax(x, -1), (x: Tensor) => logSoftmax(x, -1)]) {
    const second = (): number[] => {
      const x = tensor(Float64Array.from([0.3, -1.2, 2, 0.7, -0.4, 1.1, 0.05, -2]), [2, 4]).requiresGrad_();
      const y = fn(x);
      y.mul(y).sum().backward(undefined, { createGraph: true });
      const g = x.grad!;
      x.zeroGrad();
      g.mul(g).sum().backward();
      return Array.from(x.grad!.storage);
    };
    const { fused, composed } = bothWays(second);
    assert.ok(maxDiff(fused, composed) < 1e-9, `${fused} vs ${composed}`);
  }
});

t.run();
f.run();
