// The wasm tensor heap's high-water mark during W4's training step (small preset) and the bytes kernels copied
// in because a tensor lived on the JS heap (past the heap's cap): a count, independent of machine load.
//   npx tsx bench/w4_heap_peak.ts [batch] [tokens]        (default 4 256, the FUNSD shape)
//   AETNET_WASM_MEMORY_MB=1024 npx tsx bench/w4_heap_peak.ts
import { manualSeed, setBackendFromEnv, tidy } from "../engine/index.ts";
import { wasmRuntime } from "../engine/backends/wasm/index.ts";
import { small } from "../src/config.ts";
import { aetnetStep } from "./aetnet_step.ts";

const MiB = 2 ** 20;

async function main(): Promise<void> {
  await setBackendFromEnv();
  manualSeed(0);
  const [b, t] = [Number(process.argv[2] ?? 4), Number(process.argv[3] ?? 256)];
  const rt = wasmRuntime();
  const step = aetnetStep(small, b, t);
  tidy(step); // warm: optimizer state, queues, kernel scratch
  rt.heap.resetPeaks();
  const copied = rt.copies.inBytes + rt.copies.outBytes;
  tidy(step);
  const s = rt.heapStats();
  const out = (x: number): string => `${(x / MiB).toFixed(0)} MiB`;
  console.log(`B${b}×T${t}: heap cap ${out(rt.heap.limit)}, step peak live ${out(s.peakLiveBytes)}, ` +
    `copied in/out of wasm memory ${out(rt.copies.inBytes + rt.copies.outBytes - copied)}`);
}

void main();
