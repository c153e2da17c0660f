// The fused attention op (engine/backends/cpu/attention.ts, built on the cpu and wasm tables) against the
// composed F.scaledDotProductAttention (setFusedOps(false)): float32 forward values and every input gradient
// on random shapes, bias broadcasts and key masks (fully masked rows included), 1 and 2 threads; dropout
// drawing the same weights; double backward; a float64 gradcheck of the public function; an engine
// TransformerEncoderLayer (MultiheadAttention → the op) in training mode; and a tiny AETNet step unchanged
// with fused ops on and off (src/models spells attention out today, so that one guards the model rather
// than exercising this kernel).
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { attentionWith } from "../../../engine/backends/cpu/attention.ts";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { setWasmThreads } from "../../../engine/backends/wasm/index.ts";
import { matmulTuning } from "../../../engine/backends/wasm/matmul.ts";
import { F, Generator, manualSeed, nn, randint, randn, tensor, type Tensor } from "../../../engine/index.ts";
import { tiny, withOverrides } from "../../../src/config.ts";
import { AETNet, type AETNetInputs } from "../../../src/models/aetnet.ts";
import { RUNS, checkGradProperty, tensorArb } from "../../helpers.ts";
import { bothWays, maxDiff, values } from "./fused_helpers.ts";

const t = suite("fused attention vs composed");

const maxAbs = (a: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; };

type BiasKind = "none" | "full" | "heads" | "keys";
const biasShape = (kind: BiasKind, [b, h, lq, lk]: number[]): number[] | null =>
  kind === "full" ? [b, h, lq, lk] : kind === "heads" ? [1, h, lq, lk] : kind === "keys" ? [b, 1, 1, lk] : null;

interface Case { b: number; h: number; lq: number; lk: number; d: number; dv: number; bias: BiasKind; mask: "none" | "kept" | "someFull"; seed: number; dropoutP: number }

/** Output and the gradients of q, k, v (and bias) under a fixed upstream gradient, float32. */
function run(c: Case): Float32Array[] {
  const mk = (shape: number[], seed: number, scale = 1.5): Tensor => tensor(values(shape.reduce((x, y) => x * y, 1), seed, scale), shape).requiresGrad_();
  const q = mk([c.b, c.h, c.lq, c.d], c.seed), k = mk([c.b, c.h, c.lk, c.d], c.seed + 1), v = mk([c.b, c.h, c.lk, c.dv], c.seed + 2);
  const bs = biasShape(c.bias, [c.b, c.h, c.lq, c.lk]);
  const bias = bs ? mk(bs, c.seed + 3, 2) : null;
  let keyMask: Tensor | null = null;
  if (c.mask !== "none") {
    // Key 0 is kept in every batch but the last, which loses all keys when asked for fully masked rows.
    const m = Int32Array.from({ length: c.b * c.lk }, (_, i) => ((i % c.lk) === 0 || (i * 7 + c.seed) % 3 !== 0 ? 1 : 0));
    if (c.mask === "someFull") m.fill(0, (c.b - 1) * c.lk);
    keyMask = tensor(m, [c.b, 1, c.lk]);
  }
  const y = F.scaledDotProductAttention(q, k, v, { bias, keyMask, dropoutP: c.dropoutP, training: c.dropoutP > 0, generator: new Generator(c.seed) });
  y.backward(tensor(values(y.numel, c.seed + 4, 1), y.shape));
  return [y, q.grad!, k.grad!, v.grad!, ...(bias ? [bias.grad!] : [])].map((x) => x.storage as Float32Array);
}

const caseArb = (dropout: boolean): fc.Arbitrary<Case> => fc.record({
  b: fc.integer({ min: 1, max: 2 }), h: fc.integer({ min: 1, max: 3 }),
  lq: fc.integer({ min: 1, max: 40 }), lk: fc.integer({ min: 1, max: 40 }),
  d: fc.integer({ min: 1, max: 24 }), dv: fc.integer({ min: 1, max: 24 }),
  bias: fc.constantFrom<BiasKind>("none", "full", "heads", "keys"),
  mask: fc.constantFrom<Case["mask"]>("none", "kept", "someFull"),
  seed: fc.integer({ min: 0, max: 1 << 20 }),
  dropoutP: dropout ? fc.constantFrom(0.1, 0.5) : fc.constant(0),
});

