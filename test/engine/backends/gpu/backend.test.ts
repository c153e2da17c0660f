// The gpu backend end to end: every op family with a device kernel, forward and backward, against the CPU
// backend on random shapes (odd sizes, sizes past one workgroup); a whole TransformerEncoderLayer and a whole
// tiny AETNet forward + backward; AdamW training steps on the device; tidy(); reads, fallbacks and errors. Runs on software WebGPU (Dawn
// over Mesa llvmpipe) in CI; set AETNET_GPU_TESTS=skip to report them as skipped where no GPU stack can be installed.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { onCpu } from "../../../../engine/backends/registry.ts";
import { F, backendInfo, keep, manualSeed, nn, optim, randint, randn, setBackend, tensor, tidy, type Tensor } from "../../../../engine/index.ts";
import { maxDiff, values } from "../fused_helpers.ts";
import { skipWhen } from "../../../skip.ts";
import { tiny } from "../../../../src/config.ts";
import { AETNet, type AETNetInputs } from "../../../../src/models/aetnet.ts";

const t = suite("gpu backend vs cpu backend");
const skip = process.env.AETNET_GPU_TESTS === "skip";
const test = skipWhen(t, skip ? "AETNET_GPU_TESTS=skip: nothing here checks the gpu backend" : null);
const RUNS = { numRuns: 4, endOnFailure: true, verbose: true };

// uvu reports a failing before-hook as zero tests run and still exits 0, so the opening error is kept and
// rethrown by every test: no GPU stack means loud failures, never a quiet pass.
let opening: Error | null = null;
t.before(async () => {
  if (skip) return;
  try { await setBackend("gpu"); } catch (err) { opening = err as Error; }
});
t.before.each(() => { if (opening) throw opening; });
t.after(async () => { if (!skip) await setBackend("cpu"); });

/** Leaves built from deterministic values, so both backends start from identical inputs. */
const leaf = (shape: number[], seed: number, scale = 1): Tensor =>
  tensor(values(shape.reduce((a, b) => a * b, 1), seed, scale), shape).requiresGrad_();

interface Run { out: Float32Array; grads: Float32Array[] }

/**
 * f(leaves) on the CPU backend and on the gpu backend; the loss Σ out·w (w fixed) makes every gradient
 * element distinct. Returns both runs' outputs and leaf gradients.
 */
async function both(shapes: number[][], f: (xs: Tensor[]) => Tensor, seed: number): Promise<{ cpu: Run; gpu: Run }> {
  const go = async (cpu: boolean): Promise<Run> => {
    const exec = <T>(fn: () => T): T => (cpu ? onCpu(fn) : fn());
    const { xs, out } = exec(() => {
      const xs = shapes.map((s, i) => leaf(s, seed * 31 + i));
      const out = f(xs);
      const w = tensor(values(out.numel, seed + 7, 1), out.shape);
      out.mul(w).sum().backward();
      return { xs, out };
    });
    return { out: await out.data(), grads: await Promise.all(xs.map((x) => x.grad!.data())) };
  };
  return { cpu: await go(true), gpu: await go(false) };
}

function close(name: string, got: Float32Array, want: Float32Array, atol: number, rtol = 1e-4): void {
  assert.is(got.length, want.length, `${name}: length`);
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  const d = maxDiff(got, want);
  assert.ok(d <= atol + rtol * scale, `${name}: max |gpu − cpu| = ${d} (scale ${scale}, atol ${atol})`);
}

function agree(r: { cpu: Run; gpu: Run }, atol: number): void {
  close("output", r.gpu.out, r.cpu.out, atol);
  r.cpu.grads.forEach((g, i) => close(`grad of input ${i}`, r.gpu.grads[i], g, atol));
}

const dim = (max: number): fc.Arbitrary<number> => fc.integer({ min: 1, max });
const prop = <T>(arb: fc.Arbitrary<T>, body: (v: T) => Promise<void>) => fc.assert(fc.asyncProperty(arb, body), RUNS);

