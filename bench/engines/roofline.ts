// This machine's ceilings for the engine's kernels, measured the way they run (WebAssembly in Node's workers):
//  - compute: a register-only WebAssembly SIMD loop of fused multiply-adds (f32x4.relaxed_madd where the runtime
//    has relaxed SIMD, as the GEMM uses; else f32x4.mul + f32x4.add) on 12 independent accumulators, on 1 and 2
//    threads at once: the most 128-bit SIMD arithmetic a thread can issue, with no memory traffic at all;
//  - memory: a plain copy of 64 MiB (TypedArray.set, i.e. memcpy) on 1 and 2 threads, counted as bytes read + written.
// Each figure is the best of several runs (a ceiling, not a typical value). Prints one RESULT line for bench/run.ts:
//   RESULT {"roofline": {"fma": "relaxed_madd", "fmaGflops": {"1": …, "2": …}, "copyGBs": {"1": …, "2": …}}}
import { Worker } from "node:worker_threads";
import { hasRelaxedSimd } from "../../engine/backends/wasm/emit/detect.ts";
import { Code, encodeModule } from "../../engine/backends/wasm/emit/module.ts";
import { Simd, ValType } from "../../engine/backends/wasm/emit/opcodes.ts";

const quick = process.argv.includes("--quick");
const LIVE = 12; // independent chains: enough to cover the FMA latency on two ports, few enough to stay in registers
const UPDATES = 2 * LIVE; // each accumulator is updated twice per loop iteration
const FLOPS_PER_ITER = UPDATES * 4 * 2; // 4 lanes, multiply + add
const relaxed = hasRelaxedSimd();

/** fma(iters) → a lane of the sum of the accumulators (so the loop cannot be optimised away). */
function fmaModule(): Uint8Array {
  const c = new Code([ValType.i32], [ValType.f32]);
  const acc = Array.from({ length: LIVE }, () => c.local(ValType.v128));
  const [m, k, i] = [c.local(ValType.v128), c.local(ValType.v128), c.local(ValType.i32)];
  c.f32x4Const(0.999).set(m).f32x4Const(0.001).set(k);
  acc.forEach((a, j) => c.f32x4Const(j + 1).set(a));
  c.for(i, () => c.i32(0), () => c.get(0), 1, () => {
    for (let round = 0; round < UPDATES / LIVE; round++) {
      for (const a of acc) {
        c.get(a).get(m);
        if (relaxed) c.get(k).simd(Simd.f32x4RelaxedMadd);
        else c.simd(Simd.f32x4Mul).get(k).simd(Simd.f32x4Add);
        c.set(a);
      }
    }
  });
  c.get(acc[0]);
  for (const a of acc.slice(1)) c.get(a).simd(Simd.f32x4Add);
  c.simd(Simd.f32x4ExtractLane, 0);
  return encodeModule({ fma: c }, false);
}

// Workers are plain JavaScript (no TypeScript loader needed): they get the module bytes and run on request.
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
if (workerData.relaxed) require("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd");
const inst = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
parentPort.on("message", (job) => {
  if (job.fma) { parentPort.postMessage(inst.exports.fma(job.fma)); return; }
  const src = new Float32Array(job.src, job.from * 4, job.count), dst = new Float32Array(job.dst, job.from * 4, job.count);
  for (let r = 0; r < job.reps; r++) dst.set(src);
  parentPort.postMessage(dst[0]);
});`;

function startWorkers(n: number, bytes: Uint8Array): Worker[] {
  return Array.from({ length: n }, () => new Worker(WORKER, { eval: true, workerData: { bytes, relaxed } }));
}

/** Posts one job to every worker and resolves with the wall seconds until all have answered. */
async function together(workers: Worker[], job: (i: number) => object): Promise<number> {
  const t0 = performance.now();
  await Promise.all(workers.map((w, i) => new Promise((resolve) => { w.once("message", resolve); w.postMessage(job(i)); })));
  return (performance.now() - t0) / 1000;
}

async function best(runs: number, once: () => Promise<number>): Promise<number> {
  let b = Infinity;
  for (let r = 0; r < runs; r++) b = Math.min(b, await once());
  return b;
}

const bytes = fmaModule();
const runs = quick ? 3 : 7;
const fmaGflops: Record<string, number> = {};
const copyGBs: Record<string, number> = {};
const N = 16 * 2 ** 20; // 64 MiB of float32
const src = new SharedArrayBuffer(N * 4), dst = new SharedArrayBuffer(N * 4);
new Float32Array(src).fill(1);
for (const threads of [1, 2]) {
  const workers = startWorkers(threads, bytes);
  await together(workers, () => ({ fma: 1e5 })); // compile and warm up
  const probe = await together(workers, () => ({ fma: 2e6 }));
  const iters = Math.max(1e6, Math.round((2e6 * (quick ? 0.1 : 0.3)) / probe));
  const s = await best(runs, () => together(workers, () => ({ fma: iters })));
  fmaGflops[threads] = (threads * iters * FLOPS_PER_ITER) / s / 1e9;
  const part = N / threads;
  const reps = quick ? 2 : 5;
  const c = await best(runs, () => together(workers, (i) => ({ src, dst, from: i * part, count: part, reps })));
  copyGBs[threads] = (2 * N * 4 * reps) / c / 1e9;
  await Promise.all(workers.map((w) => w.terminate()));
}
console.log(`RESULT ${JSON.stringify({ roofline: { fma: relaxed ? "relaxed_madd" : "mul+add", fmaGflops, copyGBs } })}`);