/** float32 agreement, relative to each tensor's size and with room for the sums of up to 40 terms. */
function agree(c: Case, threads: number): boolean {
  setWasmThreads(threads);
  const saved = matmulTuning.splitWork;
  matmulTuning.splitWork = threads > 1 ? 1 : saved; // split even these small GEMMs across the threads
  try {
    const { fused, composed } = bothWays(() => run(c));
    return fused.every((f, i) => {
      const ok = maxDiff(f, composed[i]) <= 2e-5 * (1 + maxAbs(composed[i]));
      if (!ok) console.log(`tensor ${i} of`, c, threads, maxDiff(f, composed[i]), maxAbs(composed[i]));
      return ok;
    });
  } finally {
    matmulTuning.splitWork = saved;
    setWasmThreads(1);
  }
}

t("float32 values and q/k/v/bias gradients match the composed op (biases, masks, fully masked rows; 1 and 2 threads)", () => {
  fc.assert(fc.property(caseArb(false), fc.constantFrom(1, 2), (c, threads) => agree(c, threads)), { numRuns: RUNS * 2 });
});

t("with dropout in training the fused op drops the same weights as the composed one", () => {
  fc.assert(fc.property(caseArb(true), fc.constantFrom(1, 2), (c, threads) => agree(c, threads)), { numRuns: RUNS });
});

t("large shapes (SIMD GEMM and softmax paths): fused equals composed", () => {
  for (const c of [
    { b: 2, h: 4, lq: 64, lk: 64, d: 32, dv: 32, bias: "full", mask: "someFull", seed: 3, dropoutP: 0 },
    { b: 1, h: 2, lq: 37, lk: 129, d: 17, dv: 33, bias: "keys", mask: "kept", seed: 5, dropoutP: 0.1 },
  ] as Case[]) for (const threads of [1, 2]) assert.ok(agree(c, threads), `${JSON.stringify(c)} threads ${threads}`);
});

t("float64 gradcheck of the public function (the composed reference) with bias and key mask", () => {
  const arb = fc.record({ b: fc.integer({ min: 1, max: 2 }), lq: fc.integer({ min: 1, max: 3 }), lk: fc.integer({ min: 1, max: 4 }), d: fc.integer({ min: 1, max: 3 }) })
    .chain(({ b, lq, lk, d }) => fc.tuple(tensorArb([b, 2, lq, d]), tensorArb([b, 2, lk, d]), tensorArb([b, 2, lk, d]), tensorArb([1, 2, lq, lk]), fc.constant(b), fc.constant(lk)));
  checkGradProperty(arb, (q, k, v, bias, b, lk) => {
    const keyMask = tensor(Int32Array.from({ length: b * lk }, (_, i) => (i % lk === 0 || i % 2 === 1 ? 1 : 0)), [b, 1, lk]);
    return { fn: (q2, k2, v2, b2) => F.scaledDotProductAttention(q2, k2, v2, { bias: b2, keyMask }), inputs: [q, k, v, bias], options: { atol: 1e-4 } };
  });
});

t("double backward through the fused op takes the composed formulas", () => {
  const second = (): Float32Array[] => {
    const mk = (shape: number[], seed: number): Tensor => tensor(values(shape.reduce((x, y) => x * y, 1), seed, 1), shape).requiresGrad_();
    const [q, k, v, bias] = [mk([2, 2, 3, 4], 1), mk([2, 2, 5, 4], 2), mk([2, 2, 5, 3], 3), mk([1, 2, 3, 5], 4)];
    const keyMask = tensor(Int32Array.from([1, 1, 0, 1, 0, 0, 0, 0, 0, 0]), [2, 1, 5]);
    const y = F.scaledDotProductAttention(q, k, v, { bias, keyMask });
    y.mul(y).sum().backward(undefined, { createGraph: true });
    const grads = [q, k, v, bias].map((x) => x.grad!);
    for (const x of [q, k, v, bias]) x.zeroGrad();
    grads.reduce((acc, g) => acc.add(g.mul(g).sum()), y.sum().mul(0)).backward();
    return [q, k, v, bias].map((x) => x.grad!.storage as Float32Array);
  };
  const { fused, composed } = bothWays(second);
  fused.forEach((f, i) => assert.ok(maxDiff(f, composed[i]) < 1e-5 * (1 + maxAbs(composed[i])), `input ${i}: ${maxDiff(f, composed[i])}`));
});