test("reports the gpu.js backend that really runs", () => {
  const info = backendInfo();
  assert.is(info.name, "gpu");
  assert.ok(["WebGPUKernel", "WebGL2Kernel", "WebGLKernel", "HeadlessGLKernel"].includes(info.kernel), `kernel ${info.kernel}`);
  assert.type(info.adapter, "string");
});

test("elementwise unary and broadcasting binary ops, with gradients", async () => {
  await prop(fc.record({ a: dim(9), b: dim(70), seed: fc.nat(1000) }), async ({ a, b, seed }) => {
    agree(await both([[a, b], [1, b]], ([x, y]) => x.mul(y).add(x.tanh()).sub(y.exp()).div(y.abs().add(1)), seed), 1e-5);
    agree(await both([[a, b]], ([x]) => x.sigmoid().mul(x.relu()).add(x.abs().add(0.5).sqrt().log()).sub(x.abs().add(0.1).rsqrt()), seed), 1e-5);
  });
});

test("permute, expand, slice and reductions over any axes", async () => {
  await prop(fc.record({ a: dim(5), b: dim(7), c: dim(40), seed: fc.nat(1000) }), async ({ a, b, c, seed }) => {
    agree(await both([[a, b, c]], ([x]) => x.permute(2, 0, 1).slice(0, 0, c, 2).sum(1), seed), 1e-5);
    agree(await both([[a, 1, c]], ([x]) => x.expand(a, b, c).mean([0, 2]), seed), 1e-5);
    agree(await both([[a, b, c]], ([x]) => x.amax(-1), seed), 1e-6);
    agree(await both([[a, b, c]], ([x]) => x.sum([0, 1]).add(x.amin(1).sum(0)), seed), 1e-5);
  });
});

test("matmul: batched, broadcast, transposed forms in the backward, past one tile", async () => {
  await prop(fc.record({ m: dim(70), k: dim(70), n: dim(70), bt: dim(3), seed: fc.nat(1000) }), async ({ m, k, n, bt, seed }) => {
    agree(await both([[bt, m, k], [k, n]], ([a, b]) => a.matmul(b), seed), 1e-4 * Math.sqrt(k));
    agree(await both([[bt, 1, m, k], [2, n, k]], ([a, b]) => a.matmul(b.mT), seed), 1e-4 * Math.sqrt(k));
  });
  agree(await both([[130, 97], [97, 65]], ([a, b]) => a.matmul(b), 5), 2e-3);
});

test("softmax, logSoftmax, layerNorm and GELU (fused kernels, forward and backward)", async () => {
  await prop(fc.record({ r: dim(20), c: dim(300), seed: fc.nat(1000) }), async ({ r, c, seed }) => {
    agree(await both([[r, c]], ([x]) => x.mul(3).softmax(-1), seed), 1e-6);
    agree(await both([[r, c]], ([x]) => x.mul(3).logSoftmax(-1), seed), 1e-5);
    agree(await both([[r, c], [c], [c]], ([x, w, b]) => F.layerNorm(x, [c], w, b, 1e-5), seed), 1e-4);
    agree(await both([[r, c]], ([x]) => x.mul(2).gelu(), seed), 1e-5);
  });
});

test("scaled dot-product attention with bias and key mask (fused kernels, forward and backward)", async () => {
  await prop(fc.record({ b: dim(2), h: dim(3), lq: dim(20), lk: dim(70), d: dim(16), seed: fc.nat(1000) }), async ({ b, h, lq, lk, d, seed }) => {
    const mask = tensor(Int32Array.from({ length: b * lk }, (_, i) => (i % lk === 0 || (i * 7 + seed) % 3 !== 0 ? 1 : 0)), [b, 1, lk]);
    const r = await both([[b, h, lq, d], [b, h, lk, d], [b, h, lk, d], [1, h, lq, lk]],
      ([q, k, v, bias]) => F.scaledDotProductAttention(q, k, v, { bias, keyMask: mask }), seed);
    agree(r, 1e-4);
  });
});

