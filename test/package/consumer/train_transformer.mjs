// A plain-JavaScript user of the installed package: a tiny transformer learns to reverse digit strings for a
// few steps. Prints {"losses": [...], "backend": {...}} as its last line; the test checks the loss falls.
import { F, manualSeed, nn, optim, randint, setThreads, tensor, arange, backendInfo } from "aetnet/engine";

const [VOCAB, LENGTH, WIDTH, BATCH, STEPS] = [10, 6, 32, 16, 30];
setThreads(1);
manualSeed(0);

class Reverser extends nn.Module {
  tokens = new nn.Embedding(VOCAB, WIDTH);
  positions = new nn.Embedding(LENGTH, WIDTH);
  encoder = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(WIDTH, 2, 2 * WIDTH, { dropout: 0, normFirst: true }), 1);
  head = new nn.Linear(WIDTH, VOCAB);
  forward(x) { return this.head.forward(this.encoder.forward(this.tokens.forward(x).add(this.positions.forward(arange(LENGTH))))); }
}

const model = new Reverser();
const opt = new optim.AdamW(model.parameters(), { lr: 1e-2 });
const losses = [];
for (let step = 0; step < STEPS; step++) {
  const x = randint(0, VOCAB, [BATCH, LENGTH]);
  const y = tensor(Int32Array.from(x.tolist().flatMap((row) => [...row].reverse())), [BATCH, LENGTH]);
  const loss = F.crossEntropy(model.forward(x).reshape(-1, VOCAB), y.reshape(-1));
  opt.zeroGrad();
  loss.backward();
  opt.step();
  losses.push(loss.item());
}
console.log(JSON.stringify({ losses, backend: backendInfo() }));
