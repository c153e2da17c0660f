// The wasm matmul kernel: pack the operands into panels (absorbing the transposes), run the blocked SIMD
// GEMM split across threads. Operands resident in linear memory are packed from where they live and a
// resident output is written in place, whatever its shape; host arrays are copied in and out (O(n²) against
// O(n³) arithmetic). A batch runs as whole problems per job (one barrier); a single problem as its panels
// packed by all threads, then its output tiles split into jobs by the longer side (two barriers). The pool's
// threads claim jobs as they get free, so there are more jobs than threads where the work allows.
import type { FloatArray } from "../../dtype.ts";
import { GEMM } from "./kernels/gemm.ts";
import { MAX_JOBS, type Job } from "./pool.ts";
import type { WasmRuntime } from "./runtime.ts";
import { share, threadsFor } from "./split.ts";

const { mr: MR, nr: NR } = GEMM;
/** Below splitWork multiply-adds per thread a split costs more (wake-up, ~20 µs) than it saves; tests lower it. */
export const matmulTuning = { splitWork: 1 << 20 };
/** A batch is split into at most this many jobs per thread, their own pack buffers at most JOB_BUFFER_BYTES. */
const JOBS_PER_THREAD = 4;
const JOB_BUFFER_BYTES = 64 << 20;
/** Batches per chunk are capped so one call never asks for more than this much memory. */
const CHUNK_BYTES = 256 << 20;

const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/**
 * What the GEMM's write-out adds: out = act(op(A)·op(B) + bias) with bias [n] per column, act GELU when asked, and
 * the pre-activation sum stored in `pre` (same shape as out) where given.
 */
export interface GemmEpilogue { bias: Float32Array; pre: Float32Array | null; gelu: boolean }