test("a whole TransformerEncoderLayer forward + backward agrees with the CPU backend", async () => {
  const build = (): nn.TransformerEncoderLayer => {
    manualSeed(3);
    return new nn.TransformerEncoderLayer(64, 4, 128, { dropout: 0, normFirst: true, activation: "gelu" });
  };
  const runLayer = async (cpu: boolean): Promise<Float32Array[]> => {
    const exec = <T>(fn: () => T): T => (cpu ? onCpu(fn) : fn());
    const layer = build();
    const out = exec(() => {
      const x = tensor(values(2 * 24 * 64, 9, 1), [2, 24, 64]);
      const y = layer.forward(x);
      y.mul(y).mean().backward();
      return y;
    });
    return [await out.data(), ...(await Promise.all(layer.parameters().map((p) => p.grad!.data())))];
  };
  const [cpu, gpu] = [await runLayer(true), await runLayer(false)];
  cpu.forEach((want, i) => close(i === 0 ? "layer output" : `parameter grad ${i - 1}`, gpu[i], want, 1e-5, 2e-4));
  const fallbacks = backendInfo().stats!.fallbacks;
  assert.not.ok(fallbacks.matmul || fallbacks.scaledDotProductAttention || fallbacks.layerNorm || fallbacks.gelu, `device ops fell back: ${JSON.stringify(fallbacks)}`);
});

test("a whole tiny AETNet (fusion encoder, ViT, RoBERTa, DITC/IMC/GLITC/PITA) forward + backward agrees with the CPU backend", async () => {
  const run = async (cpu: boolean): Promise<{ loss: number; grads: Float32Array[] }> => {
    const exec = <T>(fn: () => T): T => (cpu ? onCpu(fn) : fn());
    manualSeed(7);
    const [b, len] = [2, 16];
    const model = new AETNet(tiny, { task: "token", numLabels: 7 });
    model.eval(); // no dropout: both backends compute the same function
    const boxes = randint(0, 500, [b, len, 4]).int();
    const batch: AETNetInputs = {
      inputIds: randint(4, tiny.vocabSize, [b, len]).int(),
      bbox: tensor(Int32Array.from(boxes.storage, (v, i) => (i % 4 >= 2 ? v + 400 : v)), [b, len, 4]),
      attentionMask: tensor(Int32Array.from({ length: b * len }, (_, i) => (i % len < len - 3 ? 1 : 0)), [b, len]),
      pixelValues: randn([b, 3, tiny.imageSize, tiny.imageSize]),
      labels: randint(0, 7, [b, len]).int(),
    };
    const out = exec(() => { const o = model.forward(batch); o.loss.backward(); return o; });
    const grads = await Promise.all(model.trainableParameters().map((p) => (p.grad ? p.grad.data() : new Float32Array(0))));
    return { loss: (await out.loss.data())[0], grads };
  };
  const before = { ...backendInfo().stats!.fallbacks };
  const [cpu, gpu] = [await run(true), await run(false)];
  assert.ok(Math.abs(gpu.loss - cpu.loss) <= 1e-5 * Math.abs(cpu.loss), `loss: gpu ${gpu.loss} vs cpu ${cpu.loss}`);
  cpu.grads.forEach((g, i) => close(`parameter grad ${i}`, gpu.grads[i], g, 1e-6, 1e-4));
  // Embedding lookups, concatenations and gathers run on the CPU backend, and are counted as such.
  const after = backendInfo().stats!.fallbacks;
  assert.ok((after.indexSelect ?? 0) > (before.indexSelect ?? 0), `embedding lookups are counted as fallbacks: ${JSON.stringify(after)}`);
});

