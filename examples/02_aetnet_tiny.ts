// AETNet end to end on the tiny preset: build, one training step on 4 synthetic documents, every loss term printed.
//   npx tsx examples/02_aetnet_tiny.ts          (about a second per step on an idle CPU)
//   npx tsx examples/02_aetnet_tiny.ts --base   (also builds the paper-size model and prints its parameter counts)
import { manualSeed, optim, randint, randn, tensor } from "../engine/index.ts";
import { AETNet, base, parameterCounts, tiny } from "../src/index.ts";

manualSeed(0);
const [B, T] = [4, 16];
const model = new AETNet(tiny, { task: "token", numLabels: 7 }); // FUNSD: O + B/I × {HEADER, QUESTION, ANSWER}
console.log("tiny parameter counts", parameterCounts(model));

// Synthetic documents: <s> words </s>, one 0–1000 box per word, two independently "augmented" page views.
const ids = randint(3, tiny.vocabSize, [B, T]);
const box = (i: number): number[] => { const x = (i * 97) % 900, y = (i * 53) % 900; return [x, y, x + 40, y + 20]; };
const boxes = Array.from({ length: B * T }, (_, i) => (i % T === 0 || i % T === T - 1 ? [0, 0, 0, 0] : box(i)));
const bbox = tensor(Int32Array.from(boxes.flat()), [B, T, 4]);
for (let b = 0; b < B; b++) { ids.storage[b * T] = 0; ids.storage[b * T + T - 1] = 2; }
const page = randn([B, 3, tiny.imageSize, tiny.imageSize]);
const batch = {
  inputIds: ids, bbox, attentionMask: tensor(Int32Array.from({ length: B * T }, () => 1), [B, T]),
  pixelValues: page, pixelValuesAug: page.add(randn(page.shape).mul(0.1)), labels: randint(0, 7, [B, T]),
};

const opt = new optim.AdamW(model.trainableParameters(), { lr: 1e-4, weightDecay: 0.02 });
const start = performance.now();
const out = model.forward(batch);
opt.zeroGrad();
out.loss.backward();
opt.step();
model.afterStep(); // clamp τ, EMA the momentum encoders, enqueue this batch's momentum features
console.log(`step took ${(performance.now() - start).toFixed(0)} ms; total loss ${out.loss.item().toFixed(4)} (ita ${out.ita?.item().toFixed(4)})`);
for (const [name, value] of Object.entries(out.terms)) console.log(`  ${name.padEnd(10)} ${value.item().toFixed(4)}`);
console.log(`queue pointer ${model.queue?.pointer}, temperature ${model.temp?.item().toFixed(4)}`);

if (process.argv.includes("--base")) {
  const big = new AETNet(base, { task: "token", numLabels: 7 });
  console.log("base parameter counts (DeiT-base 85,798,656; RoBERTa-base w/o pooler 124,055,040; LayoutLMv3-base 125,326,976)", parameterCounts(big));
}
