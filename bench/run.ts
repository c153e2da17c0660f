// `npm run bench [-- --quick]`: runs every engine in its own process on the same workloads, prints a
// Markdown table (medians, ratios to this engine), the issue's targets, the threads each engine really used,
// the peak memory of a W2 training step (own fresh process, this engine and PyTorch) and the roofline (this
// machine's SIMD FMA and copy ceilings, with W1, W2 and W3 against them), and writes bench/results/<stamp>.json and
// latest.json. A peer that is not installed is reported as missing; one that fails or times out as failed.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { WORKLOADS, type EngineResult, type Measurement, type MemoryProfile } from "./harness.ts";
import { threadedFiles } from "./engines/tfjs_threads.ts";
import { SOFTMAX_SHAPE, CE_SHAPE } from "./harness.ts";
import { small } from "../src/config.ts";

const quick = process.argv.includes("--quick");
const here = import.meta.dirname;
const peers = join(here, "peers", "node_modules");
const node = (script: string, ...args: string[]): string[] => ["node", "--import", "tsx", join(here, "engines", script), ...args];
const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0;
const setup = "missing (run bench/peers/setup.sh)";

/**
 * `full`: run only without --quick (the slow references, to keep --quick well under a minute).
 * `memory`: the engine's `--memory=w2_fwdbwd` profile (a fresh process with --expose-gc), not timings.
 * `roofline`: bench/engines/roofline.ts, this machine's compute and copy ceilings.
 */
interface Engine { name: string; cmd: string[] | null; env?: Record<string, string>; missing?: string; only?: string; full?: boolean; memory?: boolean; roofline?: boolean }
const hasTfjsWasm = existsSync(join(peers, "@tensorflow/tfjs-backend-wasm"));
const tfjsThreaded = hasTfjsWasm ? threadedFiles(createRequire(join(here, "peers", "package.json"))) : { missing: setup };
const TFJS_2T = "tfjs-wasm (SIMD, 2 threads)";
const OURS = "aetnet (2 threads)";
const PYTORCH_NAME = "PyTorch (OpenBLAS SkylakeX, 2 threads, OMP passive)";
const TORCH_ENV = { OPENBLAS_CORETYPE: "SkylakeX", OMP_WAIT_POLICY: "PASSIVE", AETNET_BENCH_CONFIG: JSON.stringify(small) };
const torch = (...args: string[]): string[] => ["/usr/bin/python3", join(here, "engines", "torch_bench.py"), "--threads", "2", ...args];
const ALL: Engine[] = [
  { name: OURS, cmd: node("aetnet.ts"), env: { AETNET_THREADS: "2" } },
  { name: "aetnet (1 thread)", cmd: node("aetnet.ts"), env: { AETNET_THREADS: "1" }, only: quick ? "--only=w1_1024" : "--only=w1_512,w1_1024,w1_2048,w2_fwdbwd" },
  { name: "aetnet (cpu reference)", cmd: node("aetnet.ts"), env: { AETNET_BACKEND: "reference" }, only: "--only=w1_512,w3_softmax_fwd,w3_ce_fwd", full: true },
  // The gpu backend (gpu.js WebGPUKernel through Dawn): on a machine without a GPU, Mesa's llvmpipe runs it.
  { name: "aetnet gpu backend (WebGPU)", cmd: node("aetnet.ts"), env: { AETNET_BACKEND: "gpu" }, only: quick ? "--only=w1_512,w3_softmax_fwdbwd" : "--only=w1_512,w1_1024,w2_fwd,w2_fwdbwd,w3_softmax_fwd,w3_softmax_fwdbwd" },
  { name: `${OURS}: W2 step memory`, cmd: ["node", "--expose-gc", ...node("aetnet.ts", "--memory=w2_fwdbwd").slice(1)], env: { AETNET_THREADS: "2" }, memory: true },
  { name: "roofline", cmd: node("roofline.ts"), roofline: true },
  // PyTorch's fastest honest configuration on two cores: OpenBLAS's SkylakeX kernels, 2 threads, and OpenMP threads
  // that sleep instead of spinning against OpenBLAS's own (OMP_WAIT_POLICY=PASSIVE). W4 builds AETNet from the
  // same preset, passed as JSON (bench/engines/torch_aetnet.py).
  ...(hasTorch
    ? [{ name: PYTORCH_NAME, cmd: torch(), env: TORCH_ENV },
      { name: `${PYTORCH_NAME}: W2 step memory`, cmd: torch("--memory=w2_fwdbwd"), env: TORCH_ENV, memory: true }]
    : [{ name: "PyTorch", cmd: null, missing: "missing (/usr/bin/python3 -c 'import torch' fails; run bench/peers/setup.sh)" }]),
  "missing" in tfjsThreaded
    ? { name: TFJS_2T, cmd: null, missing: tfjsThreaded.missing }
    : { name: TFJS_2T, cmd: node("tfjs.ts", "--backend=wasm", "--threads=2"), only: quick ? "--only=w1_512,w1_1024" : undefined },
  hasTfjsWasm
    ? { name: "tfjs-wasm (SIMD, 1 thread)", cmd: node("tfjs.ts", "--backend=wasm", "--threads=1"), only: quick ? "--only=w1_1024" : undefined }
    : { name: "tfjs-wasm (SIMD, 1 thread)", cmd: null, missing: setup },
  existsSync(join(peers, "@tensorflow/tfjs"))
    ? { name: "tfjs-cpu", cmd: node("tfjs.ts", "--backend=cpu"), full: true }
    : { name: "tfjs-cpu", cmd: null, missing: setup, full: true },
  existsSync(join(peers, "js-pytorch"))
    ? { name: "js-pytorch (float64)", cmd: node("js_pytorch.ts"), full: true }
    : { name: "js-pytorch", cmd: null, missing: setup, full: true },
  existsSync(join(peers, "onnxruntime-node"))
    ? { name: "ONNX Runtime (2 threads, fwd only)", cmd: node("onnxruntime.ts") }
    : { name: "ONNX Runtime", cmd: null, missing: setup },
];
// `--engines=aetnet,tfjs-wasm,PyTorch` keeps only engines whose name contains one of the words.
const pick = process.argv.find((a) => a.startsWith("--engines="))?.slice(10).split(",").filter(Boolean);
const ENGINES = ALL.filter((e) => !(quick && e.full) && (!pick || pick.some((w) => e.name.includes(w))));
const TIMED = ENGINES.filter((e) => !e.memory && !e.roofline);

