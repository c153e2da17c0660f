// A plain-JavaScript user of the installed package: builds the tiny AETNet and runs training steps on four
// synthetic documents. Prints {"losses": [...], "terms": [...]} as its last line.
import { manualSeed, optim, randint, randn, setThreads, tensor } from "aetnet/engine";
import { AETNet, parameterCounts, tiny } from "aetnet";

setThreads(1);
manualSeed(0);
const [B, T] = [2, 12];
const model = new AETNet(tiny, { task: "token", numLabels: 7 });
const ids = randint(3, tiny.vocabSize, [B, T]);
const box = (i) => { const x = (i * 97) % 900, y = (i * 53) % 900; return [x, y, x + 40, y + 20]; };
const bbox = tensor(Int32Array.from(Array.from({ length: B * T }, (_, i) => box(i)).flat()), [B, T, 4]);
const page = randn([B, 3, tiny.imageSize, tiny.imageSize]);
const batch = {
  inputIds: ids, bbox, attentionMask: tensor(new Int32Array(B * T).fill(1), [B, T]),
  pixelValues: page, pixelValuesAug: page.add(randn(page.shape).mul(0.1)), labels: randint(0, 7, [B, T]),
};
const opt = new optim.AdamW(model.trainableParameters(), { lr: 1e-3 });
const losses = [];
let terms = [];
for (let step = 0; step < 3; step++) {
  const out = model.forward(batch);
  opt.zeroGrad();
  out.loss.backward();
  opt.step();
  model.afterStep();
  losses.push(out.loss.item());
  terms = Object.keys(out.terms);
}
console.log(JSON.stringify({ losses, terms, parameters: parameterCounts(model) }));
