// Parity of the gpu.js kernel library (engine/backends/gpu/kernels.ts) with the cpu reference kernels, on
// WebGPU through Dawn (software: Mesa llvmpipe in CI), over random shapes with odd sizes and sizes past one
// workgroup (64 threads). Also: the synchronous driver over gpu.js's cpu mode, fresh handles per call, and the
// size limit. If no WebGPU adapter comes up every test fails with installDawn's message (what to install);
// AETNET_GPU_TESTS=skip reports them as skipped instead.
import fc from "fast-check";
import type { GPU } from "gpu.js";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { BinaryOp, UnaryOp } from "../../../../engine/backends/backend.ts";
import { cpuKernels } from "../../../../engine/backends/cpu/index.ts";
import { installDawn, type DawnInstallation } from "../../../../engine/backends/gpu/dawn.ts";
import { runAsync, runSync } from "../../../../engine/backends/gpu/generators.ts";
import { GpuKernels, MAX_ELEMENTS, type GpuHandle, type GpuScoreView } from "../../../../engine/backends/gpu/kernels.ts";
import { values } from "../fused_helpers.ts";
import { skipWhen } from "../../../skip.ts";

const t = suite("gpu kernel library vs cpu reference kernels");
const skip = process.env.AETNET_GPU_TESTS === "skip";
const test = skipWhen(t, skip ? "AETNET_GPU_TESTS=skip: nothing here checks the gpu kernels" : null);
const RUNS = { numRuns: 6, endOnFailure: true };

let dawn: DawnInstallation | null = null;
let gpu: GPU | null = null;
let K!: GpuKernels;
let setupError: unknown = null;
let started = 0;

t.before(async () => {
  if (skip) return;
  started = performance.now();
  try {
    dawn = await installDawn();
    const { GPU: Gpu } = await import("gpu.js");
    gpu = new Gpu({ mode: "webgpu" });
    K = new GpuKernels(gpu);
  } catch (e) {
    setupError = e; // uvu swallows a throwing before hook (the suite would pass with nothing run): rethrown per test
  }
});

t.after(async () => {
  if (gpu) await gpu.destroy();
  if (dawn) await dawn.uninstall();
  if (!skip && !setupError) console.log(`\n  gpu kernel tests: ${((performance.now() - started) / 1000).toFixed(1)} s on ${dawn?.adapterInfo ?? "?"}, ${K.cachedKernels} kernels compiled`);
});

/** A test that needs the device: fails with the set-up error when WebGPU did not come up. */
function gt(name: string, fn: () => Promise<void>): void {
  test(name, async () => {
    if (setupError) throw setupError;
    try {
      await fn();
    } catch (e) {
      // fast-check keeps the failing assertion in `cause`, which uvu does not print
      const cause = (e as { cause?: unknown }).cause;
      if (e instanceof Error && cause instanceof Error) e.message += `\n    cause: ${cause.message}`;
      throw e;
    }
  });
}

const up = (data: Float32Array): Promise<GpuHandle> => runAsync(K.upload(data));
const read = async (h: GpuHandle): Promise<Float32Array> => { try { return await K.read(h); } finally { K.free(h); } };
const prod = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const contiguous = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) { s[d] = acc; acc *= shape[d]; }
  return s;
};

/** |got − want| ≤ atol + rtol·|want| per element; NaN matches NaN and infinities match exactly. */
function close(name: string, got: Float32Array, want: ArrayLike<number>, atol = 1e-5, rtol = 1e-4): void {
  assert.is(got.length, want.length, `${name}: length`);
  for (let i = 0; i < got.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) ? Number.isNaN(g) : !Number.isFinite(w) ? g === w : Math.abs(g - w) <= atol + rtol * Math.abs(w)) continue;
    assert.unreachable(`${name}: element ${i} of ${got.length} is ${g}, the cpu reference gives ${w} (atol ${atol}, rtol ${rtol})`);
  }
}

const seedArb = fc.integer({ min: 1, max: 1 << 30 });

