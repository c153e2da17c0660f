// What one W2 training step (forward + backward + AdamW, the bench's `--memory=w2_fwdbwd` probe) holds in wasm
// memory: live tensor bytes and kernel scratch at the step's high point, the heap's top (live + holes), the
// linear memory's size, and what is live at the peak: by the phase that made it (setup, the forward, the
// backward, the optimizer step, kernel scratch) and by the op that made it.
// Run: AETNET_THREADS=2 node --expose-gc --import tsx bench/w2_memory.ts
import { readFileSync } from "node:fs";
import { F, manualSeed, matmul, optim, randn, setBackendFromEnv, softmax, tidy, type Tensor } from "../engine/index.ts";
import { wasmRuntime } from "../engine/backends/wasm/index.ts";
import { ENCODER } from "./harness.ts";

await setBackendFromEnv();
manualSeed(0);
// Every heap block's size and the first engine/ frame outside the storage plumbing that asked for it.
const rt = wasmRuntime();
const heap = rt.heap;
const origin = new Map<number, string>();
const phaseOf = new Map<number, string>();
let phase = "setup";
const alloc = heap.alloc.bind(heap);
const free = heap.free.bind(heap);
const live = new Map<number, number>();
let peakSnapshot: [string, string, number][] = [], peak = 0;
const PLUMBING = /heap\.ts|runtime\.ts|tensor_memory|dtype\.ts|storage\.ts|registry\.ts|w2_memory|node:/;
heap.alloc = (bytes: number, limit?: number): number => {
  const addr = alloc(bytes, limit);
  if (addr >= 0) {
    const stack = (new Error().stack ?? "").split("\n").slice(2);
    const frame = stack.find((l) => l.includes("/engine/") && !PLUMBING.test(l)) ?? "?";
    phaseOf.set(addr, stack.some((l) => /\.reserve \(/.test(l)) ? "kernel scratch" : phase);
    origin.set(addr, frame.replace(/.*\/engine\//, "").replace(/:\d+\)?$/, "").replace(/\s*\(.*/, ""));
    live.set(addr, heap.sizeOf(addr));
    const now = heap.stats().liveBytes;
    if (now > peak) {
      peak = now;
      peakSnapshot = [...live].map(([a, s]) => [phaseOf.get(a) ?? "setup", origin.get(a)!, s]);
    }
  }
  return addr;
};
heap.free = (addr: number): void => { live.delete(addr); free(addr); };

const MiB = 2 ** 20;
const mib = (b: number): string => (b / MiB).toFixed(1);
const rss = (field: string): number =>
  Number(new RegExp(`^${field}:\\s*(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8"))![1]) * 1024;

const param = (shape: number[], scale = 0.02): Tensor => randn(shape).mul(scale).requiresGrad_();
const { batch: B, seq: T, hidden: H, heads: NH, mlp: M } = ENCODER;
const D = H / NH;
const [ln1w, ln1b, ln2w, ln2b] = [param([H], 1), param([H]), param([H], 1), param([H])];
const [wq, wk, wv, wo] = [param([H, H]), param([H, H]), param([H, H]), param([H, H])];
const [w1, w2] = [param([M, H]), param([H, M])];
const [bq, bk, bv, bo, b1, b2] = [param([H]), param([H]), param([H]), param([H]), param([M]), param([H])];
const params = [ln1w, ln1b, ln2w, ln2b, wq, wk, wv, wo, w1, w2, bq, bk, bv, bo, b1, b2];
const heads = (t: Tensor): Tensor => t.reshape([B, T, NH, D]).permute([0, 2, 1, 3]);
const x = randn([B, T, H]);
// The same layer as bench/engines/aetnet.ts's encoderLayer.
const forward = (): Tensor => {
  const h1 = F.layerNorm(x, H, ln1w, ln1b);
  const [q, k, v] = [heads(F.linear(h1, wq, bq)), heads(F.linear(h1, wk, bk)), heads(F.linear(h1, wv, bv))];
  const att = softmax(matmul(q, k.transpose(-2, -1)).mul(1 / Math.sqrt(D)), -1);
  const ctx = matmul(att, v).permute([0, 2, 1, 3]).reshape([B, T, H]);
  const h = x.add(F.linear(ctx, wo, bo));
  const m = F.linear(F.linear(F.layerNorm(h, H, ln2w, ln2b), w1, b1, { activation: "gelu" }), w2, b2);
  return h.add(m);
};
const opt = new optim.AdamW(params, { lr: 1e-4 });

const gc = (globalThis as { gc?: () => void }).gc;
const report = (label: string): void => {
  const s = rt.heapStats();
  console.log(`${label}: heap live ${mib(s.liveBytes)} MiB (scratch ${mib(s.scratchBytes)}), ` +
    `peak live ${mib(s.peakLiveBytes)}, top ${mib(s.top)} (peak top ${mib(s.peakTop)}), ` +
    `free holes ${mib(s.freeBytes)}, linear memory ${mib(rt.f32.byteLength)} MiB; ` +
    `RSS ${mib(rss("VmRSS"))} MiB (high-water ${mib(rss("VmHWM"))}), ` +
    `JS heap used ${mib(process.memoryUsage().heapUsed)}`);
};
gc?.(); gc?.();
report("after setup");
for (let step = 1; step <= 3; step++) {
  heap.resetPeaks(); peak = 0;
  let afterForward = 0;
  const tensorBytes = (): number => rt.heapStats().liveBytes - rt.heapStats().scratchBytes;
  const before = tensorBytes();
  for (const a of live.keys()) {
    if (phaseOf.get(a) !== "kernel scratch") phaseOf.set(a, "before the step (parameters, input, .grad, AdamW state)");
  }
  tidy(() => {
    phase = "forward";
    opt.zeroGrad();
    const loss = forward().mean();
    afterForward = tensorBytes() - before;
    phase = "backward";
    loss.backward();
    phase = "optimizer step";
    opt.step();
  });
  phase = "after";
  console.log(`step ${step}: tensors made by the forward and still live after it ${mib(afterForward)} MiB`);
  report(`step ${step}`);
}
// The blocks live at the last step's peak, by the phase and then the op that allocated them.
const groups = new Map<string, { n: number; bytes: number }>();
const add = (key: string, s: number): void => {
  const g = groups.get(key) ?? { n: 0, bytes: 0 };
  g.n++; g.bytes += s; groups.set(key, g);
};
for (const [ph, o, s] of peakSnapshot) { add(ph, s); add(`${ph}: ${o}`, s); }
console.log(`live at the last step's peak (${mib(peak)} MiB in ${peakSnapshot.length} blocks):`);
for (const [key, g] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
  const sub = key.includes(": ");
  if (sub && g.bytes < MiB / 4) continue;
  console.log(`  ${sub ? "    " : ""}${mib(g.bytes).padStart(6)} MiB ${String(g.n).padStart(3)} blocks  ` +
    `${sub ? key.split(": ")[1] : key}`);
}