type Outcome = { missing: string } | { failed: string };
/** bench/engines/roofline.ts: best GF/s of a register-only SIMD FMA loop and GB/s of a plain copy, by threads. */
interface Roofline { fma: string; fmaGflops: Record<string, number>; copyGBs: Record<string, number> }
const results: Record<string, EngineResult | Outcome> = {};
const memory: Record<string, MemoryProfile | Outcome> = {};
let roofline: Roofline | Outcome | null = null;
const seconds: Record<string, number> = {};
const started = performance.now();
for (const e of ENGINES) {
  const put = (r: EngineResult | Outcome | MemoryProfile | Roofline): void => {
    if (e.memory) memory[e.name] = r as MemoryProfile | Outcome;
    else if (e.roofline) roofline = r as Roofline | Outcome;
    else results[e.name] = r as EngineResult | Outcome;
  };
  if (!e.cmd) { put({ missing: e.missing ?? "missing" }); console.error(`${e.name}: ${e.missing}`); continue; }
  process.stderr.write(`running ${e.name}… `);
  const t0 = performance.now();
  const args = [...e.cmd.slice(1), ...(quick ? ["--quick"] : []), ...(e.only ? [e.only] : [])];
  const timeout = (quick ? 120 : 3600) * 1000;
  const r = spawnSync(e.cmd[0], args, { env: { ...process.env, ...e.env }, encoding: "utf8", maxBuffer: 1 << 26, timeout, killSignal: "SIGKILL" });
  seconds[e.name] = (performance.now() - t0) / 1000;
  console.error(`${seconds[e.name].toFixed(1)} s`);
  const line = (r.stdout ?? "").split("\n").find((l) => l.startsWith("RESULT "));
  const parsed = line ? JSON.parse(line.slice(7)) as EngineResult & { error?: string; memory?: MemoryProfile; roofline?: Roofline } : null;
  const lastErr = (r.stderr || (r.error ? String(r.error) : "") || "no output").trim().split("\n").slice(-1)[0];
  if (!parsed) put({ failed: r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `failed: timed out after ${timeout / 1000} s` : `failed: ${lastErr}` });
  else if (typeof parsed.error === "string") put({ failed: `failed: ${parsed.error}` });
  else if (e.roofline) put(parsed.roofline ?? { failed: "failed: no roofline" });
  else put(e.memory ? parsed.memory ?? { failed: "failed: no memory profile" } : parsed);
}
const totalSeconds = (performance.now() - started) / 1000;