gt("upload/read round trip, empty arrays, fresh handles that later calls never overwrite", async () => {
  const data = values(1000, 3, 5);
  const h = await up(data);
  assert.is(K.kernelName, "WebGPUKernel");
  assert.equal(Array.from(await K.read(h)), Array.from(data));
  const e = await up(new Float32Array(0));
  assert.is((await K.read(e)).length, 0);
  const first = await runAsync(K.unary("neg", h, 1000));
  const second = await runAsync(K.unary("neg", first, 1000)); // same compiled kernel, fed its own earlier output
  const third = await runAsync(K.unary("abs", await runAsync(K.fill(1000, -2)), 1000));
  close("first call's handle after two more calls", await K.read(first), data.map((v) => -v), 0, 0);
  close("second call", await read(second), data, 0, 0);
  close("third call", await read(third), new Float32Array(1000).fill(2), 0, 0);
  K.free(first); K.free(h); K.free(e);
  // a kernel over an empty operand reads nothing from it
  close("matmul with k = 0", await read(await runAsync(K.matmul(e, e, 1, 2, 0, 3, false, false))), new Float32Array(6), 0, 0);
});

gt("a bounded kernel cache: evicted kernels leave their results readable", async () => {
  const L = new GpuKernels(gpu!, { maxKernels: 2 });
  const x = values(50, 9, 2);
  const hx = await runAsync(L.upload(x));
  const outs = [];
  for (let n = 10; n <= 50; n += 10) outs.push(await runAsync(L.unary("neg", hx, n))); // one kernel per n
  assert.ok(L.cachedKernels <= 2, `${L.cachedKernels} kernels cached`);
  for (const [i, h] of outs.entries()) close(`result ${i} after eviction`, await L.read(h), x.subarray(0, 10 * (i + 1)).map((v) => -v), 0, 0);
  for (const h of [...outs, hx]) L.free(h);
});

const UNARY_DOMAIN: Record<UnaryOp, [number, number]> = {
  neg: [-5, 5], exp: [-20, 20], log: [1e-3, 50], sqrt: [0, 50], rsqrt: [1e-3, 50], abs: [-5, 5], tanh: [-25, 25],
  sigmoid: [-40, 40], relu: [-3, 3], erf: [-6, 6], sign: [-2, 2], step: [-2, 2],
};

gt("unary: every op", async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 300 }), seedArb, async (n, seed) => {
    for (const op of Object.keys(UNARY_DOMAIN) as UnaryOp[]) {
      const [lo, hi] = UNARY_DOMAIN[op];
      const x = values(n, seed, 1).map((v) => lo + ((v + 1) / 2) * (hi - lo));
      if (n > 3) { x[0] = 0; x[1] = lo; x[2] = hi; }
      const want = new Float32Array(n);
      cpuKernels.unary(op, x, want);
      const h = await up(x);
      close(`${op} [${n}]`, await read(await runAsync(K.unary(op, h, n))), want, 2e-6, op === "exp" ? 1e-5 : 2e-6);
      K.free(h);
    }
  }), { numRuns: 3, endOnFailure: true });
});

/** A random output shape (rank 0..4) and, per operand, contiguous, broadcast (stride 0) or transposed strides. */
const stridedCase = fc.record({
  shape: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 0, maxLength: 4 }),
  layoutA: fc.constantFrom("contiguous", "broadcast", "transposed"),
  layoutB: fc.constantFrom("contiguous", "broadcast", "transposed"),
  mask: fc.integer({ min: 0, max: 15 }),
  seed: seedArb,
});

/** Strides for `shape` over a buffer of the operand's own size; returns [strides, size]. */
function layout(shape: number[], kind: string, mask: number): [number[], number] {
  if (kind === "broadcast") {
    const own = shape.map((s, d) => ((mask >> d) & 1 ? 1 : s));
    const st = contiguous(own).map((s, d) => (own[d] === 1 ? 0 : s));
    return [st, prod(own)];
  }
  if (kind === "transposed") {
    const rev = contiguous([...shape].reverse()).reverse();
    return [rev, prod(shape)];
  }
  return [contiguous(shape), prod(shape)];
}

gt("binary: every op, broadcast and transposed strides, rank 0..4", async () => {
  const ops: BinaryOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
  await fc.assert(fc.asyncProperty(stridedCase, async ({ shape, layoutA, layoutB, mask, seed }) => {
    const [sa, na] = layout(shape, layoutA, mask);
    const [sb, nb] = layout(shape, layoutB, ~mask);
    // small integers and halves: equalities happen, and pow sees negative bases with integer exponents
    const a = values(na, seed, 3).map((v) => Math.round(v * 2) / 2);
    const b = values(nb, seed + 1, 3).map((v) => Math.round(v * 2) / 2);
    const ha = await up(a), hb = await up(b);
    const n = prod(shape);
    for (const op of ops) {
      const bb = op === "div" ? b.map((v) => (v === 0 ? 0.5 : v)) : b;
      const hbb = bb === b ? hb : await up(bb);
      const want = new Float32Array(n);
      cpuKernels.binary(op, a, sa, bb, sb, shape, want);
      close(`${op} [${shape}] a ${layoutA} b ${layoutB}`, await read(await runAsync(K.binary(op, ha, sa, hbb, sb, shape))), want, 1e-5, 1e-5);
      if (hbb !== hb) K.free(hbb);
    }
    K.free(ha); K.free(hb);
  }), { numRuns: 4, endOnFailure: true });
});

