// Elementwise kernels, the plain-TypeScript reference against wasm SIMD: microseconds per call for unary maps,
// broadcasting binary maps (pow, a five-dim broadcast, a transposed operand and int32 among them) and where at a few
// sizes, operands resident in wasm memory or staged from the JS heap, on 1 and 2 threads; and the dropout
// keep-mask (one uniform per element). It is where the size thresholds in engine/backends/wasm/elementwise.ts
// come from. --only=TEXT keeps the rows whose name contains TEXT (and skips the dropout row).
//   npx tsx bench/elementwise.ts [--only=pow]
import type { BinaryOp, UnaryOp } from "../engine/backends/backend.ts";
import { cpuKernels } from "../engine/backends/cpu/index.ts";
import { setWasmThreads, wasmKernels, wasmRuntime } from "../engine/backends/wasm/index.ts";
import { elementwiseTuning } from "../engine/backends/wasm/elementwise.ts";
import { allocResident } from "../engine/backends/wasm/tensor_memory.ts";
import { Generator } from "../engine/random.ts";

/** Median microseconds of fn over enough repetitions to fill ~40 ms per sample. */
function time(fn: () => void): number {
  fn();
  let reps = 1;
  for (let t = performance.now(); performance.now() - t < 5; reps++) fn();
  const samples: number[] = [];
  for (let s = 0; s < 7; s++) {
    const t0 = performance.now();
    for (let r = 0; r < reps * 8; r++) fn();
    samples.push(((performance.now() - t0) * 1000) / (reps * 8));
  }
  return samples.sort((a, b) => a - b)[3];
}

const rt = wasmRuntime();
const filled = (n: number, resident: boolean): Float32Array => {
  const x = (resident ? allocResident(rt, n, false) : null) ?? new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin(i) * 3;
  return x;
};
const ints = (x: Float32Array): Int32Array => new Int32Array(x.buffer, x.byteOffset, x.length);
const fmt = (us: number): string => (us < 10 ? us.toFixed(2) : us < 1000 ? us.toFixed(1) : us.toFixed(0)).padStart(8);
// Every size through the kernels, so the rows show where they start to pay.
Object.assign(elementwiseTuning, { minStaged: 1, minResident: 1 });

console.log("µs per call: reference | wasm staged 1t | wasm resident 1t | wasm resident 2t (split at 2^14 per thread)");
type Run = (k: typeof cpuKernels, x: Float32Array, y: Float32Array, out: Float32Array, n: number) => void;
const rows: [string, Run][] = [
  ...(["exp", "tanh", "log", "relu"] as UnaryOp[]).map((op): [string, Run] => [op, (k, x, _y, out) => k.unary(op, x, out)]),
  ...(["add", "maximum", "gt"] as BinaryOp[]).map((op): [string, Run] => [`${op} [n/64,64] + [n/64,1]`, (k, x, y, out, n) =>
    k.binary(op, x, [64, 1], y, [1, 0], [n / 64, 64], op === "gt" ? new Int32Array(out.buffer, out.byteOffset, n) : out)]),
  ["pow [n] ^ 3", (k, x, _y, out, n) => k.binary("pow", x, [1], Float32Array.of(3), [0], [n], out)],
  ["pow [n/64,64] ^ [n/64,1]", (k, x, y, out, n) => k.binary("pow", x, [64, 1], y, [1, 0], [n / 64, 64], out)],
  // Five dims that do not merge (b repeats along dims 1 and 3), and a transposed operand.
  ["add 5-dim [n/256,2,2,4,16]", (k, x, y, out, n) =>
    k.binary("add", x, [256, 128, 64, 16, 1], y, [32, 0, 16, 0, 1], [n / 256, 2, 2, 4, 16], out)],
  ["add [n/64,64] + transposed", (k, x, y, out, n) => k.binary("add", x, [64, 1], y, [1, n / 64], [n / 64, 64], out)],
  // int32 differences of every pair, as W4's relative positions: [n/256,16,1] − [n/256,1,16].
  ["sub int32 [16,1] − [1,16] pairs", (k, x, y, out, n) =>
    k.binary("sub", ints(x), [16, 1, 0], ints(y), [16, 0, 1], [n / 256, 16, 16], ints(out))],
  ["where", (k, x, y, out) => k.where(x, y, x, out)],
];
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
for (const n of [256, 1024, 4096, 65536, 1 << 20]) {
  for (const [name, run] of rows.filter(([name]) => only === undefined || name.includes(only))) {
    const cells: number[] = [];
    const [xh, yh, oh] = [filled(n, false), filled(n, false), filled(n, false)];
    const [xr, yr, or] = [filled(n, true), filled(n, true), filled(n, true)];
    elementwiseTuning.splitElements = elementwiseTuning.splitCostly = 1 << 30;
    setWasmThreads(1);
    cells.push(time(() => run(cpuKernels, xh, yh, oh, n)), time(() => run({ ...cpuKernels, ...wasmKernels }, xh, yh, oh, n)), time(() => run({ ...cpuKernels, ...wasmKernels }, xr, yr, or, n)));
    setWasmThreads(2);
    elementwiseTuning.splitElements = elementwiseTuning.splitCostly = 1 << 14;
    cells.push(time(() => run({ ...cpuKernels, ...wasmKernels }, xr, yr, or, n)));
    console.log(`${String(n).padStart(8)} ${name.padEnd(26)}${cells.map(fmt).join(" ")}`);
  }
}

if (only !== undefined) process.exit(0);
const g = new Generator(1);
const n = 1 << 20;
const mask = (allocResident(rt, n, false) ?? new Float32Array(n));
const perCall = time(() => { for (let i = 0; i < n; i++) mask[i] = g.random() >= 0.1 ? 1.1 : 0; });
const reference = time(() => cpuKernels.bernoulliMask(g.streamState(), 0.1, 1.1, mask));
setWasmThreads(1);
const one = time(() => wasmKernels.bernoulliMask!(g.streamState(), 0.1, 1.1, mask));
setWasmThreads(2);
const two = time(() => wasmKernels.bernoulliMask!(g.streamState(), 0.1, 1.1, mask));
console.log(`dropout mask of 2^20 (µs): a random() call per element ${fmt(perCall)}, reference kernel ${fmt(reference)}, wasm 1t ${fmt(one)}, wasm 2t ${fmt(two)}`);
