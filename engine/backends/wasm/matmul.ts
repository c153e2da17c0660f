// The wasm matmul kernel: pack the operands into panels (absorbing the transposes), run the blocked SIMD
// GEMM split across threads. Operands resident in linear memory are packed from where they live and an
// output whose shape needs no padding is written in place; host arrays are copied in and out (O(n²)
// against O(n³) arithmetic).
import type { FloatArray } from "../../dtype.ts";
import { GEMM } from "./kernels/gemm.ts";
import type { Job } from "./pool.ts";
import type { WasmRuntime } from "./runtime.ts";

const { mr: MR, nr: NR } = GEMM;
/** Below splitWork multiply-adds per thread a split costs more (wake-up, ~20 µs) than it saves; tests lower it. */
export const matmulTuning = { splitWork: 1 << 20 };
/** Batches per chunk are capped so one call never asks for more than this much memory. */
const CHUNK_BYTES = 256 << 20;

const roundUp = (x: number, r: number): number => Math.ceil(x / r) * r;

/** [start, end) of part `t` of `n` items split `parts` ways as evenly as possible. */
export const share = (n: number, parts: number, t: number): [number, number] =>
  [Math.floor((n * t) / parts), Math.floor((n * (t + 1)) / parts)];

export function matmulF32(rt: WasmRuntime, a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  const mPad = roundUp(m, MR);
  const nPad = roundUp(n, NR);
  const sizes = { a: m * k, b: k * n, ap: mPad * k, bp: nPad * k, c: mPad * nPad };
  const perBatch = (sizes.a + sizes.b + sizes.ap + sizes.bp + sizes.c) * 4; // at most, with every operand staged
  const chunk = Math.max(1, Math.min(batch, Math.floor(CHUNK_BYTES / perBatch)));
  const aAt = rt.residentAddress({ read: a });
  const bAt = rt.residentAddress({ read: b });
  // Tiles are whole MR×NR blocks: only an output without padding can take them in place.
  const cAt = mPad === m && nPad === n ? rt.residentAddress({ write: out }) : -1;
  for (let t0 = 0; t0 < batch; t0 += chunk) {
    const count = Math.min(chunk, batch - t0);
    const staged = (aAt < 0 ? sizes.a : 0) + (bAt < 0 ? sizes.b : 0) + (cAt < 0 ? sizes.c : 0);
    const base = rt.reserve((staged + sizes.ap + sizes.bp) * count * 4);
    const aPack = base;
    const bPack = aPack + sizes.ap * count * 4;
    let next = bPack + sizes.bp * count * 4;
    const stage = (resident: number, size: number): number => {
      if (resident >= 0) return resident + t0 * size * 4;
      const at = next;
      next += size * count * 4;
      return at;
    };
    const aRaw = stage(aAt, sizes.a);
    const bRaw = stage(bAt, sizes.b);
    const cOut = stage(cAt, sizes.c);
    const f32 = rt.f32;
    if (aAt < 0) { f32.set(a.subarray(t0 * sizes.a, (t0 + count) * sizes.a), aRaw / 4); rt.copies.inBytes += sizes.a * count * 4; }
    if (bAt < 0) { f32.set(b.subarray(t0 * sizes.b, (t0 + count) * sizes.b), bRaw / 4); rt.copies.inBytes += sizes.b * count * 4; }
    // op(A)[i, p] and op(B)[p, j] as (row, depth) strides of the packer: rows are i for A and j for B.
    const [ars, acs] = transA ? [4, m * 4] : [k * 4, 4];
    const [brs, bcs] = transB ? [k * 4, 4] : [4, n * 4];
    const threads = Math.min(rt.threads, Math.max(1, Math.floor((count * m * n * k) / Math.max(1, matmulTuning.splitWork))));
    const mPanels = mPad / MR;
    const nPanels = nPad / NR;
    const jobs = (make: (t: number) => Job): Job[] => Array.from({ length: threads }, (_, t) => make(t));
    const packA = (from: number, to: number, s: number, e: number): Job =>
      ["packA", [aRaw + s * sizes.a * 4, aPack + s * sizes.ap * 4, from, to, k, ars, acs, mPad, e - s, sizes.a * 4, sizes.ap * 4]];
    const packB = (from: number, to: number, s: number, e: number): Job =>
      ["packB", [bRaw + s * sizes.b * 4, bPack + s * sizes.bp * 4, from, to, k, brs, bcs, nPad, e - s, sizes.b * 4, sizes.bp * 4]];
    const gemm = (mf: number, mt: number, nf: number, nt: number, s: number, e: number): Job =>
      ["gemm", [aPack + s * sizes.ap * 4, bPack + s * sizes.bp * 4, cOut + s * sizes.c * 4, mf, mt, nf, nt, k, mPad, nPad, e - s, sizes.ap * 4, sizes.bp * 4, sizes.c * 4]];
    if (threads > 1 && count >= threads) {
      // Whole problems per thread.
      rt.parallel(jobs((t) => { const [s, e] = share(count, threads, t); return packA(0, m, s, e); }));
      rt.parallel(jobs((t) => { const [s, e] = share(count, threads, t); return packB(0, n, s, e); }));
      rt.parallel(jobs((t) => { const [s, e] = share(count, threads, t); return gemm(0, mPanels, 0, nPanels, s, e); }));
    } else {
      // Panels of A and of B split across threads, then the output tiles by the longer side.
      const byRows = mPanels >= nPanels;
      for (let t = 0; t < count; t++) {
        rt.parallel(jobs((th) => { const [s, e] = share(mPanels, threads, th); return packA(s * MR, Math.min(e * MR, m), t, t + 1); }));
        rt.parallel(jobs((th) => { const [s, e] = share(nPanels, threads, th); return packB(s * NR, Math.min(e * NR, n), t, t + 1); }));
        rt.parallel(jobs((th) => {
          const [s, e] = share(byRows ? mPanels : nPanels, threads, th);
          return byRows ? gemm(s, e, 0, nPanels, t, t + 1) : gemm(0, mPanels, s, e, t, t + 1);
        }));
      }
    }
    if (cAt >= 0) continue;
    const o = t0 * m * n;
    rt.copies.outBytes += count * m * n * 4;
    for (let t = 0; t < count; t++) {
      const c = cOut / 4 + t * sizes.c;
      if (nPad === n) out.set(f32.subarray(c, c + m * n), o + t * m * n);
      else for (let i = 0; i < m; i++) out.set(f32.subarray(c + i * nPad, c + i * nPad + n), o + (t * m + i) * n);
    }
  }
}
