// Rough timings of the gpu.js kernel library on whatever WebGPU adapter installDawn brings up (Mesa llvmpipe, a
// software GPU, where no real one exists): per-call latency, upload/readback bandwidth, matmul GFLOP/s and a few
// fused kernels. Each timing is the median of several runs after a warm-up call (which compiles the kernel) and
// includes a readback, the only way to wait for WebGPU work to finish.
//   npx tsx bench/gpu_kernels_probe.ts [--sizes 256,512] [--reps 5]
import { installDawn } from "../engine/backends/gpu/dawn.ts";
import { runAsync } from "../engine/backends/gpu/generators.ts";
import { GpuKernels, type GpuHandle } from "../engine/backends/gpu/kernels.ts";

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const sizes = arg("sizes", "256,512").split(",").map(Number);
const reps = Number(arg("reps", "5"));

const dawn = await installDawn();
const { GPU } = await import("gpu.js");
const gpu = new GPU({ mode: "webgpu" });
const K = new GpuKernels(gpu);
const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);
const up = (d: Float32Array): Promise<GpuHandle> => runAsync(K.upload(d));

/** Median wall time (ms) of `run` after one warm-up call; each run ends with the readback of its result. */
async function time(run: () => Promise<GpuHandle>): Promise<number> {
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const h = await run();
    await K.read(h);
    const ms = performance.now() - t0;
    K.free(h);
    return ms;
  };
  await once();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) ms.push(await once());
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}

const rows: string[][] = [];
const report = (what: string, ms: number, extra = ""): void => { rows.push([what, ms.toFixed(2), extra]); };

try {
  const one = await up(Float32Array.of(1));
  report("unary exp on 1 element (call + readback latency)", await time(() => runAsync(K.unary("exp", one, 1))));
  K.free(one);
  for (const n of sizes) {
    const data = random(n * n);
    const uploadMs = await time(() => up(data));
    report(`upload + read ${n}×${n}`, uploadMs, `${((2 * n * n * 4) / 1e6 / (uploadMs / 1e3)).toFixed(0)} MB/s both ways`);
    const a = await up(data), b = await up(random(n * n));
    for (const [ta, tb] of [[false, false], [false, true], [true, false]] as const) {
      const ms = await time(() => runAsync(K.matmul(a, b, 1, n, n, n, ta, tb)));
      report(`matmul ${n}×${n}×${n}${ta ? " transA" : ""}${tb ? " transB" : ""}`, ms, `${((2 * n ** 3) / 1e9 / (ms / 1e3)).toFixed(2)} GFLOP/s`);
    }
    report(`softmax ${n}×${n}`, await time(() => runAsync(K.softmax(a, n, n, false))));
    report(`gelu ${n * n}`, await time(() => runAsync(K.gelu(a, n * n))));
    report(`layerNorm ${n}×${n}`, await time(async () => {
      const [out, mean, rstd] = await runAsync(K.layerNorm(a, n, n, null, null, 1e-5));
      K.free(mean); K.free(rstd);
      return out;
    }));
    K.free(a); K.free(b);
  }
} finally {
  await gpu.destroy();
  await dawn.uninstall();
}

console.log(`gpu kernel library on ${dawn.adapterInfo} (backend ${dawn.backend}), median of ${reps}:`);
const w = Math.max(...rows.map((r) => r[0].length));
for (const [what, ms, extra] of rows) console.log(`  ${what.padEnd(w)}  ${ms.padStart(9)} ms  ${extra}`);
