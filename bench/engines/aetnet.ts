// This engine on every workload (W1–W4). The encoder layer is written from primitive ops, as for the peers.
// `--memory=w2_fwdbwd` (run by bench/run.ts in a fresh `node --expose-gc` process) instead profiles the
// peak memory of one W2 training step: forward, backward and an AdamW update.
import { F, manualSeed, matmul, noGrad, optim, randint, randn, setBackendFromEnv, softmax, tidy, type Tensor } from "../../engine/index.ts";
import { backendInfo, syncDevice } from "../../engine/backends/registry.ts";
import { wasmRuntime } from "../../engine/backends/wasm/index.ts";
import { mm } from "../../engine/ops/matmul.ts";
import { small, withOverrides } from "../../src/config.ts";
import { aetnetStep } from "../aetnet_step.ts";
import { CE_SHAPE, ENCODER, SOFTMAX_SHAPE, runEngine } from "../harness.ts";

await setBackendFromEnv(); // AETNET_BACKEND and AETNET_THREADS, as bench/run.ts sets them per row

manualSeed(0);
const param = (shape: number[], scale = 0.02): Tensor => randn(shape).mul(scale).requiresGrad_();

function matmulWork(s: number): () => void {
  const a = randn([s, s]), b = randn([s, s]);
  return () => { matmul(a, b); };
}

/** Pre-LN encoder layer: x + MHA(LN(x)), then h + MLP(GELU)(LN(h)). */
function encoderLayer(): { x: Tensor; params: Tensor[]; forward: (x: Tensor) => Tensor } {
  const { batch: B, seq: T, hidden: H, heads: NH, mlp: M } = ENCODER;
  const D = H / NH;
  const [ln1w, ln1b, ln2w, ln2b] = [param([H], 1), param([H]), param([H], 1), param([H])];
  const [wq, wk, wv, wo, w1, w2] = [param([H, H]), param([H, H]), param([H, H]), param([H, H]), param([M, H]), param([H, M])];
  const [bq, bk, bv, bo, b1, b2] = [param([H]), param([H]), param([H]), param([H]), param([M]), param([H])];
  const heads = (t: Tensor): Tensor => t.reshape([B, T, NH, D]).permute([0, 2, 1, 3]); // (B, NH, T, D)
  const forward = (x: Tensor): Tensor => {
    const h1 = F.layerNorm(x, H, ln1w, ln1b);
    const [q, k, v] = [heads(F.linear(h1, wq, bq)), heads(F.linear(h1, wk, bk)), heads(F.linear(h1, wv, bv))];
    const att = softmax(matmul(q, k.transpose(-2, -1)).mul(1 / Math.sqrt(D)), -1); // (B, NH, T, T)
    const ctx = matmul(att, v).permute([0, 2, 1, 3]).reshape([B, T, H]);
    const h = x.add(F.linear(ctx, wo, bo));
    const m = F.linear(F.linear(F.layerNorm(h, H, ln2w, ln2b), w1, b1, { activation: "gelu" }), w2, b2); // GELU fused
    return h.add(m);
  };
  return { x: randn([B, T, H]), params: [ln1w, ln1b, ln2w, ln2b, wq, wk, wv, wo, w1, w2, bq, bk, bv, bo, b1, b2], forward };
}

/**
 * The GEMMs of one W2 forward + backward alone: each forward matmul of the layer and its two gradient
 * matmuls, with the layer's shapes and transposes (linear: x·wᵀ, then g·w and gᵀ·x; attention: q·kᵀ and p·v
 * with theirs). W2 fwd+bwd minus this is the layer's non-GEMM time.
 */