gt("stridedCopy: permute, expand and slice with an offset", async () => {
  await fc.assert(fc.asyncProperty(
    fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 5 }), seedArb, fc.integer({ min: 0, max: 5 }),
    async (shape, seed, off) => {
      const size = prod(shape) + off;
      const src = values(size, seed, 10);
      const base = contiguous(shape);
      const perm = shape.map((_, i) => i).sort((x, y) => ((seed >> x) & 1) - ((seed >> y) & 1) || y - x);
      const outShape = perm.map((p) => shape[p]);
      const strides = perm.map((p) => base[p]);
      // expand: a new leading dim of stride 0
      const eShape = [3, ...outShape], eStrides = [0, ...strides];
      const h = await up(src);
      for (const [s, st] of [[outShape, strides], [eShape, eStrides]]) {
        const want = new Float32Array(prod(s));
        cpuKernels.stridedCopy(src, off, st, s, want);
        close(`stridedCopy [${s}] strides [${st}] offset ${off}`, await read(await runAsync(K.stridedCopy(h, off, st, s))), want, 0, 0);
      }
      K.free(h);
    }), RUNS);
});

gt("clamp (finite and infinite bounds) and where", async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 500 }), seedArb, async (n, seed) => {
    const x = values(n, seed, 4), c = values(n, seed + 1, 1).map((v) => (v > 0 ? 1 : 0)), y = values(n, seed + 2, 4);
    const [hx, hc, hy] = [await up(x), await up(c), await up(y)];
    for (const [lo, hi] of [[-1, 2], [-Infinity, 0.5], [-0.25, Infinity]]) {
      const want = new Float32Array(n);
      cpuKernels.clamp(x, lo, hi, want);
      close(`clamp [${n}] to [${lo}, ${hi}]`, await read(await runAsync(K.clamp(hx, n, lo, hi))), want, 0, 0);
    }
    const want = new Float32Array(n);
    cpuKernels.where(c, x, y, want);
    close(`where [${n}]`, await read(await runAsync(K.where(hc, hx, hy, n))), want, 0, 0);
    for (const h of [hx, hc, hy]) K.free(h);
  }), RUNS);
});

gt("reduceRows (sum, max, min, argmax, argmin) and sumAxis", async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 5 }), seedArb, async (rows, cols, inner, seed) => {
    const x = values(rows * cols, seed, 5);
    const h = await up(x);
    for (const op of ["sum", "max", "min", "argmax", "argmin"] as const) {
      const want = new Float32Array(rows);
      cpuKernels.reduceRows(op, x, cols, want);
      close(`reduceRows ${op} [${rows}, ${cols}]`, await read(await runAsync(K.reduceRows(op, h, rows, cols))), want, 5e-6 * cols, op === "sum" ? 1e-4 : 0);
    }
    // x viewed as [outer, size, inner] with outer·size·inner ≤ rows·cols
    const outer = Math.max(1, Math.floor(rows / inner)), size = Math.floor((rows * cols) / (outer * inner));
    const want = new Float32Array(outer * inner);
    cpuKernels.sumAxis(x, outer, size, inner, want);
    close(`sumAxis [${outer}, ${size}, ${inner}]`, await read(await runAsync(K.sumAxis(h, outer, size, inner))), want, 5e-6 * size, 1e-4);
    K.free(h);
  }), RUNS);
});

async function matmulCase(batch: number, m: number, k: number, n: number, ta: boolean, tb: boolean, seed: number): Promise<void> {
  const a = values(batch * m * k, seed, 1), b = values(batch * k * n, seed + 1, 1);
  const want = new Float32Array(batch * m * n);
  cpuKernels.matmul(a, b, want, batch, m, k, n, ta, tb);
  const ha = await up(a), hb = await up(b);
  close(`matmul ${batch}×[${m}, ${k}]·[${k}, ${n}] transA ${ta} transB ${tb}`, await read(await runAsync(K.matmul(ha, hb, batch, m, k, n, ta, tb))), want, 2e-6 * Math.sqrt(k) + 1e-6, 1e-4);
  K.free(ha); K.free(hb);
}

