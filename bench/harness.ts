// Shared by every engine script: the workloads (identical shapes for all engines), timing through the
// `benchmark` package, and the line protocol a child process reports its results with.
import Benchmark from "benchmark";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";

export interface Workload {
  readonly id: string;
  readonly title: string;
  /** Floating-point operations of one run, for GFLOP/s (0 when not meaningful). */
  readonly flops: number;
  /** Run in --quick mode too. */
  readonly quick: boolean;
}

const mm = (s: number): number => 2 * s ** 3;
/** W2: the encoder layer's matmul FLOPs (projections, QKᵀ, ·V, MLP); backward is about twice forward. */
const [B, T, H, HEADS, MLP] = [8, 256, 256, 4, 1024];
const w2Forward = 2 * B * T * (4 * H * H + 2 * H * MLP) + 2 * 2 * B * T * T * H;

export const ENCODER = { batch: B, seq: T, hidden: H, heads: HEADS, mlp: MLP } as const;
export const SOFTMAX_SHAPE = [64, 256, 256] as const;
export const CE_SHAPE = [4096, 1000] as const;

export const WORKLOADS: readonly Workload[] = [
  { id: "w1_512", title: "W1 matmul 512", flops: mm(512), quick: true },
  { id: "w1_1024", title: "W1 matmul 1024", flops: mm(1024), quick: true },
  { id: "w1_2048", title: "W1 matmul 2048", flops: mm(2048), quick: false },
  { id: "w2_fwd", title: "W2 encoder layer fwd", flops: w2Forward, quick: false },
  { id: "w2_fwdbwd", title: "W2 encoder layer fwd+bwd", flops: 3 * w2Forward, quick: true },
  { id: "w3_softmax_fwd", title: "W3 softmax 64×256×256 fwd", flops: 0, quick: false },
  { id: "w3_softmax_fwdbwd", title: "W3 softmax 64×256×256 fwd+bwd", flops: 0, quick: true },
  { id: "w3_ce_fwd", title: "W3 cross-entropy 4096×1000 fwd", flops: 0, quick: false },
  { id: "w3_ce_fwdbwd", title: "W3 cross-entropy 4096×1000 fwd+bwd", flops: 0, quick: true },
  { id: "w4_step", title: "W4 AETNet small training step (B2×T64)", flops: 0, quick: true },
  { id: "w4_b4t256", title: "W4 AETNet small training step at the FUNSD shape (B4×T256)", flops: 0, quick: false },
  { id: "w4_fusion_b4t256", title: "W4 fusion only (no alignment), B4×T256", flops: 0, quick: false },
  // The roofline's W2 split: the encoder layer's forward and backward GEMMs alone (same shapes and transposes).
  { id: "w2_gemms", title: "W2 fwd+bwd GEMMs alone", flops: 3 * w2Forward, quick: false },
];

export interface Measurement {
  /** Median seconds per run. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Relative margin of error (percent) as computed by benchmark.js. */
  readonly rme: number;
  readonly samples: number;
  /** Process CPU time ÷ wall time over the timed runs (≈ threads really used on an idle machine). */
  readonly cpuPerWall?: number;
  /** OS threads that each did ≥ 10% of the process's CPU time over the timed runs (Linux /proc only). */
  readonly busyThreads?: number;
  /** Wall time spent on the workload, warm-up and calibration included (what it costs the suite). */
  readonly totalSeconds?: number;
}

export type EngineResult = Record<string, Measurement | { skipped: string }>;

/**
 * Memory of one training step, measured by `--memory=<workload>` in a fresh process (so no other workload
 * has raised the high-water marks). MiB = 2^20 bytes.
 */
export interface MemoryProfile {
  readonly workload: string;
  /** What one step does. */
  readonly step: string;
  readonly steps: number;
  /** Resident set size after setup (parameters, inputs, optimizer; GC run), before the first step. */
  readonly baselineRssMiB: number;
  /** High-water mark of the resident set over all steps, the first (cold) one included: the whole process. */
  readonly peakRssMiB: number;
  /** peakRssMiB − baselineRssMiB: what training steps add on top of the model and inputs. */
  readonly stepPeakMiB: number;
  /** Largest (high-water mark during a warm step − RSS just before it); needs a resettable VmHWM. */
  readonly warmStepPeakMiB: number | null;
  /** Growth of ArrayBuffer bytes + JS heap still reachable right after the forward pass (GC run): the
   *  activations the autograd graph keeps for backward, i.e. the live tensors at the step's high point. */
  readonly liveAfterForwardMiB: number | null;
  /** How the peaks were read: "VmHWM (reset per step)" (Linux) or "maxRSS" (process lifetime). */
  readonly method: string;
  /** Whether global.gc was available (node --expose-gc) for the baselines. */
  readonly gc: boolean;
}

