// The first program to run: a two-layer transformer learns to reverse digit sequences, and its loss falls.
//   npx tsx examples/01_train_tiny_transformer.ts [steps]
//   AETNET_BACKEND=gpu npx tsx examples/01_train_tiny_transformer.ts   (the same on the gpu backend; docs/GPU.md)
import { F, Tensor, manualSeed, nn, noGrad, optim, randint, setBackendFromEnv, tensor, tidy, arange } from "../engine/index.ts";

const VOCAB = 10; // digits 0–9
const LENGTH = 8; // sequence length
const WIDTH = 64;
const BATCH = 32;
const STEPS = Number(process.argv[2] ?? 150);

/** Token + position embeddings, a pre-LN transformer encoder, and a per-position classifier. */
class Reverser extends nn.Module {
  tokens = new nn.Embedding(VOCAB, WIDTH);
  positions = new nn.Embedding(LENGTH, WIDTH);
  encoder = new nn.TransformerEncoder(() => new nn.TransformerEncoderLayer(WIDTH, 4, 4 * WIDTH, { dropout: 0, normFirst: true }), 2, { norm: new nn.LayerNorm(WIDTH) });
  head = new nn.Linear(WIDTH, VOCAB);

  forward(x: Tensor): Tensor { // x [B, L] int32 → logits [B, L, VOCAB]
    const h = this.tokens.forward(x).add(this.positions.forward(arange(LENGTH)));
    return this.head.forward(this.encoder.forward(h));
  }
}

/** A batch of random digit strings and their reversals. */
function batch(): { x: Tensor; y: Tensor } {
  const x = randint(0, VOCAB, [BATCH, LENGTH]);
  const rows = x.tolist() as number[][];
  return { x, y: tensor(Int32Array.from(rows.flatMap((r) => [...r].reverse())), [BATCH, LENGTH]) };
}

await setBackendFromEnv(); // AETNET_BACKEND=gpu|reference and AETNET_THREADS apply from here
manualSeed(0);
const model = new Reverser();
const opt = new optim.AdamW(optim.paramGroupsNoDecay(model, 0.01), { lr: 3e-3 });
const schedule = new optim.LRScheduler(opt, (s) => optim.linearWarmupDecay(s, { warmupSteps: 20, totalSteps: STEPS }));
console.log(`parameters: ${nn.parameterCount(model)}; training ${STEPS} steps of ${BATCH} sequences of ${LENGTH} digits`);

const started = performance.now();
for (let step = 1; step <= STEPS; step++) {
  const { x, y } = batch();
  // tidy() frees the step's intermediate tensors at once: their wasm memory on the CPU backend, their device
  // buffers on the gpu backend (AETNET_BACKEND=gpu). What the step returns survives it (docs/MEMORY.md).
  const { logits, loss } = tidy(() => {
    const logits = model.forward(x);
    const loss = F.crossEntropy(logits.reshape(-1, VOCAB), y.reshape(-1));
    opt.zeroGrad();
    loss.backward();
    optim.clipGradNorm(model.parameters(), 1.0);
    opt.step();
    return { logits, loss };
  });
  schedule.step();
  if (step === 1 || step % 25 === 0) {
    const accuracy = noGrad(() => logits.argmax(-1).eq(y).float().mean().item());
    console.log(`step ${String(step).padStart(4)}  loss ${loss.item().toFixed(4)}  token accuracy ${(100 * accuracy).toFixed(1)}%  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
}
const { x, y } = batch();
const predicted = noGrad(() => model.forward(x).argmax(-1));
console.log(`input     ${(x.tolist() as number[][])[0].join(" ")}\nexpected  ${(y.tolist() as number[][])[0].join(" ")}\npredicted ${(predicted.tolist() as number[][])[0].join(" ")}`);
