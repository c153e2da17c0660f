// Golden test: every AETNet loss and its input gradients against the independent PyTorch implementation (test/golden/gen_losses.py).
import { readFileSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, tensor } from "../../../engine/index.ts";
import { ditcLoss, imcLoss, glitcLoss, patchPool, pitaLoss, type Temperature } from "../../../src/index.ts";

interface Rec { shape: number[]; data: number[] }
interface ContrastiveCase { name: string; kind: "ditc" | "imc"; alpha: number; temp: number; learnable: boolean; imageFeat: Rec; textFeat: Rec; imageFeatAll: Rec; textFeatAll: Rec; values: [number, number]; gradsA: Rec[]; gradsB: Rec[] }
interface GlitcTextCase { name: string; temp: number; learnable: boolean; local: Rec; global: Rec; mask: number[][]; value: number; grads: Rec[] }
interface GlitcImageCase { name: string; temp: number; learnable: boolean; patches: Rec; global: Rec; pooled: Rec; value: number; grads: Rec[] }
interface PitaCase { name: string; patchEmbeds: Rec; tokenEmbeds: Rec; bbox: number[][][]; mask: number[][]; labels: number[][]; value: number; grads: Rec[] }
interface Golden { contrastive: ContrastiveCase[]; glitcText: GlitcTextCase[]; glitcImage: GlitcImageCase[]; pita: PitaCase[] }

const golden: Golden = JSON.parse(readFileSync(new URL("../../fixtures/losses_golden.json", import.meta.url), "utf8"));
const RTOL = 1e-6;
const ATOL = 1e-9;

/** L2 along the last dim with PyTorch's eps (composed here so the test does not depend on F.normalize). */
const normalize = (x: Tensor): Tensor => x.div(x.mul(x).sum(-1, true).sqrt().maximum(1e-12));
const leaf = (r: Rec): Tensor => tensor(Float64Array.from(r.data), r.shape, { dtype: "float64", requiresGrad: true });
const temperature = (value: number, learnable: boolean): Temperature => (learnable ? tensor(Float64Array.from([value]), [], { dtype: "float64", requiresGrad: true }) : value);

function close(actual: ArrayLike<number>, expected: readonly number[], what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= ATOL + RTOL * Math.abs(expected[i]);
    if (!ok) assert.unreachable(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

function checkGrads(loss: Tensor, inputs: (Tensor | number)[], expected: Rec[], what: string): void {
  inputs.forEach((x) => { if (x instanceof Tensor) x.zeroGrad(); });
  loss.backward();
  const tensors = inputs.filter((x): x is Tensor => x instanceof Tensor);
  assert.is(tensors.length, expected.length, `${what}: gradient count`);
  tensors.forEach((x, k) => close(x.grad === null ? new Float64Array(x.numel) : x.grad.storage, expected[k].data, `${what} grad ${k}`));
}

const t = suite("losses golden (PyTorch)");

for (const c of golden.contrastive) {
  t(c.name, () => {
    for (const [side, values, grads] of [[0, c.values[0], c.gradsA], [1, c.values[1], c.gradsB]] as const) {
      const image = leaf(c.imageFeat);
      const text = leaf(c.textFeat);
      const temp = temperature(c.temp, c.learnable);
      const imageAll = leaf(c.imageFeatAll).detach();
      const textAll = leaf(c.textFeatAll).detach();
      // Object.values keeps the declared order: [i2t, t2i] or [i2i, t2t].
      const pair = c.kind === "ditc" ? Object.values(ditcLoss(image, text, imageAll, textAll, temp, c.alpha)) : Object.values(imcLoss(image, text, imageAll, textAll, temp));
      const loss = pair[side];
      close([loss.item()], [values], `${c.name} value ${side}`);
      checkGrads(loss, [image, text, temp], grads, `${c.name} direction ${side}`);
    }
  });
}

for (const c of golden.glitcText) {
  t(c.name, () => {
    const local = leaf(c.local);
    const global = leaf(c.global);
    const temp = temperature(c.temp, c.learnable);
    const loss = glitcLoss(local, global, temp, c.mask);
    close([loss.item()], [c.value], `${c.name} value`);
    checkGrads(loss, [local, global, temp], c.grads, c.name);
  });
}

for (const c of golden.glitcImage) {
  t(c.name, () => {
    const patches = leaf(c.patches);
    const global = leaf(c.global);
    const temp = temperature(c.temp, c.learnable);
    const pooled = patchPool(normalize(patches));
    close(pooled.storage, c.pooled.data, `${c.name} pooled`);
    const loss = glitcLoss(pooled, global, temp);
    close([loss.item()], [c.value], `${c.name} value`);
    checkGrads(loss, [patches, global, temp], c.grads, c.name);
  });
}

for (const c of golden.pita) {
  t(c.name, () => {
    const patches = leaf(c.patchEmbeds);
    const tokens = leaf(c.tokenEmbeds);
    const loss = pitaLoss(patches, tokens, c.bbox, c.mask);
    close([loss.item()], [c.value], `${c.name} value`);
    checkGrads(loss, [patches, tokens], c.grads, c.name);
    // The same call with int32 tensors for boxes and mask.
    const b = c.bbox.length;
    const n = c.mask[0].length;
    const boxT = tensor(Int32Array.from(c.bbox.flat(2)), [b, n, 4]);
    const maskT = tensor(Int32Array.from(c.mask.flat()), [b, n]);
    close([pitaLoss(patches, tokens, boxT, maskT).item()], [c.value], `${c.name} value (tensor boxes)`);
  });
}

t.run();