/** A training step split at the forward/backward boundary, for MemoryProfile.liveAfterForwardMiB. */
export interface MemoryProbe {
  readonly step: string;
  forward(): unknown;
  backward(out: unknown): void;
  /** Runs one whole step (forward and backward) so that its memory is freed when it ends (this engine: tidy). */
  scope?(step: () => void): void;
  /** Tensor bytes the engine holds outside ArrayBuffers and the JS heap (this engine: its wasm memory heap). */
  engineBytes?(): number;
}

// benchmark.js would otherwise decompile the function source to inline it, losing the closure.
(Benchmark as unknown as { support: { decompilation: boolean } }).support.decompilation = false;

/** A warm-up run slower than this (seconds) is reported as the single sample: slow peers stay affordable. */
const SLOW_RUN_S = { quick: 1, full: 15 };

/** Times fn with benchmark.js: ≥ minSamples samples or maxTime seconds (one warm-up run first). */
export function measure(fn: () => void, quick: boolean): Measurement {
  const t0 = performance.now();
  fn();
  const once = (performance.now() - t0) / 1000;
  if (once > (quick ? SLOW_RUN_S.quick : SLOW_RUN_S.full)) return { median: once, min: once, max: once, rme: 0, samples: 1 };
  const bench = new Benchmark(fn, { minSamples: quick ? 2 : 5, maxTime: quick ? 0.5 : 4, initCount: 1, minTime: 0 });
  bench.run();
  if (bench.error) throw bench.error;
  const sample = [...bench.stats.sample].sort((a, b) => a - b);
  const mid = sample.length >> 1;
  const median = sample.length % 2 ? sample[mid] : (sample[mid - 1] + sample[mid]) / 2;
  return { median, min: sample[0], max: sample[sample.length - 1], rme: bench.stats.rme, samples: sample.length };
}

/** CPU clock ticks used so far by each thread of this process (Linux); null elsewhere. */
function threadTicks(): Map<string, number> | null {
  let tids: string[];
  try { tids = readdirSync("/proc/self/task"); } catch { return null; }
  const out = new Map<string, number>();
  for (const tid of tids) {
    try {
      // Fields after "(comm) ": state, ppid, …; utime and stime are the 14th and 15th of the whole line.
      const f = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ").pop()!.split(" ");
      out.set(tid, Number(f[11]) + Number(f[12]));
    } catch { /* the thread ended meanwhile */ }
  }
  return out;
}

/** Threads that did ≥ 10% (and ≥ 3 ticks) of the CPU time between two threadTicks() snapshots. */
function busyThreads(before: Map<string, number> | null, after: Map<string, number> | null): number | undefined {
  if (!before || !after) return undefined;
  const used = [...after].map(([tid, t]) => t - (before.get(tid) ?? 0));
  const total = used.reduce((a, b) => a + b, 0);
  return total > 0 ? used.filter((u) => u >= 3 && u >= 0.1 * total).length : undefined;
}

/** Times fn and records how many threads really worked on it. */
export function measureWithThreads(fn: () => void, quick: boolean): Measurement {
  const ticks0 = threadTicks(), cpu0 = process.cpuUsage(), t0 = performance.now();
  const m = measure(fn, quick);
  const wall = (performance.now() - t0) / 1000, cpu = process.cpuUsage(cpu0);
  return { ...m, cpuPerWall: (cpu.user + cpu.system) / 1e6 / wall, busyThreads: busyThreads(ticks0, threadTicks()), totalSeconds: wall };
}

const MiB = 2 ** 20;
/** VmHWM / VmRSS from /proc/self/status in bytes, or null off Linux. */
function procStatus(field: "VmHWM" | "VmRSS"): number | null {
  try { const m = new RegExp(`^${field}:\\s*(\\d+) kB`, "m").exec(readFileSync("/proc/self/status", "utf8")); return m ? Number(m[1]) * 1024 : null; } catch { return null; }
}
/** Resets this process's VmHWM to its current RSS (Linux ≥ 4.0: write 5 to clear_refs). */
function resetHighWater(): boolean {
  try { writeFileSync("/proc/self/clear_refs", "5"); return procStatus("VmHWM") !== null; } catch { return false; }
}