const isM = (x: unknown): x is Measurement => typeof x === "object" && x !== null && "median" in x;
const outcome = (r: unknown): string | null => {
  const o = r as Partial<{ missing: string; failed: string }>;
  return typeof o.missing === "string" ? o.missing : typeof o.failed === "string" ? o.failed : null;
};
const measurement = (engine: string, id: string): Measurement | null => {
  const r = results[engine];
  if (!r || outcome(r) !== null) return null;
  const m = (r as EngineResult)[id];
  return isM(m) ? m : null;
};
const fmt = (s: number): string => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
const lines = [
  `| workload | ${TIMED.map((e) => e.name).join(" | ")} |`,
  `|---|${TIMED.map(() => "---").join("|")}|`,
];
for (const w of WORKLOADS) {
  if (quick && !w.quick) continue;
  const cells = TIMED.map((e) => {
    const r = results[e.name];
    if (outcome(r) !== null) return "missing" in r ? "missing" : "failed";
    const m = (r as EngineResult)[w.id];
    if (!isM(m)) return m ? "—" : "";
    const base = measurement(OURS, w.id);
    const gf = w.flops ? ` · ${(w.flops / m.median / 1e9).toFixed(1)} GF/s` : "";
    const ratio = e.name === OURS || !base ? "" : ` (${(m.median / base.median).toFixed(2)}×)`;
    return `${fmt(m.median)} ±${m.rme.toFixed(0)}%${gf}${ratio}`;
  });
  lines.push(`| ${w.title} | ${cells.join(" | ")} |`);
}

/** The issue's targets, each as (this engine's time ÷ the peer's) against a bound. */
const PYTORCH = TIMED.find((e) => e.name.startsWith("PyTorch"))?.name ?? "PyTorch";
const targetLines = ["| target (this engine = aetnet, 2 threads) | measured | |", "|---|---|---|"];
// oursOverPeer: this engine's median time ÷ the peer's (null when either was not measured).
const targets: { target: string; oursOverPeer: number | null; ok: boolean | null }[] = [];
const target = (text: string, id: string, peer: string, test: (ourOverPeer: number) => boolean, show: (r: number) => string): void => {
  const a = measurement(OURS, id), b = measurement(peer, id);
  const v = a && b ? a.median / b.median : null;
  const why = [OURS, peer].map((n) => (results[n] ? outcome(results[n]) : null)).find((o) => o !== null);
  const got = v !== null ? show(v) : why ? `${why === outcome(results[OURS]) ? "aetnet" : "peer"} ${why}` : `not measured${quick ? " in --quick" : ""}`;
  targets.push({ target: text, oursOverPeer: v, ok: v === null ? null : test(v) });
  targetLines.push(`| ${text} | ${got} | ${v === null ? "—" : test(v) ? "met" : "missed"} |`);
};
target(`W1 matmul 1024 ≥ 1.5× as fast as ${TFJS_2T}`, "w1_1024", TFJS_2T, (v) => 1 / v >= 1.5, (v) => `${(1 / v).toFixed(2)}× as fast`);
target(`W2 fwd+bwd ≤ 0.1× ${TFJS_2T}'s time`, "w2_fwdbwd", TFJS_2T, (v) => v <= 0.1, (v) => `${v.toFixed(3)}× its time`);
target(`W2 fwd+bwd ≤ 2× ${PYTORCH}'s time`, "w2_fwdbwd", PYTORCH, (v) => v <= 2, (v) => `${v.toFixed(2)}× its time`);
for (const id of ["w3_softmax_fwd", "w3_softmax_fwdbwd", "w3_ce_fwd", "w3_ce_fwdbwd"]) {
  if (quick && !WORKLOADS.find((w) => w.id === id)!.quick) continue;
  target(`${WORKLOADS.find((w) => w.id === id)!.title} ≤ 2× ${PYTORCH}'s time`, id, PYTORCH, (v) => v <= 2, (v) => `${v.toFixed(2)}× its time`);
}

