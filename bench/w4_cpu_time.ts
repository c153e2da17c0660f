// W4's training step (small preset, B2×T64) timed by process CPU time as well as wall time: on a loaded machine
// the CPU time per step is the steadier before/after figure. Median of 7 steps after 2 warm-ups.
//   AETNET_THREADS=1 npx tsx bench/w4_cpu_time.ts
import { manualSeed, setBackendFromEnv, tidy } from "../engine/index.ts";
import { small } from "../src/config.ts";
import { aetnetStep } from "./aetnet_step.ts";

async function main(): Promise<void> {
  await setBackendFromEnv();
  manualSeed(0);
  const step = aetnetStep(small);
  tidy(step);
  tidy(step);
  const wall: number[] = [], cpu: number[] = [];
  for (let i = 0; i < 7; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    tidy(step);
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  const median = (x: number[]): string => x.sort((a, b) => a - b)[3].toFixed(0);
  console.log(`threads=${process.env.AETNET_THREADS ?? "default"} wall ${median(wall)} ms, cpu ${median(cpu)} ms per step`);
}

void main();