gt("matmul: every transpose form, dims 1..70, batches", async () => {
  const dim = fc.integer({ min: 1, max: 70 });
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 3 }), dim, dim, dim, fc.boolean(), fc.boolean(), seedArb,
    (batch, m, k, n, ta, tb, seed) => matmulCase(batch, m, k, n, ta, tb, seed)), { numRuns: 8, endOnFailure: true });
});

gt("matmul: 130×97×65, and k = 2500 (loop bounds past gpu.js's 1000-iteration cap)", async () => {
  await matmulCase(1, 130, 97, 65, false, false, 11);
  await matmulCase(2, 130, 97, 65, true, true, 12);
  await matmulCase(1, 3, 2500, 5, false, true, 13);
});

gt("softmax and log-softmax (large logits, cols up to 300) and their backward", async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }), fc.constantFrom(1, 30), seedArb, async (rows, cols, scale, seed) => {
    const x = values(rows * cols, seed, scale), g = values(rows * cols, seed + 1, 1);
    const hx = await up(x), hg = await up(g);
    for (const log of [false, true]) {
      const y = new Float32Array(rows * cols);
      cpuKernels.softmax(x, cols, y, log);
      const hy = await runAsync(K.softmax(hx, rows, cols, log));
      close(`${log ? "log-" : ""}softmax [${rows}, ${cols}] scale ${scale}`, await K.read(hy), y, 1e-6, log ? 1e-5 : 1e-4);
      const dx = new Float32Array(rows * cols);
      cpuKernels.softmaxBackward(y, g, cols, dx, log);
      const hyRef = await up(y); // the backward sees identical y on both sides
      close(`${log ? "log-" : ""}softmax backward [${rows}, ${cols}]`, await read(await runAsync(K.softmaxBackward(hyRef, hg, rows, cols, log))), dx, 1e-5 * Math.sqrt(cols), 1e-4);
      K.free(hy); K.free(hyRef);
    }
    K.free(hx); K.free(hg);
  }), RUNS);
});

gt("layerNorm forward (with and without weight, bias) and backward (with and without weight grads)", async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.boolean(), seedArb, async (rows, cols, hasW, hasB, seed) => {
    const x = values(rows * cols, seed, 3).map((v, i) => v + (i % 7)), g = values(rows * cols, seed + 1, 1);
    const w = hasW ? values(cols, seed + 2, 2) : null, b = hasB ? values(cols, seed + 3, 1) : null;
    const out = new Float32Array(rows * cols), mean = new Float32Array(rows), rstd = new Float32Array(rows);
    cpuKernels.layerNorm(x, cols, w, b, 1e-5, out, mean, rstd);
    const hx = await up(x), hg = await up(g), hw = w ? await up(w) : null, hb = b ? await up(b) : null;
    const [ho, hm, hr] = await runAsync(K.layerNorm(hx, rows, cols, hw, hb, 1e-5));
    close(`layerNorm [${rows}, ${cols}] w ${hasW} b ${hasB}`, await read(ho), out, 2e-5, 1e-4);
    close("layerNorm mean", await read(hm), mean, 1e-5, 1e-5);
    close("layerNorm rstd", await read(hr), rstd, 1e-5, 1e-4);
    const dx = new Float32Array(rows * cols), dw = new Float32Array(cols), db = new Float32Array(cols);
    cpuKernels.layerNormBackward(x, g, cols, w, mean, rstd, dx, dw, db);
    const hMean = await up(mean), hRstd = await up(rstd); // the backward sees identical saved statistics
    for (const want of [true, false]) {
      const [hdx, hdw, hdb] = await runAsync(K.layerNormBackward(hx, hg, rows, cols, hw, hMean, hRstd, want));
      close(`layerNormBackward dx [${rows}, ${cols}] w ${hasW}`, await read(hdx), dx, 5e-5, 1e-3);
      if (want) {
        close("layerNormBackward dw", await read(hdw!), dw, 1e-5 * rows, 1e-4);
        close("layerNormBackward db", await read(hdb!), db, 1e-5 * rows, 1e-4);
      } else {
        assert.is(hdw, null); assert.is(hdb, null);
      }
    }
    for (const h of [hx, hg, hw, hb, hMean, hRstd]) K.free(h);
  }), RUNS);
});