for (const id of ["w4_step", "w4_b4t256", "w4_fusion_b4t256"]) {
  const w = WORKLOADS.find((x) => x.id === id)!;
  if (quick && !w.quick) continue;
  target(`${w.title} ≤ 2× ${PYTORCH}'s time`, id, PYTORCH, (v) => v <= 2, (v) => `${v.toFixed(2)}× its time`);
}

// The roofline: how close the kernels come to this machine's ceilings (bench/engines/roofline.ts).
const rooflineLines: string[] = [];
const rl = roofline !== null && outcome(roofline) === null ? (roofline as Roofline) : null;
if (rl) {
  const gf = (t: string): string => `${rl.fmaGflops[t].toFixed(1)} GF/s`;
  const gb = (t: string): string => `${rl.copyGBs[t].toFixed(1)} GB/s`;
  rooflineLines.push(`- Ceilings: WebAssembly SIMD FMA loop (f32x4 ${rl.fma}, registers only) ${gf("1")} on 1 thread, ${gf("2")} on 2; plain copy (read + write) ${gb("1")} on 1 thread, ${gb("2")} on 2.`);
  const w1 = WORKLOADS.find((w) => w.id === "w1_1024")!;
  const pct = (x: number): string => `${(100 * x).toFixed(0)}%`;
  for (const [engine, t] of [[OURS, "2"], ["aetnet (1 thread)", "1"]] as const) {
    const m = measurement(engine, "w1_1024");
    if (m) rooflineLines.push(`- W1 matmul 1024, ${engine}: ${(w1.flops / m.median / 1e9).toFixed(1)} GF/s = ${pct(w1.flops / m.median / 1e9 / rl.fmaGflops[t])} of the ${t}-thread FMA roofline (target ≥ 90% with 2 threads).`);
  }
  const copy = Math.max(rl.copyGBs["1"], rl.copyGBs["2"]) * 1e9;
  // The least traffic each W3 workload needs, in passes over its tensor: softmax reads x and writes y; its
  // backward reads y and g and writes dx; cross-entropy's forward reads the logits, its backward reads them
  // and writes their gradient.
  const passes: Record<string, [number, number]> = {
    w3_softmax_fwd: [2, SOFTMAX_SHAPE.reduce((a, b) => a * b, 1)], w3_softmax_fwdbwd: [5, SOFTMAX_SHAPE.reduce((a, b) => a * b, 1)],
    w3_ce_fwd: [1, CE_SHAPE[0] * CE_SHAPE[1]], w3_ce_fwdbwd: [3, CE_SHAPE[0] * CE_SHAPE[1]],
  };
  for (const [id, [n, elements]] of Object.entries(passes)) {
    const m = measurement(OURS, id);
    if (!m) continue;
    const bound = (n * elements * 4) / copy;
    rooflineLines.push(`- ${WORKLOADS.find((w) => w.id === id)!.title}: ${fmt(m.median)} vs ${fmt(bound)} at copy bandwidth (${n} passes over ${(elements * 4 / 2 ** 20).toFixed(0)} MiB) = ${pct(bound / m.median)} of the memory roofline.`);
  }
}
const w2 = measurement(OURS, "w2_fwdbwd"), gemms = measurement(OURS, "w2_gemms");
if (w2 && gemms) {
  rooflineLines.push(`- W2 fwd+bwd ${fmt(w2.median)}, its GEMMs alone ${fmt(gemms.median)}: non-GEMM share ${(100 * (w2.median - gemms.median) / w2.median).toFixed(0)}% of its time (target < 25%).`);
}
for (const id of ["w4_step", "w4_b4t256", "w4_fusion_b4t256"]) {
  const cores = TIMED.flatMap((e) => { const m = measurement(e.name, id); return m?.cpuPerWall !== undefined ? [`${e.name} ${m.cpuPerWall.toFixed(2)}`] : []; });
  if (cores.length) rooflineLines.push(`- ${WORKLOADS.find((w) => w.id === id)!.title}, CPU time ÷ wall time (target ≥ 1.8): ${cores.join("; ")}.`);
}

