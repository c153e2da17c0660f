// Strided copy (permute, transpose, expand, slice) and its adjoint, strided accumulate. Dims are merged where
// they chain; float32 work runs on the wasm kernels (kernels/movement.ts) four merged dims at a time, split
// over threads along the outermost, and (batched) 2-D transposes in cache tiles. Everything else (other
// dtypes, tiny copies, a small slice of a large host array) takes the plain-JS loop below. Exact: it only moves (or adds, in the
// reference's order) values.
import type { TypedArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";
import type { Job } from "./pool.ts";
import type { WasmRuntime } from "./runtime.ts";
import { isF32, splitJobs, threadsFor } from "./split.ts";

/**
 * Elements below which a call stays in JS; elements per thread below which a split does not pay.
 * Measured with bench/movement_kernels.ts on 2 cores: at 0.5M float32 elements these memory-bound kernels ran no
 * faster on 2 threads than on 1 (on a loaded machine), so a call splits only from 1M elements on.
 */
export const movementTuning = { minElements: 2048, splitElements: 1 << 19 };

/** Drops size-1 dims and merges neighbours whose strides chain (stride[d] = stride[d+1]·shape[d+1]). */
export function collapse(strides: readonly number[], shape: readonly number[]): { strides: number[]; shape: number[] } {
  const st: number[] = [];
  const sh: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const k = sh.length - 1;
    if (k >= 0 && st[k] === strides[d] * shape[d]) { sh[k] *= shape[d]; st[k] = strides[d]; }
    else { sh.push(shape[d]); st.push(strides[d]); }
  }
  return { strides: st, shape: sh };
}

/** Tile edge of the blocked transpose: 32×32 float32 tiles keep both sides in L1. */
const TILE = 32;

/** out[i, j] = src[off + i·rs + j·cs] for an [rows, cols] block written contiguously at out[o..]. */
function copy2d(src: TypedArray, off: number, rs: number, cs: number, rows: number, cols: number, out: TypedArray, o: number): void {
  if (cs === 1) {
    for (let i = 0; i < rows; i++) {
      const s = off + i * rs;
      const d = o + i * cols;
      if (cols >= 64) out.set(src.subarray(s, s + cols), d);
      else for (let j = 0; j < cols; j++) out[d + j] = src[s + j];
    }
  } else if (cs === 0) {
    for (let i = 0; i < rows; i++) out.fill(src[off + i * rs], o + i * cols, o + (i + 1) * cols);
  } else if (rs === 1 && rows > 1) {
    // A transpose: read down columns of the source in tiles so that both sides stay cached.
    for (let i0 = 0; i0 < rows; i0 += TILE) {
      const i1 = Math.min(i0 + TILE, rows);
      for (let j0 = 0; j0 < cols; j0 += TILE) {
        const j1 = Math.min(j0 + TILE, cols);
        for (let j = j0; j < j1; j++) {
          const s = off + j * cs;
          for (let i = i0; i < i1; i++) out[o + i * cols + j] = src[s + i];
        }
      }
    }
  } else {
    for (let i = 0; i < rows; i++) {
      const s = off + i * rs;
      const d = o + i * cols;
      for (let j = 0; j < cols; j++) out[d + j] = src[s + j * cs];
    }
  }
}

/** The JS copy over dims already merged by collapse() (the caller has them). */
function stridedCopyJs(src: TypedArray, offset: number, c: { strides: number[]; shape: number[] }, out: TypedArray): void {
  const n = out.length;
  if (n === 0) return;
  const nd = c.shape.length;
  if (nd === 0) { out[0] = src[offset]; return; }
  if (nd === 1) return copy2d(src, offset, 0, c.strides[0], 1, c.shape[0], out, 0);
  // Odometer over the dims before the last two; each step copies one 2-D block.
  const rows = c.shape[nd - 2];
  const cols = c.shape[nd - 1];
  const rs = c.strides[nd - 2];
  const cs = c.strides[nd - 1];
  const block = rows * cols;
  const outer = nd - 2;
  const idx = new Array<number>(outer).fill(0);
  let s = offset;
  for (let o = 0; o < n; o += block) {
    copy2d(src, s, rs, cs, rows, cols, out, o);
    for (let d = outer - 1; d >= 0; d--) {
      s += c.strides[d];
      if (++idx[d] < c.shape[d]) break;
      s -= c.strides[d] * c.shape[d]; idx[d] = 0;
    }
  }
}

/** Merged dims as four (leading ones of size 1), strides in bytes. */
function asFour(c: { strides: number[]; shape: number[] }): { n: number[]; s: number[] } {
  const pad = 4 - c.shape.length;
  return { n: [...new Array<number>(pad).fill(1), ...c.shape], s: [...new Array<number>(pad).fill(0), ...c.strides.map((v) => v * 4)] };
}

/**
 * Jobs for `fn` over a 4-D space, split along its first dim longer than 1 (never the innermost, which runs as
 * vectors): part t moves the strided side by its share of that dim and the contiguous side by as many elements.
 */