gt("gelu and its backward", async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 700 }), seedArb, async (n, seed) => {
    const x = values(n, seed, 6), g = values(n, seed + 1, 1);
    const y = new Float32Array(n), dx = new Float32Array(n);
    cpuKernels.gelu(x, y);
    cpuKernels.geluBackward(x, g, dx);
    const hx = await up(x), hg = await up(g);
    close(`gelu [${n}]`, await read(await runAsync(K.gelu(hx, n))), y, 2e-6, 2e-6);
    close(`geluBackward [${n}]`, await read(await runAsync(K.geluBackward(hx, hg, n))), dx, 2e-6, 2e-6);
    K.free(hx); K.free(hg);
  }), RUNS);
});

const attentionCase = fc.record({
  batch: fc.integer({ min: 1, max: 4 }), lq: fc.integer({ min: 1, max: 20 }), lk: fc.integer({ min: 1, max: 70 }),
  d: fc.integer({ min: 1, max: 24 }), dv: fc.integer({ min: 1, max: 24 }),
  bias: fc.constantFrom("none", "shared", "perBatch"), mask: fc.boolean(), seed: seedArb,
});

gt("attention forward and backward: bias views, key-padding masks, fully masked rows", async () => {
  await fc.assert(fc.asyncProperty(attentionCase, async ({ batch, lq, lk, d, dv, bias, mask, seed }) => {
    const dims = { batch, lq, lk, d, dv, scale: 1 / Math.sqrt(d) };
    const q = values(batch * lq * d, seed, 2), k = values(batch * lk * d, seed + 1, 2), v = values(batch * lk * dv, seed + 2, 1);
    const g = values(batch * lq * dv, seed + 3, 1);
    // bias [lq, lk] shared by every batch entry, or one [lq, lk] per entry
    const biasData = bias === "none" ? null : values((bias === "shared" ? 1 : batch) * lq * lk, seed + 4, 1);
    const biasOffsets = Int32Array.from({ length: batch }, (_, b) => (bias === "shared" ? 0 : b * lq * lk));
    // key-padding mask [batch, lk] read with row stride 0; batch entry 0 fully masked when it has more than one
    const maskData = mask ? Float32Array.from({ length: batch * lk }, (_, i) => (batch > 1 && i < lk ? 0 : (i * 7 + seed) % 4 === 0 ? 0 : 1)) : null;
    const maskOffsets = Int32Array.from({ length: batch }, (_, b) => b * lk);
    const probs = new Float32Array(batch * lq * lk), out = new Float32Array(batch * lq * dv);
    cpuKernels.attention(q, k, v, dims, biasData ? { data: biasData, offsets: biasOffsets, rowStride: lk, colStride: 1 } : null,
      maskData ? { data: maskData, offsets: maskOffsets, rowStride: 0, colStride: 1 } : null, null, probs, out);
    const [hq, hk, hv, hg] = [await up(q), await up(k), await up(v), await up(g)];
    const hBias: GpuScoreView | null = biasData ? { data: await up(biasData), offsets: biasOffsets, rowStride: lk, colStride: 1 } : null;
    const hMask: GpuScoreView | null = maskData ? { data: await up(maskData), offsets: maskOffsets, rowStride: 0, colStride: 1 } : null;
    const [hp, ho] = await runAsync(K.attention(hq, hk, hv, dims, hBias, hMask));
    const what = `attention b${batch} lq${lq} lk${lk} d${d} dv${dv} bias ${bias} mask ${mask}`;
    close(`${what}: probs`, await read(hp), probs, 1e-6, 1e-4);
    close(`${what}: out`, await read(ho), out, 1e-5, 1e-4);

    const dS = new Float32Array(batch * lq * lk), dq = new Float32Array(q.length), dk = new Float32Array(k.length), dV = new Float32Array(v.length);
    cpuKernels.attentionBackward(q, k, v, probs, g, dims, maskData ? { data: maskData, offsets: maskOffsets, rowStride: 0, colStride: 1 } : null, null, dS, dq, dk, dV);
    const hProbs = await up(probs); // identical saved probabilities on both sides
    const grads = await runAsync(K.attentionBackward(hq, hk, hv, hProbs, hg, dims, hMask));
    const tol = 1e-5 * Math.sqrt(Math.max(lq, lk, d, dv));
    close(`${what}: dScores`, await read(grads[0]), dS, tol, 1e-3);
    close(`${what}: dq`, await read(grads[1]), dq, tol, 1e-3);
    close(`${what}: dk`, await read(grads[2]), dk, tol, 1e-3);
    close(`${what}: dv`, await read(grads[3]), dV, tol, 1e-3);
    for (const h of [hq, hk, hv, hg, hProbs, hBias?.data, hMask?.data]) K.free(h);
  }), RUNS);
});