test("AdamW trains a layer on the device: the same losses as on the CPU backend, parameters never leave the device", async () => {
  const train = (cpu: boolean): number[] => {
    const exec = <T>(fn: () => T): T => (cpu ? onCpu(fn) : fn());
    manualSeed(4);
    const layer = new nn.TransformerEncoderLayer(32, 2, 64, { dropout: 0, normFirst: true });
    const opt = new optim.AdamW(layer.parameters(), { lr: 3e-3 });
    const x = tensor(values(3 * 10 * 32, 11, 1), [3, 10, 32]);
    const target = tensor(values(3 * 10 * 32, 12, 1), [3, 10, 32]);
    const losses: number[] = [];
    for (let step = 0; step < 5; step++) {
      exec(() => {
        opt.zeroGrad();
        const loss = F.mseLoss(layer.forward(x), target);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
    return losses;
  };
  const cpu = train(true);
  const before = backendInfo().stats!.fallbacks.adamw ?? 0;
  const gpu = train(false);
  cpu.forEach((l, i) => assert.ok(Math.abs(gpu[i] - l) <= 1e-4 * Math.abs(l), `step ${i}: gpu loss ${gpu[i]} vs cpu ${l}`));
  assert.ok(gpu[4] < gpu[0], `loss went down: ${gpu.join(", ")}`);
  assert.is(backendInfo().stats!.fallbacks.adamw ?? 0, before);
});

test("reads: await data() without a sync point, item() and storage block, fallbacks are counted", async () => {
  const stats = backendInfo().stats!;
  const x = tensor([1, 2, 3, 4], [2, 2]);
  const y = x.matmul(x);
  const syncBefore = stats.syncReads;
  assert.equal(Array.from(await y.data()), [7, 10, 15, 22]);
  assert.is(stats.syncReads, syncBefore);
  assert.is(y.sum().item(), 54);
  assert.is(stats.syncReads, syncBefore + 1);
  const catBefore = stats.fallbacks.cat ?? 0;
  const c = x.matmul(x).reshape(4);
  const joined = await import("../../../../engine/index.ts").then((e) => e.cat([c, c]));
  assert.equal(Array.from(await joined.data()), [7, 10, 15, 22, 7, 10, 15, 22]);
  assert.is(stats.fallbacks.cat, catBefore + 1);
});

test("tidy() frees each training step's device buffers; gradients, optimizer state and parameters survive", async () => {
  manualSeed(5);
  const layer = new nn.TransformerEncoderLayer(16, 2, 32, { dropout: 0, normFirst: true });
  const opt = new optim.AdamW(layer.parameters(), { lr: 1e-2 });
  const x = tensor(values(2 * 6 * 16, 21, 1), [2, 6, 16]);
  const stats = backendInfo().stats!;
  const live: number[] = [];
  const losses: number[] = [];
  for (let step = 0; step < 6; step++) {
    const loss = tidy(() => {
      opt.zeroGrad();
      const l = layer.forward(x).square().mean();
      l.backward();
      opt.step();
      return l;
    });
    losses.push(loss.item());
    live.push(stats.liveBuffers);
  }
  assert.ok(losses[5] < losses[0], `loss falls: ${losses.join(", ")}`);
  // Steady state: later steps hold no more device buffers than the first (no per-step growth).
  assert.ok(live[5] <= live[1], `live device buffers per step: ${live.join(", ")}`);
  const t = tidy(() => { const a = x.matmul(x.mT); const b = a.add(1); return { b }; }).b;
  assert.is((await t.data()).length, 2 * 6 * 6);
  const gone = tidy(() => { const a = x.matmul(x.mT); const kept = keep(a.mul(2)); void kept; return a.sum(); });
  assert.type(gone.item(), "number");
  let leaked!: Tensor;
  tidy(() => { leaked = x.matmul(x.mT); });
  assert.throws(() => leaked.sum().item(), /used after dispose\(\) or the end of the tidy\(\)/);
});

test("bad requests get clear errors", async () => {
  const rejects = async (p: Promise<unknown>, re: RegExp): Promise<void> => {
    try { await p; } catch (err) { assert.match((err as Error).message, re); return; }
    assert.unreachable(`expected an error matching ${re}`);
  };
  await rejects(setBackend("tpu" as "gpu"), /unknown backend "tpu"/);
  await rejects(setBackend("gpu", { mode: "vulkan-please" }), /unknown gpu\.js mode/);
  assert.is(backendInfo().name, "gpu", "a failed switch keeps the working device");
});

t.run();
