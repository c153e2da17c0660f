// Reference data-movement kernels: strided gather/scatter (permute, expand, slice) and index gather/scatter.
import type { TypedArray } from "../../dtype.ts";

/** Calls visit(flat output index, source offset) for every index of shape, odometer order. */
function walk(offset: number, strides: readonly number[], shape: readonly number[], visit: (o: number, s: number) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const nd = shape.length;
  if (nd === 0) { visit(0, offset); return; }
  const last = nd - 1;
  const len = shape[last];
  const step = strides[last];
  const idx = new Array<number>(nd).fill(0);
  let src = offset;
  for (let o = 0; o < n; o += len) {
    for (let j = 0; j < len; j++) visit(o + j, src + j * step);
    for (let d = last - 1; d >= 0; d--) {
      src += strides[d];
      if (++idx[d] < shape[d]) break;
      src -= strides[d] * shape[d]; idx[d] = 0;
    }
  }
}

export function stridedCopy(src: TypedArray, offset: number, strides: readonly number[], shape: readonly number[], out: TypedArray): void {
  walk(offset, strides, shape, (o, s) => { out[o] = src[s]; });
}

export function stridedAccumulate(src: TypedArray, dst: TypedArray, offset: number, strides: readonly number[], shape: readonly number[]): void {
  walk(offset, strides, shape, (o, s) => { dst[s] += src[o]; });
}

export function gather(x: TypedArray, index: Int32Array, outer: number, size: number, idxSize: number, inner: number, out: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idxSize; j++) {
      const row = (o * idxSize + j) * inner;
      for (let i = 0; i < inner; i++) out[row + i] = x[(o * size + index[row + i]) * inner + i];
    }
  }
}

export function scatterAdd(src: TypedArray, index: Int32Array, outer: number, size: number, idxSize: number, inner: number, dst: TypedArray): void {
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < idxSize; j++) {
      const row = (o * idxSize + j) * inner;
      for (let i = 0; i < inner; i++) dst[(o * size + index[row + i]) * inner + i] += src[row + i];
    }
  }
}

export function indexSelect(x: TypedArray, index: Int32Array, outer: number, size: number, inner: number, out: TypedArray): void {
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const src = (o * size + index[j]) * inner;
      const dst = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
    }
  }
}

export function indexAdd(src: TypedArray, index: Int32Array, outer: number, size: number, inner: number, dst: TypedArray): void {
  const n = index.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < n; j++) {
      const to = (o * size + index[j]) * inner;
      const from = (o * n + j) * inner;
      for (let i = 0; i < inner; i++) dst[to + i] += src[from + i];
    }
  }
}