/** The update loop of engine/optim/adamw.ts (AdamW.update) on float32 arrays, state step t ≥ 1. */
function adamwReference(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, o: { lr: number; beta1: number; beta2: number; eps: number; weightDecay: number; step: number }): void {
  const { lr, eps, weightDecay, beta1: b1, beta2: b2 } = o;
  const stepSize = lr / (1 - b1 ** o.step);
  const correction2Sqrt = Math.sqrt(1 - b2 ** o.step);
  for (let i = 0; i < p.length; i++) {
    p[i] *= 1 - lr * weightDecay;
    m[i] = b1 * m[i] + (1 - b1) * g[i];
    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
    p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2Sqrt + eps);
  }
}

gt("adamw: several steps with changing lr match the engine's update", async () => {
  await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 600 }), seedArb, async (n, seed) => {
    const p = values(n, seed, 1), m = new Float32Array(n), v = new Float32Array(n);
    let [hp, hm, hv] = [await up(p), await up(m), await up(v)];
    for (let step = 1; step <= 4; step++) {
      const g = values(n, seed + step, step === 3 ? 1e-4 : 1);
      const o = { lr: 1e-2 / step, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step };
      adamwReference(p, g, m, v, o);
      const hg = await up(g);
      const [p2, m2, v2] = await runAsync(K.adamw(hp, hg, hm, hv, n, o));
      for (const h of [hp, hm, hv, hg]) K.free(h);
      [hp, hm, hv] = [p2, m2, v2];
      close(`adamw [${n}] step ${step}: m`, await K.read(hm), m, 1e-7, 1e-5);
      close(`adamw [${n}] step ${step}: v`, await K.read(hv), v, 1e-10, 1e-5);
      close(`adamw [${n}] step ${step}: p`, await K.read(hp), p, 1e-6, 1e-5);
    }
    for (const h of [hp, hm, hv]) K.free(h);
  }), { numRuns: 3, endOnFailure: true });
});

gt("sizes past 2^24 elements are refused with a clear error", async () => {
  assert.throws(() => runSync(K.fill(MAX_ELEMENTS + 1, 0)), /exceeds the limit of 16777216/);
  const h = await up(new Float32Array(4));
  assert.throws(() => runSync(K.unary("exp", h, 5)), /the operand has 4 elements, 5 are needed/);
  assert.throws(() => runSync(K.stridedCopy(h, 1, [1], [4])), /outside the operand's 4 elements/);
  K.free(h);
});

t("the synchronous driver: the same library over gpu.js's cpu mode (runSync)", async () => {
  const { GPU: Gpu } = await import("gpu.js");
  const cpuGpu = new Gpu({ mode: "cpu" });
  try {
    const L = new GpuKernels(cpuGpu);
    const [b, m, k, n] = [2, 5, 7, 3];
    const a = values(b * m * k, 1, 1), bb = values(b * k * n, 2, 1);
    const want = new Float32Array(b * m * n);
    cpuKernels.matmul(a, bb, want, b, m, k, n, true, false);
    const got = runSync(L.matmul(runSync(L.upload(a)), runSync(L.upload(bb)), b, m, k, n, true, false));
    assert.is(L.kernelName, "CPUKernel");
    close("cpu-mode matmul", L.read(got) as Float32Array, want, 1e-6, 1e-5);
    const x = values(4 * 9, 3, 2);
    const [o, mu, rs] = runSync(L.layerNorm(runSync(L.upload(x)), 4, 9, null, null, 1e-5));
    const wo = new Float32Array(36), wm = new Float32Array(4), wr = new Float32Array(4);
    cpuKernels.layerNorm(x, 9, null, null, 1e-5, wo, wm, wr);
    close("cpu-mode layerNorm", L.read(o) as Float32Array, wo, 1e-5, 1e-5);
    close("cpu-mode layerNorm mean", L.read(mu) as Float32Array, wm, 1e-6, 1e-6);
    close("cpu-mode layerNorm rstd", L.read(rs) as Float32Array, wr, 1e-6, 1e-5);
  } finally {
    await cpuGpu.destroy();
  }
  // a Promise reaching the sync driver is an error, not a value
  function* asyncStep(): Generator<unknown, unknown, unknown> { return yield Promise.resolve(1); }
  assert.throws(() => runSync(asyncStep()), /runAsync/);
});

t.run();
