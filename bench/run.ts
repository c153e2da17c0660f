// `npm run bench [-- --quick]`: runs every engine in its own process on the same workloads, prints a
// Markdown table (medians, ratios to this engine) and writes bench/results/<stamp>.json and latest.json.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { WORKLOADS, type EngineResult, type Measurement } from "./harness.ts";

const quick = process.argv.includes("--quick");
const here = import.meta.dirname;
const peers = join(here, "peers", "node_modules");
const tsx = (script: string, ...args: string[]): string[] => ["node", "--import", "tsx", join(here, "engines", script), ...args];
const hasTorch = spawnSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" }).status === 0;

/** `full`: run only without --quick (the slow references, to keep --quick well under a minute). */
interface Engine { name: string; cmd: string[] | null; env?: Record<string, string>; missing?: string; only?: string; full?: boolean }
const quickPeers = "--only=w1_512,w1_1024,w3_ce_fwdbwd";
const ALL: Engine[] = [
  { name: "aetnet (2 threads)", cmd: tsx("aetnet.ts"), env: { AETNET_THREADS: "2" } },
  { name: "aetnet (1 thread)", cmd: tsx("aetnet.ts"), env: { AETNET_THREADS: "1" }, only: quick ? "--only=w1_512,w1_1024" : "--only=w1_512,w1_1024,w1_2048,w2_fwdbwd" },
  { name: "aetnet (cpu reference)", cmd: tsx("aetnet.ts"), env: { AETNET_BACKEND: "cpu" }, only: "--only=w1_512,w3_softmax_fwd,w3_ce_fwd", full: true },
  hasTorch
    ? { name: "PyTorch (OpenBLAS SkylakeX, 2 threads)", cmd: ["/usr/bin/python3", join(here, "engines", "torch_bench.py"), "--threads", "2"], env: { OPENBLAS_CORETYPE: "SkylakeX" } }
    : { name: "PyTorch", cmd: null, missing: "missing (/usr/bin/python3 -c 'import torch' fails; run bench/peers/setup.sh)" },
  existsSync(join(peers, "@tensorflow/tfjs-backend-wasm"))
    ? { name: "tfjs-wasm (SIMD, 1 thread)", cmd: tsx("tfjs.ts", "--backend=wasm"), only: quick ? quickPeers : undefined }
    : { name: "tfjs-wasm", cmd: null, missing: "missing (run bench/peers/setup.sh)" },
  existsSync(join(peers, "@tensorflow/tfjs"))
    ? { name: "tfjs-cpu", cmd: tsx("tfjs.ts", "--backend=cpu"), full: true }
    : { name: "tfjs-cpu", cmd: null, missing: "missing (run bench/peers/setup.sh)" },
  existsSync(join(peers, "js-pytorch"))
    ? { name: "js-pytorch (float64)", cmd: tsx("js_pytorch.ts"), only: quick ? "--only=w1_512" : undefined }
    : { name: "js-pytorch", cmd: null, missing: "missing (run bench/peers/setup.sh)" },
  existsSync(join(peers, "onnxruntime-node"))
    ? { name: "ONNX Runtime (2 threads, fwd only)", cmd: tsx("onnxruntime.ts") }
    : { name: "ONNX Runtime", cmd: null, missing: "missing (run bench/peers/setup.sh)" },
];
const ENGINES = ALL.filter((e) => !(quick && e.full));

const results: Record<string, EngineResult | { missing: string }> = {};
for (const e of ENGINES) {
  if (!e.cmd) { results[e.name] = { missing: e.missing ?? "missing" }; console.error(`${e.name}: ${e.missing}`); continue; }
  console.error(`running ${e.name}…`);
  const args = [...e.cmd.slice(1), ...(quick ? ["--quick"] : []), ...(e.only ? [e.only] : [])];
  const r = spawnSync(e.cmd[0], args, { env: { ...process.env, ...e.env }, encoding: "utf8", maxBuffer: 1 << 26 });
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  const parsed = line ? JSON.parse(line.slice(7)) as EngineResult & { error?: string } : null;
  results[e.name] = !parsed ? { missing: `failed: ${(r.stderr || "no output").trim().split("\n").slice(-1)[0]}` }
    : typeof parsed.error === "string" ? { missing: parsed.error } : parsed;
}

const isM = (x: unknown): x is Measurement => typeof x === "object" && x !== null && "median" in x;
const ours = results[ENGINES[0].name] as EngineResult;
const fmt = (s: number): string => (s >= 1 ? `${s.toFixed(2)} s` : `${(s * 1000).toFixed(1)} ms`);
const lines = [
  `| workload | ${ENGINES.map((e) => e.name).join(" | ")} |`,
  `|---|${ENGINES.map(() => "---").join("|")}|`,
];
for (const w of WORKLOADS) {
  if (quick && !w.quick) continue;
  const cells = ENGINES.map((e) => {
    const r = results[e.name];
    if ("missing" in r && typeof r.missing === "string") return "missing";
    const m = (r as EngineResult)[w.id];
    if (!isM(m)) return m ? "—" : "";
    const base = ours[w.id];
    const gf = w.flops ? ` · ${(w.flops / m.median / 1e9).toFixed(1)} GF/s` : "";
    const ratio = e === ENGINES[0] || !isM(base) ? "" : ` (${(m.median / base.median).toFixed(2)}×)`;
    return `${fmt(m.median)} ±${m.rme.toFixed(0)}%${gf}${ratio}`;
  });
  lines.push(`| ${w.title} | ${cells.join(" | ")} |`);
}
const w2 = ours.w2_fwdbwd;
const machine = { cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform };
const table = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}. Command: npm run bench${quick ? " -- --quick" : ""}.`,
  "Cells: median ± relative margin of error; (×) = that engine's time ÷ this engine's (above 1: we are faster).",
  "",
  ...lines,
  "",
  ...ENGINES.flatMap((e) => { const r = results[e.name]; return "missing" in r && typeof r.missing === "string" ? [`- ${e.name}: ${r.missing}`] : []; }),
  isM(w2) && w2.peakRssMiB !== undefined ? `- W2 fwd+bwd peak memory (RSS growth, this engine): ${w2.peakRssMiB.toFixed(0)} MiB` : "",
].join("\n");
console.log(table);
mkdirSync(join(here, "results"), { recursive: true });
const json = JSON.stringify({ date: new Date().toISOString(), quick, machine, workloads: WORKLOADS, results }, null, 2);
writeFileSync(join(here, "results", `${new Date().toISOString().replace(/[:.]/g, "-")}${quick ? "-quick" : ""}.json`), json);
writeFileSync(join(here, "results", "latest.json"), json);