const threadNotes = TIMED.flatMap((e) => {
  const m = measurement(e.name, "w1_1024");
  return m && m.busyThreads !== undefined ? [`${e.name}: ${m.busyThreads} busy, CPU÷wall ${m.cpuPerWall!.toFixed(2)}`] : [];
});

const memLines = ["| engine | step | peak RSS (process) | step peak above baseline | warm step peak above its start | live after forward |", "|---|---|---|---|---|---|"];
const mib = (x: number | null): string => (x === null ? "—" : `${x.toFixed(0)} MiB`);
for (const [name, m] of Object.entries(memory)) {
  const o = outcome(m);
  if (o !== null) { memLines.push(`| ${name} | ${o} | | | | |`); continue; }
  const p = m as MemoryProfile;
  memLines.push(`| ${name.replace(/: W2 step memory$/, "")} | ${p.step} (${p.steps} step${p.steps === 1 ? "" : "s"}${p.liveAfterForwardMiB === null ? "" : " + 1 probe step"}) | ${mib(p.peakRssMiB)} | ${mib(p.stepPeakMiB)} (baseline ${mib(p.baselineRssMiB)}) | ${mib(p.warmStepPeakMiB)} | ${mib(p.liveAfterForwardMiB)} |`);
}
const memMethod = Object.values(memory).find((m): m is MemoryProfile => outcome(m) === null)?.method;

const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
const table = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}. Command: npm run bench${quick ? " -- --quick" : ""} (${totalSeconds.toFixed(0)} s).`,
  "Cells: median ± relative margin of error; (×) = that engine's time ÷ this engine's (above 1: we are faster).",
  "",
  ...lines,
  "",
  "Issue targets (ratios against the 2-thread tfjs-wasm peer and PyTorch):",
  "",
  ...targetLines,
  "",
  ...(rooflineLines.length ? ["Roofline (bench/engines/roofline.ts; W3 against the better copy bandwidth):", "", ...rooflineLines, ""] : []),
  ...(threadNotes.length ? [`Threads really used on W1 1024 (threads with ≥ 10% of the process's CPU time; CPU time ÷ wall time, ≈ threads on an idle machine): ${threadNotes.join("; ")}.`, ""] : []),
  `Peak memory of one W2 training step, each in a fresh process (\`node --expose-gc\` for this engine)${memMethod ? `, ${memMethod}` : ""}:`,
  "",
  ...memLines,
  "",
  ...ENGINES.flatMap((e) => { const o = outcome(e.memory ? memory[e.name] : e.roofline ? roofline : results[e.name]); return o !== null ? [`- ${e.name}: ${o}`] : []; }),
].join("\n");
console.log(table);
mkdirSync(join(here, "results"), { recursive: true });
const json = JSON.stringify({ date: new Date().toISOString(), quick, machine, workloads: WORKLOADS, results, targets, memory, roofline, seconds: { ...seconds, total: totalSeconds } }, null, 2);
// A run of some engines only (--engines=…) never replaces latest.json, which holds the last run of them all.
writeFileSync(join(here, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}${quick ? "-quick" : ""}${pick ? "-filtered" : ""}.json`), json);
if (!pick) writeFileSync(join(here, "results", "latest.json"), json);
