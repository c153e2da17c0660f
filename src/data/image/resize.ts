// Separable resampling with a triangle (bilinear) filter widened when shrinking, as PIL's BILINEAR resize.

import { emptyImage, type RgbImage } from "./rgb_image.ts";

/** A source rectangle in pixels (may be fractional); resizing a crop never copies the crop first. */
export interface Region { x: number; y: number; width: number; height: number }

/**
 * For each output index, the source taps and normalised weights. The filter support grows with the scale when
 * downsampling, so a 1000 px page shrunk to 224 averages every source row (anti-aliased, like PIL) instead of
 * sampling 2 of every 4.5 rows.
 */
function taps(srcSize: number, start: number, length: number, outSize: number): { first: number[]; weights: number[][] } {
  const scale = length / outSize;
  const support = Math.max(scale, 1);
  const first: number[] = [], weights: number[][] = [];
  for (let o = 0; o < outSize; o++) {
    const center = start + (o + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support)), hi = Math.min(srcSize - 1, Math.ceil(center + support));
    let w: number[] = [];
    for (let i = lo; i <= hi; i++) w.push(Math.max(0, 1 - Math.abs((i + 0.5 - center) / support)));
    const total = w.reduce((a, b) => a + b, 0);
    // A centre outside the image (a crop past the edge) falls back to the nearest pixel.
    if (total === 0) { const n = Math.min(srcSize - 1, Math.max(0, Math.floor(center))); first.push(n); weights.push([1]); continue; }
    w = w.map((v) => v / total);
    first.push(lo);
    weights.push(w);
  }
  return { first, weights };
}

/** Resamples `region` of img (default: all of it) to outWidth × outHeight. */
export function resize(img: RgbImage, outWidth: number, outHeight: number, region: Region = { x: 0, y: 0, width: img.width, height: img.height }): RgbImage {
  const tx = taps(img.width, region.x, region.width, outWidth);
  const ty = taps(img.height, region.y, region.height, outHeight);
  // Only the source rows some output row reads need the horizontal pass (a crop reads a band of the page).
  const rowLo = Math.min(...ty.first), rowHi = Math.max(...ty.first.map((f, o) => f + ty.weights[o].length));
  const tmp = new Float32Array(img.height * outWidth); // one channel, rows resampled horizontally
  const out = emptyImage(outWidth, outHeight);
  for (let c = 0; c < 3; c++) {
    const src = img.data.subarray(c * img.width * img.height);
    for (let y = rowLo; y < rowHi; y++) {
      const row = y * img.width;
      for (let o = 0; o < outWidth; o++) {
        const w = tx.weights[o], f = row + tx.first[o];
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k] * src[f + k];
        tmp[y * outWidth + o] = acc;
      }
    }
    const dst = out.data.subarray(c * outWidth * outHeight);
    for (let o = 0; o < outHeight; o++) {
      const w = ty.weights[o], f = ty.first[o];
      for (let x = 0; x < outWidth; x++) {
        let acc = 0;
        for (let k = 0; k < w.length; k++) acc += w[k] * tmp[(f + k) * outWidth + x];
        dst[o * outWidth + x] = acc;
      }
    }
  }
  return out;
}