export function matmulF32(rt: WasmRuntime, a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean, epi: GemmEpilogue | null = null): void {
  const [mPanels, nPanels] = [Math.ceil(m / MR), Math.ceil(n / NR)];
  const [mPad, nPad] = [mPanels * MR, nPanels * NR];
  const sizes = { a: m * k, b: k * n, c: m * n };
  const aAt = rt.residentAddress({ read: a });
  const bAt = rt.residentAddress({ read: b });
  // The kernel writes C exactly (edge tiles go through a small tile buffer), so any resident output takes it in place.
  const cAt = rt.residentAddress({ write: out });
  const biasAt = epi ? rt.residentAddress({ read: epi.bias }) : -1;
  const preAt = epi?.pre ? rt.residentAddress({ write: epi.pre }) : -1;
  const stagedPre = epi?.pre && preAt < 0;
  const staged = (aAt < 0 ? sizes.a : 0) + (bAt < 0 ? sizes.b : 0) + (cAt < 0 ? sizes.c : 0) + (stagedPre ? sizes.c : 0);
  const chunk = staged === 0 ? batch : Math.max(1, Math.min(batch, Math.floor(CHUNK_BYTES / (staged * 4))));
  const packBytes = { a: align64(mPad * k * 4), b: align64(nPad * k * 4), tile: align64(MR * NR * 4) };
  // op(A)[i, p] and op(B)[p, j] as (row, depth) strides of the packer: rows are i for A and j for B.
  const [ars, acs] = transA ? [4, m * 4] : [k * 4, 4];
  const [brs, bcs] = transB ? [k * 4, 4] : [4, n * 4];
  for (let t0 = 0; t0 < batch; t0 += chunk) {
    const count = Math.min(chunk, batch - t0);
    const threads = threadsFor(rt, count * m * n * k, Math.max(1, matmulTuning.splitWork));
    // Whole problems per job when the batch divides evenly enough (each job packs into buffers of its own),
    // else each problem's output tiles split into jobs by the longer side. Jobs outnumber threads where the work
    // allows (threads claim them as they get free, so a late or slower thread leaves its share to the others);
    // tile jobs are one per GEMM.mcPanels panels of the split side (an L2 block of row panels, the unit the
    // GEMM's loops reuse from cache; column splits use the same count), but at least one per thread, so with
    // more threads than blocks a job is smaller than a block.
    const byProblem = count % threads === 0 || count >= 4 * threads;
    const byRows = mPanels >= nPanels;
    const panels = byRows ? mPanels : nPanels;
    const perJob = (byProblem ? packBytes.a + packBytes.b : 0) + packBytes.tile;
    const parts = threads === 1 ? 1 : byProblem
      ? Math.max(threads, Math.min(count, JOBS_PER_THREAD * threads, MAX_JOBS, Math.floor(JOB_BUFFER_BYTES / perJob)))
      : Math.min(panels, MAX_JOBS, Math.max(threads, Math.ceil(panels / GEMM.mcPanels)));
    const shared = byProblem ? 0 : packBytes.a + packBytes.b;
    const biasBytes = epi && biasAt < 0 ? align64(n * 4) : 0;
    const base = rt.reserve(align64(staged * count * 4) + biasBytes + shared + parts * perJob);
    let next = base;
    const stage = (resident: number, size: number): number => {
      if (resident >= 0) return resident + t0 * size * 4;
      const at = next;
      next += size * count * 4;
      return at;
    };
    const aRaw = stage(aAt, sizes.a);
    const bRaw = stage(bAt, sizes.b);
    const cOut = stage(cAt, sizes.c);
    const preOut = epi?.pre ? stage(preAt, sizes.c) : 0;
    const biasIn = !epi ? 0 : biasAt >= 0 ? biasAt : base + align64(staged * count * 4);
    const work = base + align64(staged * count * 4) + biasBytes;
    const own = (t: number): number => work + shared + t * perJob; // job t's buffers: [aPack, bPack,] tile
    const tileOf = (t: number): number => own(t) + perJob - packBytes.tile;
    const f32 = rt.f32;
    if (aAt < 0) { f32.set(a.subarray(t0 * sizes.a, (t0 + count) * sizes.a), aRaw / 4); rt.copies.inBytes += sizes.a * count * 4; }
    if (bAt < 0) { f32.set(b.subarray(t0 * sizes.b, (t0 + count) * sizes.b), bRaw / 4); rt.copies.inBytes += sizes.b * count * 4; }
    if (epi && biasAt < 0) { rt.f32.set(epi.bias, biasIn / 4); rt.copies.inBytes += n * 4; }
    const epiArgs = [biasIn, preOut, epi?.gelu ? 1 : 0];
    const jobs = (total: number, make: (t: number) => Job): Job[] => Array.from({ length: total }, (_, t) => make(t));
    if (byProblem) {
      rt.parallel(jobs(parts, (t) => {
        const [s, e] = share(count, parts, t);
        return ["gemmBatch", [aRaw + s * sizes.a * 4, bRaw + s * sizes.b * 4, cOut + s * sizes.c * 4, e - s, sizes.a * 4, sizes.b * 4,
          sizes.c * 4, m, k, n, ars, acs, brs, bcs, mPanels, nPanels, own(t), own(t) + packBytes.a, tileOf(t),
          epiArgs[0], epiArgs[1] && epiArgs[1] + s * sizes.c * 4, epiArgs[2]]];
      }));
    } else {
      const [aPack, bPack] = [work, work + packBytes.a];
      for (let p = 0; p < count; p++) {
        const [ap, bp, cp] = [aRaw + p * sizes.a * 4, bRaw + p * sizes.b * 4, cOut + p * sizes.c * 4];
        rt.parallel(jobs(threads, (t) => {
          const [ms, me] = share(mPanels, threads, t);
          const [ns, ne] = share(nPanels, threads, t);
          return ["packBoth", [ap, aPack, ms * MR, Math.min(me * MR, m), bp, bPack, ns * NR, Math.min(ne * NR, n), k, ars, acs, brs, bcs, mPad, nPad]];
        }));
        rt.parallel(jobs(parts, (t) => {
          const [s, e] = share(panels, parts, t);
          const [mf, mt, nf, nt] = byRows ? [s, e, 0, nPanels] : [0, mPanels, s, e];
          return ["gemm", [aPack, bPack, cp, mf, mt, nf, nt, k, mPad, nPad, 1, 0, 0, 0, m, n, n * 4, tileOf(t),
            epiArgs[0], epiArgs[1] && epiArgs[1] + p * sizes.c * 4, epiArgs[2]]];
        }));
      }
    }
    const copyOut = (to: Float32Array, from: number): void => {
      rt.copies.outBytes += count * sizes.c * 4;
      to.set(rt.f32.subarray(from / 4, from / 4 + count * sizes.c), t0 * sizes.c);
    };
    if (cAt < 0) copyOut(out, cOut);
    if (epi?.pre && stagedPre) copyOut(epi.pre, preOut);
  }
}
