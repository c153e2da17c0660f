// A faster strided copy (permute, transpose, expand, slice) in plain JS: dims are merged where the
// source is contiguous across them, then the innermost run is a block copy, a fill (broadcast), a
// cache-blocked 2-D transpose, or a strided loop. Exact: it only moves values.
import type { TypedArray } from "../../dtype.ts";

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

export function stridedCopy(src: TypedArray, offset: number, strides: readonly number[], shape: readonly number[], out: TypedArray): void {
  const n = out.length;
  if (n === 0) return;
  const c = collapse(strides, shape);
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
