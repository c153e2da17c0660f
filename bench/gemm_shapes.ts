// GF/s of each GEMM shape of the W2 encoder layer's training step (linear x·wᵀ, g·w, gᵀ·x; attention q·kᵀ,
// p·v and their gradients, batched over B·heads), beside the W1 1024² matmul, on the current backend:
//   AETNET_THREADS=2 node --import tsx bench/gemm_shapes.ts
// GF per CPU-second (all threads' CPU time) shows the kernels' own efficiency when other work shares the cores.
import { manualSeed, noGrad, randn, setBackendFromEnv, tidy } from "../engine/index.ts";
import { mm } from "../engine/ops/matmul.ts";
import { ENCODER } from "./harness.ts";

await setBackendFromEnv();
manualSeed(0);
const { batch: B, seq: T, hidden: H, heads: NH, mlp: M } = ENCODER;
const D = H / NH;
const BH = B * NH;
const R = B * T;
/** [label, a shape, b shape, transA, transB] with op(a)·op(b) as in the layer. */
const shapes: [string, number[], number[], boolean, boolean][] = [
  ["w1 1024²", [1024, 1024], [1024, 1024], false, false],
  ["x·wᵀ 2048×256·256", [R, H], [H, H], false, true],
  ["g·w 2048×256·256", [R, H], [H, H], false, false],
  ["gᵀ·x 256×2048·256", [R, H], [R, H], true, false],
  ["x·wᵀ 2048×256·1024", [R, H], [M, H], false, true],
  ["g·w 2048×1024·256", [R, M], [M, H], false, false],
  ["gᵀ·x 1024×2048·256", [R, M], [R, H], true, false],
  ["x·wᵀ 2048×1024·256", [R, M], [H, M], false, true],
  ["g·w 2048×256·1024", [R, H], [H, M], false, false],
  ["gᵀ·x 256×2048·1024", [R, H], [R, M], true, false],
  ["q·kᵀ 32×256×64·256", [BH, T, D], [BH, D, T], false, false],
  ["gs·k 32×256×256·64", [BH, T, T], [BH, D, T], false, true],
  ["qᵀ·gs 32×64×256·256", [BH, T, D], [BH, T, T], true, false],
  ["p·v 32×256×256·64", [BH, T, T], [BH, T, D], false, false],
  ["g·vᵀ 32×256×64·256", [BH, T, D], [BH, T, D], false, true],
  ["pᵀ·g 32×256×256·64", [BH, T, T], [BH, T, D], true, false],
];
const minMs = Number(process.env.GEMM_MS ?? 400);
let totalFlop = 0, totalMs = 0, totalCpu = 0;
for (const [label, as, bs, ta, tb] of shapes) {
  const a = randn(as), b = randn(bs);
  const [m, k] = ta ? as.slice(-2).reverse() : as.slice(-2);
  const n = tb ? bs[bs.length - 2] : bs[bs.length - 1];
  const flop = 2 * (as.length > 2 ? as[0] : 1) * m * n * k;
  const run = (): void => tidy(() => noGrad(() => { mm(a, b, ta, tb); }));
  run(); run();
  const times: number[] = [];
  const start = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - start < minMs || times.length < 5) {
    const t0 = performance.now(); run(); times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / times.length;
  times.sort((x, y) => x - y);
  const med = times[Math.floor(times.length / 2)];
  if (!label.startsWith("w1")) { totalFlop += flop; totalMs += med; totalCpu += cpuMs; }
  console.log(`${label.padEnd(24)} ${med.toFixed(2).padStart(8)} ms ${(flop / med / 1e6).toFixed(1).padStart(7)} GF/s` +
    `  (${(flop / cpuMs / 1e6).toFixed(1).padStart(6)} GF per CPU-second)`);
}
console.log(`${"W2 shapes (sum, once)".padEnd(24)} ${totalMs.toFixed(2).padStart(8)} ms ${(totalFlop / totalMs / 1e6).toFixed(1).padStart(7)} GF/s` +
  `  (${(totalFlop / totalCpu / 1e6).toFixed(1).padStart(6)} GF per CPU-second)`);
