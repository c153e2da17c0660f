// Shared by every engine script: the workloads (identical shapes for all engines), timing through the
// `benchmark` package, and the line protocol a child process reports its results with.
import Benchmark from "benchmark";

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
  { id: "w4_step", title: "W4 AETNet small training step", flops: 0, quick: true },
];

export interface Measurement {
  /** Median seconds per run. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** Relative margin of error (percent) as computed by benchmark.js. */
  readonly rme: number;
  readonly samples: number;
  /** Peak resident set size during the workload, MiB (where the engine reports it). */
  readonly peakRssMiB?: number;
}

export type EngineResult = Record<string, Measurement | { skipped: string }>;

// benchmark.js would otherwise decompile the function source to inline it, losing the closure.
(Benchmark as unknown as { support: { decompilation: boolean } }).support.decompilation = false;

/** A warm-up run slower than this (seconds) is reported as the single sample: slow peers stay affordable. */
const SLOW_RUN_S = { quick: 2, full: 15 };

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

/** Runs the selected workloads, printing one RESULT line for the parent (bench/run.ts). */
export function runEngine(impl: Partial<Record<string, () => () => void>>, skip: Record<string, string> = {}, measured: Record<string, Measurement> = {}): void {
  const quick = process.argv.includes("--quick");
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
  const out: EngineResult = {};
  for (const w of WORKLOADS) {
    if ((quick && !w.quick) || (only && !only.includes(w.id))) continue;
    const make = impl[w.id];
    if (skip[w.id]) { out[w.id] = { skipped: skip[w.id] }; continue; }
    if (measured[w.id]) { out[w.id] = measured[w.id]; continue; }
    if (!make) { out[w.id] = { skipped: "not implemented for this engine" }; continue; }
    try {
      const fn = make();
      const rss0 = process.memoryUsage().rss;
      const m = measure(fn, quick);
      out[w.id] = { ...m, peakRssMiB: Math.max(0, (process.resourceUsage().maxRSS * 1024 - rss0) / 2 ** 20) };
    } catch (e) {
      out[w.id] = { skipped: `error: ${(e as Error).message.split("\n")[0]}` };
    }
  }
  console.log(`RESULT ${JSON.stringify(out)}`);
}