function w2Gemms(): () => void {
  const { batch: B, seq: T, hidden: H, heads: NH, mlp: M } = ENCODER;
  const D = H / NH;
  const linears = [[H, H], [H, H], [H, H], [H, H], [H, M], [M, H]].map(([k, n]) => ({ x: randn([B * T, k]), w: randn([n, k]), g: randn([B * T, n]) }));
  const [q, kT, att, v] = [randn([B, NH, T, D]), randn([B, NH, D, T]), randn([B, NH, T, T]), randn([B, NH, T, D])];
  const [gScores, gCtx] = [randn([B, NH, T, T]), randn([B, NH, T, D])];
  return () => noGrad(() => {
    for (const { x, w, g } of linears) { mm(x, w, false, true); mm(g, w, false, false); mm(g, x, true, false); }
    mm(q, kT, false, false); mm(gScores, kT, false, true); mm(q, gScores, true, false);
    mm(att, v, false, false); mm(gCtx, v, false, true); mm(att, gCtx, true, false);
  });
}

// On the gpu backend (AETNET_BACKEND=gpu) an op returns before the device has done its work: each timed run
// ends with a one-element device read, which the device queue answers only after everything before it.
// Each timed run is one tidy(): what it makes is freed when it ends, as in a training loop (src/train/trainer.ts).
// Its result is dropped inside the tidy (a tidy keeps what it returns): returned outputs kept alive until the GC
// ran filled the tensor heap, and later workloads then ran on JS-heap tensors through the copying path.
const gpu = backendInfo().name === "gpu";
const settled = (make: () => () => void) => (): (() => void) => {
  const work = make();
  const run = (): void => tidy(() => { work(); });
  return gpu ? () => { run(); syncDevice(); } : run;
};
const settle = (impl: Record<string, () => () => void>) => Object.fromEntries(Object.entries(impl).map(([id, make]) => [id, settled(make)]));

runEngine(settle({
  w1_512: () => matmulWork(512),
  w1_1024: () => matmulWork(1024),
  w1_2048: () => matmulWork(2048),
  w2_fwd: () => { const l = encoderLayer(); return () => noGrad(() => l.forward(l.x)); },
  w2_fwdbwd: () => { const l = encoderLayer(); return () => { for (const p of l.params) p.zeroGrad(); l.forward(l.x).mean().backward(); }; },
  w3_softmax_fwd: () => { const x = randn([...SOFTMAX_SHAPE]); return () => noGrad(() => softmax(x, -1)); },
  w3_softmax_fwdbwd: () => {
    const x = randn([...SOFTMAX_SHAPE]).requiresGrad_(), w = randn([...SOFTMAX_SHAPE]);
    return () => { x.zeroGrad(); softmax(x, -1).mul(w).sum().backward(); };
  },
  w3_ce_fwd: () => { const x = randn([...CE_SHAPE]), y = randint(0, CE_SHAPE[1], [CE_SHAPE[0]]).int(); return () => noGrad(() => F.crossEntropy(x, y)); },
  w3_ce_fwdbwd: () => {
    const x = randn([...CE_SHAPE]).requiresGrad_(), y = randint(0, CE_SHAPE[1], [CE_SHAPE[0]]).int();
    return () => { x.zeroGrad(); F.crossEntropy(x, y).backward(); };
  },
  w2_gemms: () => w2Gemms(),
  w4_step: () => aetnetStep(small),
  w4_b4t256: () => aetnetStep(small, 4, 256),
  w4_fusion_b4t256: () => aetnetStep(withOverrides(small, { align: false }), 4, 256),
}), {}, {}, {
  w2_fwdbwd: () => {
    const l = encoderLayer();
    const opt = new optim.AdamW(l.params, { lr: 1e-4 });
    return {
      step: "W2 layer forward + backward + AdamW step",
      forward: () => { opt.zeroGrad(); return l.forward(l.x).mean(); },
      backward: (loss) => { (loss as Tensor).backward(); opt.step(); },
      scope: (step) => tidy(step),
      engineBytes: () => {
        const s = wasmRuntime().heapStats();
        return s.liveBytes - s.scratchBytes;
      },
    };
  },
});