/**
 * Peak memory of a training step, in this (fresh) process: setup, then `steps` plain steps (the first one
 * cold), then one more step with a GC between forward and backward for the live-activation bytes.
 */
export function profileMemory(workload: string, probe: MemoryProbe, steps: number): MemoryProfile {
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = (): void => { gc?.(); gc?.(); };
  const hwm = resetHighWater();
  const peak = (): number => (hwm ? procStatus("VmHWM")! : process.resourceUsage().maxRSS * 1024);
  settle();
  const baseline = process.memoryUsage().rss;
  let peakAll = baseline, warm: number | null = null;
  if (hwm) resetHighWater();
  for (let i = 0; i < steps; i++) {
    settle();
    const before = process.memoryUsage().rss;
    if (hwm) { peakAll = Math.max(peakAll, peak()); resetHighWater(); }
    const step = (): void => probe.backward(probe.forward());
    if (probe.scope) probe.scope(step);
    else step();
    const p = peak();
    peakAll = Math.max(peakAll, p);
    if (hwm && i > 0) warm = Math.max(warm ?? 0, p - before);
  }
  let live: number | null = null;
  if (gc) {
    const step = (): void => {
      settle();
      const m0 = process.memoryUsage();
      const e0 = probe.engineBytes?.() ?? 0;
      const out = probe.forward();
      settle();
      const m1 = process.memoryUsage();
      live = m1.arrayBuffers - m0.arrayBuffers + m1.heapUsed - m0.heapUsed + (probe.engineBytes?.() ?? 0) - e0;
      probe.backward(out);
    };
    if (probe.scope) probe.scope(step);
    else step();
  }
  const mib = (b: number): number => Math.round((b / MiB) * 10) / 10;
  return {
    workload, step: probe.step, steps,
    baselineRssMiB: mib(baseline), peakRssMiB: mib(peakAll), stepPeakMiB: mib(peakAll - baseline),
    warmStepPeakMiB: warm === null ? null : mib(warm), liveAfterForwardMiB: live === null ? null : mib(live),
    method: hwm ? "VmHWM (reset per step)" : "maxRSS (process lifetime)", gc: gc !== undefined,
  };
}

/**
 * Runs the selected workloads, printing one RESULT line for the parent (bench/run.ts). With
 * `--memory=<id>` it instead profiles the memory of that workload's probe (see profileMemory) and prints
 * `RESULT {"memory": MemoryProfile}`.
 */
export function runEngine(impl: Partial<Record<string, () => () => void>>, skip: Record<string, string> = {}, measured: Record<string, Measurement> = {}, probes: Partial<Record<string, () => MemoryProbe>> = {}): void {
  const quick = process.argv.includes("--quick");
  const memory = process.argv.find((a) => a.startsWith("--memory="))?.slice(9);
  if (memory !== undefined) {
    const make = probes[memory];
    try {
      console.log(`RESULT ${JSON.stringify(make ? { memory: profileMemory(memory, make(), quick ? 1 : 4) } : { error: `no memory probe for ${memory}` })}`);
    } catch (e) {
      console.log(`RESULT ${JSON.stringify({ error: `memory probe failed: ${(e as Error).message.split("\n")[0]}` })}`);
    }
    return;
  }
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  const out: EngineResult = {};
  for (const w of WORKLOADS) {
    if (only ? !only.includes(w.id) : quick && !w.quick) continue; // an explicit --only wins over --quick
    const make = impl[w.id];
    if (skip[w.id]) { out[w.id] = { skipped: skip[w.id] }; continue; }
    if (measured[w.id]) { out[w.id] = measured[w.id]; continue; }
    if (!make) { out[w.id] = { skipped: "not implemented for this engine" }; continue; }
    try {
      out[w.id] = measureWithThreads(make(), quick);
    } catch (e) {
      out[w.id] = { skipped: `error: ${(e as Error).message.split("\n")[0]}` };
    }
  }
  console.log(`RESULT ${JSON.stringify(out)}`);
}
