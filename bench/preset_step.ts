// Seconds per AETNet training step (forward, backward, AdamW, momentum update) of the `cpu` and `small`
// presets at the FUNSD batch shape, B 4 × T 256: what docs/TRAINING.md quotes to size a run.
//   AETNET_THREADS=1 npx tsx bench/preset_step.ts [reps]
import { setBackendFromEnv } from "../engine/index.ts";
import { cpu, small, withOverrides, type AETNetConfig } from "../src/config.ts";
import { aetnetStep } from "./aetnet_step.ts";

await setBackendFromEnv(); // AETNET_THREADS
const reps = Number(process.argv[2] ?? 3);
const presets: [string, AETNetConfig][] = [["cpu", cpu], ["small", small], ["small, fusion only", withOverrides(small, { align: false })]];
for (const [name, config] of presets) {
  const step = aetnetStep(config, 4, 256);
  step(); // warm-up: wasm compile, worker start, first allocations
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) step();
  console.log(`${name.padEnd(20)} ${((performance.now() - t0) / 1000 / reps).toFixed(2)} s/step`);
}
