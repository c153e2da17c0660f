// Per-call times of the data-movement and reduction kernels at W2/W4-like sizes: the cpu reference, and the
// wasm kernels on 1 and 2 threads with operands resident in wasm memory, as a training step has them. For
// strided copy the "before" column is the plain-JS copy the wasm table used until the SIMD kernel.
//   npx tsx bench/movement_kernels.ts
import { cpuKernels } from "../engine/backends/cpu/index.ts";
import { setWasmThreads, wasmKernels, wasmRuntime } from "../engine/backends/wasm/index.ts";
import { movementTuning } from "../engine/backends/wasm/movement.ts";
import { allocResident } from "../engine/backends/wasm/tensor_memory.ts";
import type { KernelTable } from "../engine/backends/backend.ts";

const resident = (n: number): Float32Array => {
  const v = allocResident(wasmRuntime(), n, false) ?? new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i);
  return v;
};

/** Median ms of fn over enough calls to take ~0.3 s. */
function time(fn: () => void): number {
  fn();
  const t0 = performance.now();
  fn();
  const reps = Math.max(3, Math.min(200, Math.ceil(300 / Math.max(0.01, performance.now() - t0))));
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) { const s = performance.now(); fn(); ts.push(performance.now() - s); }
  return ts.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

const [B, T, H, D, V] = [8, 256, 4, 64, 8000];
const x = resident(B * T * H * D), y = resident(B * T * H * D), table = resident(V * H * D), rows = resident(B * T * H * D);
const small = resident(H * D);
const argOut = new Int32Array(B * T);
const index = Int32Array.from({ length: B * T }, (_, i) => (i * 7919) % V);
const cases: [string, (k: Partial<KernelTable>) => void][] = [
  ["permute [8,256,4,64]→[8,4,256,64]", (k) => k.stridedCopy!(x, 0, [T * H * D, D, H * D, 1], [B, H, T, D], y)],
  ["transpose [2048,256]→[256,2048]", (k) => k.stridedCopy!(x, 0, [1, H * D], [H * D, B * T], y)],
  ["expand [256]→[2048,256]", (k) => k.stridedCopy!(small, 0, [0, 1], [B * T, H * D], y.subarray(0, B * T * H * D))],
  ["permute adjoint (accumulate)", (k) => k.stridedAccumulate!(x, y, 0, [T * H * D, D, H * D, 1], [B, H, T, D])],
  ["sumAxis [2048,256]→[256] (bias grad)", (k) => k.sumAxis!(x, 1, B * T, H * D, small)],
  ["reduceRows sum [2048,256]→[2048]", (k) => k.reduceRows!("sum", x, H * D, y.subarray(0, B * T))],
  ["reduceRows max [2048,256]→[2048]", (k) => k.reduceRows!("max", x, H * D, y.subarray(0, B * T))],
  ["reduceRows argmax [2048,256]→[2048]", (k) => k.reduceRows!("argmax", x, H * D, argOut)],
  ["indexSelect 2048 rows of [8000,256]", (k) => k.indexSelect!(table, index, 1, V, H * D, rows)],
  ["indexAdd 2048 rows into [8000,256]", (k) => k.indexAdd!(rows, index, 1, V, H * D, table)],
];

const fmt = (ms: number): string => ms.toFixed(3).padStart(8);
console.log(`${"kernel".padEnd(40)}  reference  wasm·1t  wasm·2t   (ms per call, median)`);
for (const [name, run] of cases) {
  const ref = time(() => run(cpuKernels));
  const saved = movementTuning.minElements;
  const before = /^(permute \[|expand|transpose)/.test(name) ? (movementTuning.minElements = Infinity, time(() => run(wasmKernels))) : NaN;
  movementTuning.minElements = saved;
  setWasmThreads(1);
  const one = time(() => run(wasmKernels));
  setWasmThreads(2);
  const two = time(() => run(wasmKernels));
  const js = Number.isNaN(before) ? "" : `   (plain-JS copy: ${before.toFixed(3)})`;
  console.log(`${name.padEnd(40)} ${fmt(ref)} ${fmt(one)} ${fmt(two)}${js}`);
}