function splitFour(r: WasmRuntime, fn: string, strided: number, contiguous: number, add: boolean, four: { n: number[]; s: number[] }, total: number): Job[] {
  const first = four.n.findIndex((v) => v > 1);
  const k = first < 0 ? 2 : Math.min(2, first);
  const len = four.n[k];
  const per = total / len;
  return splitJobs(threadsFor(r, total, movementTuning.splitElements), len, (s, e) => {
    const n = four.n.map((v, i) => (i === k ? e - s : v));
    const sp = strided + s * four.s[k];
    const cp = contiguous + s * per * 4;
    return [fn, [add ? cp : sp, add ? sp : cp, ...n, ...four.s]];
  });
}

export function stridedCopyWith(rt: () => WasmRuntime, src: TypedArray, offset: number, strides: readonly number[], shape: readonly number[], out: TypedArray): void {
  const n = out.length;
  const c = collapse(strides, shape);
  const nd = c.shape.length;
  const transpose = nd >= 2 && c.strides[nd - 1] > 1 && c.strides[nd - 2] === 1;
  if (!isF32(src, out) || n < movementTuning.minElements || (transpose && nd > 3)) return stridedCopyJs(src, offset, c, out);
  const r = rt();
  // A host source much larger than the view (a small slice of a big tensor) would cost more to copy in.
  if (r.addressOf(src) < 0 && src.length > 2 * n) return stridedCopyJs(src, offset, c, out);
  const ops = [{ read: src as Float32Array }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [from, to] = [addrs[0] + offset * 4, addrs[1]];
  if (transpose) r.parallel(transposeJobs(r, from, to, c, n));
  else eachBlockOfFour(c, (four, at, o) => r.parallel(splitFour(r, "stridedCopy4", from + at * 4, to + o * 4, false, four, o4(four))));
  r.writeBack(ops, addrs);
}

const o4 = (four: { n: number[] }): number => four.n.reduce((a, b) => a * b, 1);

/**
 * Calls fn(four dims, strided offset, contiguous offset) for each block of the last four merged dims: one call
 * for up to four dims, else one per index of the leading ones (odometer order, so contiguous offsets ascend).
 */
function eachBlockOfFour(c: { strides: number[]; shape: number[] }, fn: (four: { n: number[]; s: number[] }, at: number, o: number) => void): void {
  const lead = Math.max(0, c.shape.length - 4);
  const four = asFour({ strides: c.strides.slice(lead), shape: c.shape.slice(lead) });
  const block = o4(four);
  const idx = new Array<number>(lead).fill(0);
  const blocks = c.shape.slice(0, lead).reduce((a, b) => a * b, 1);
  let at = 0;
  for (let b = 0; b < blocks; b++) {
    fn(four, at, b * block);
    for (let d = lead - 1; d >= 0; d--) {
      at += c.strides[d];
      if (++idx[d] < c.shape[d]) break;
      at -= c.strides[d] * c.shape[d]; idx[d] = 0;
    }
  }
}

/** A (batched) 2-D transpose, [batch,] rows with stride 1, cols with stride > 1: split by batch, else by rows. */
function transposeJobs(r: WasmRuntime, from: number, to: number, c: { strides: number[]; shape: number[] }, total: number): Job[] {
  const nd = c.shape.length;
  const [rows, cols, cs] = [c.shape[nd - 2], c.shape[nd - 1], c.strides[nd - 1] * 4];
  const [batch, sb] = nd === 3 ? [c.shape[0], c.strides[0] * 4] : [1, 0];
  const db = rows * cols * 4;
  const threads = threadsFor(r, total, movementTuning.splitElements);
  const byBatch = batch >= threads;
  return splitJobs(threads, byBatch ? batch : rows, (s, e) => (byBatch
    ? ["transposeTiles", [from + s * sb, to + s * db, e - s, rows, cols, sb, cs, db]]
    : ["transposeTiles", [from + s * 4, to + s * cols * 4, batch, e - s, cols, sb, cs, db]]));
}

export function stridedAccumulateWith(rt: () => WasmRuntime, src: TypedArray, dst: TypedArray, offset: number, strides: readonly number[], shape: readonly number[]): void {
  const n = src.length;
  if (!isF32(src, dst) || n < movementTuning.minElements) return cpuKernels.stridedAccumulate(src, dst, offset, strides, shape);
  const r = rt();
  const resident = r.addressOf(dst) >= 0;
  if (!resident && dst.length > 2 * n) return cpuKernels.stridedAccumulate(src, dst, offset, strides, shape);
  // dst is read and written: a host dst is staged as an input and copied back by hand.
  const ops = [{ read: src as Float32Array }, { read: dst as Float32Array }];
  const addrs = r.layout(ops);
  const [from, to] = [addrs[0], addrs[1] + offset * 4];
  eachBlockOfFour(collapse(strides, shape), (four, at, o) => r.parallel(splitFour(r, "stridedAccumulate4", to + at * 4, from + o * 4, true, four, o4(four))));
  if (!resident) copyBack(r, dst as Float32Array, addrs[1]);
}

/** Copies a staged in-out operand back to its host array. */
export function copyBack(r: WasmRuntime, x: Float32Array, addr: number): void {
  x.set(r.f32.subarray(addr / 4, addr / 4 + x.length));
  r.copies.outBytes += x.byteLength;
}
