// Fused vs composed attention on the W2 encoder layer (here through F.scaledDotProductAttention, which the
// fused kernels serve) and an AETNet `cpu`-preset training step, with the other fused ops on; all fused ops
// off for comparison (the AETNet step reaches the kernel through its ViT and RoBERTa layers; the LayoutLMv3
// fusion layers keep their CogView softmax). Runs alternate between the modes so load changes hit all alike; prints medians. `npx tsx bench/attention_fused.ts [reps]`.
import { setFusedOps } from "../engine/backends/registry.ts";
import { F, manualSeed, randn, type Tensor } from "../engine/index.ts";
import { attentionTuning } from "../engine/ops/attention.ts";
import { cpu } from "../src/config.ts";
import { aetnetStep } from "./aetnet_step.ts";
import { ENCODER } from "./harness.ts";

const reps = Number(process.argv[2] ?? 5);
manualSeed(0);
const param = (shape: number[], scale = 0.02): Tensor => randn(shape).mul(scale).requiresGrad_();

/** The W2 pre-LN encoder layer (bench/engines/aetnet.ts), its attention through the public op; fwd+bwd. */
function encoderLayer(): () => void {
  const { batch: B, seq: T, hidden: H, heads: NH, mlp: M } = ENCODER;
  const D = H / NH;
  const [ln1w, ln1b, ln2w, ln2b] = [param([H], 1), param([H]), param([H], 1), param([H])];
  const [wq, wk, wv, wo, w1, w2] = [param([H, H]), param([H, H]), param([H, H]), param([H, H]), param([M, H]), param([H, M])];
  const [bq, bk, bv, bo, b1, b2] = [param([H]), param([H]), param([H]), param([H]), param([M]), param([H])];
  const params = [ln1w, ln1b, ln2w, ln2b, wq, wk, wv, wo, w1, w2, bq, bk, bv, bo, b1, b2];
  const heads = (t: Tensor): Tensor => t.reshape([B, T, NH, D]).permute([0, 2, 1, 3]); // (B, NH, T, D)
  const x = randn([B, T, H]);
  return () => {
    for (const p of params) p.zeroGrad();
    const h1 = F.layerNorm(x, H, ln1w, ln1b);
    const ctx = F.scaledDotProductAttention(heads(F.linear(h1, wq, bq)), heads(F.linear(h1, wk, bk)), heads(F.linear(h1, wv, bv)));
    const h = x.add(F.linear(ctx.permute([0, 2, 1, 3]).reshape([B, T, H]), wo, bo));
    h.add(F.linear(F.gelu(F.linear(F.layerNorm(h, H, ln2w, ln2b), w1, b1)), w2, b2)).mean().backward();
  };
}

/** One AdamW training step of the `cpu` preset (token task, 2 documents of 64 tokens, 8 padded, dropout on). */
const cpuStep = (): (() => void) => aetnetStep(cpu, 2, 64, 8);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [name, make] of [["W2 encoder layer fwd+bwd (F.scaledDotProductAttention)", encoderLayer], ["AETNet cpu-preset training step", cpuStep]] as const) {
  const work = make();
  const modes = { fused: [true, true], "composed attention": [true, false], "all composed": [false, false] } as const;
  const times = new Map<string, number[]>(Object.keys(modes).map((m) => [m, []]));
  for (let r = -1; r < reps; r++) {
    for (const [mode, [ops, attention]] of Object.entries(modes)) {
      setFusedOps(ops);
      attentionTuning.fused = attention;
      const t0 = performance.now();
      work();
      if (r >= 0) times.get(mode)!.push(performance.now() - t0); // r = −1 warms up
    }
  }
  setFusedOps(true);
  attentionTuning.fused = true;
  const f = median(times.get("fused")!);
  const cells = [...times].map(([mode, ts]) => `${mode} ${median(ts).toFixed(0)} ms (×${(median(ts) / f).toFixed(2)})`);
  console.log(`${name}, median of ${reps}: ${cells.join(", ")}`);
}