t("an engine TransformerEncoderLayer (key padding mask, dropout, training) is unchanged with fused attention", () => {
  const step = (): Float32Array[] => {
    manualSeed(3);
    const layer = new nn.TransformerEncoderLayer(32, 4, 64, { dropout: 0.1 });
    const x = randn([2, 19, 32]);
    const keyPaddingMask = tensor(Int32Array.from({ length: 38 }, (_, i) => (i % 19 < 15 || i < 19 ? 1 : 0)), [2, 19]);
    layer.forward(x, { keyPaddingMask }).square().mean().backward();
    return [...layer.parameters()].map((p) => p.grad!.storage as Float32Array);
  };
  const { fused, composed } = bothWays(step);
  fused.forEach((f, i) => assert.ok(maxDiff(f, composed[i]) <= 1e-4 * (1 + maxAbs(composed[i])), `parameter ${i}: ${maxDiff(f, composed[i])}`));
});

t("a tiny AETNet's loss and gradients are unchanged (within float32 rounding) with fused attention", () => {
  const config = withOverrides(tiny, { fusion: { ...tiny.fusion, layers: 1 } });
  const [b, n] = [2, 12];
  const step = (): Float32Array[] => {
    manualSeed(7);
    const model = new AETNet(config, { task: "token", numLabels: 5 });
    const boxes = randint(0, 500, [b, n, 4]).int();
    const batch: AETNetInputs = {
      inputIds: randint(4, config.vocabSize, [b, n]).int(),
      bbox: tensor(Int32Array.from(boxes.storage, (x, i) => (i % 4 >= 2 ? x + 400 : x)), [b, n, 4]),
      attentionMask: tensor(Int32Array.from({ length: b * n }, (_, i) => (i % n < n - 3 * (i < n ? 1 : 0) ? 1 : 0)), [b, n]),
      pixelValues: randn([b, 3, config.imageSize, config.imageSize]),
      labels: randint(0, 5, [b, n]).int(),
    };
    const out = model.forward(batch);
    out.loss.backward();
    return [out.loss, ...model.trainableParameters().map((p) => p.grad ?? p.mul(0))].map((x) => x.storage as Float32Array);
  };
  const { fused, composed } = bothWays(step);
  assert.is(fused.length, composed.length);
  fused.forEach((f, i) => assert.ok(maxDiff(f, composed[i]) <= 1e-3 * (1 + maxAbs(composed[i])), `tensor ${i}: ${maxDiff(f, composed[i])} of ${maxAbs(composed[i])}`));
});

t("a dropout that throws still returns the work buffer it was given", () => {
  const [taken, returned] = [[] as Float32Array[], [] as Float32Array[]];
  const kt = attentionWith({
    matmul: cpuKernels.matmul, softmax: cpuKernels.softmax, softmaxBackward: cpuKernels.softmaxBackward,
    temp: (n) => { const x = new Float32Array(n); taken.push(x); return x; },
    release: (x) => { returned.push(x); },
    dropout: () => { throw new RangeError("no room for the dropped-out weights"); },
  });
  const dims = { batch: 1, lq: 2, lk: 3, d: 4, dv: 4, scale: 0.5 };
  const drop = { keep: new Uint8Array(6).fill(1), scale: 2 };
  const [q, k, v] = [new Float32Array(8), new Float32Array(12), new Float32Array(12)];
  const [probs, out] = [new Float32Array(6), new Float32Array(8)];
  assert.throws(() => kt.attention(q, k, v, dims, null, null, drop, probs, out), /no room/);
  assert.is(taken.length, 1);
  assert.equal(returned, taken);
});

t.run();
