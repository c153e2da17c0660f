// The W2 encoder layer (nn.TransformerEncoderLayer 256/4/1024, pre-LN, B8×T256) forward + backward: median wall
// and CPU time (all threads) of 9 steps after 2 warm-up steps. CPU time shows the work done when other processes
// share the cores and wall time is noisy:
//   AETNET_THREADS=1 node --import tsx bench/w2_step_cpu.ts
import { manualSeed, nn, randn, setBackendFromEnv, tidy } from "../engine/index.ts";

await setBackendFromEnv();
manualSeed(0);
const layer = new nn.TransformerEncoderLayer(256, 4, 1024, { dropout: 0, normFirst: true });
const x = randn([8, 256, 256]);
const step = (): void => tidy(() => { for (const p of layer.parameters()) p.zeroGrad(); layer.forward(x).mean().backward(); });
step(); step();
const wall: number[] = [], cpu: number[] = [];
for (let i = 0; i < 9; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  step();
  wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
}
const median = (a: number[]): number => a.sort((p, q) => p - q)[Math.floor(a.length / 2)];
console.log(`threads=${process.env.AETNET_THREADS ?? "default"}: W2 fwd+bwd wall ${median(wall).toFixed(0)} ms, CPU ${median(cpu).toFixed(0)} ms`);
