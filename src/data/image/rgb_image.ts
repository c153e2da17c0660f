// RgbImage: planar float RGB in [0, 1], the one pixel format every image op reads and writes.

/** data is CHW: channel c, row y, column x at c·H·W + y·W + x. Values in [0, 1]. */
export interface RgbImage {
  width: number;
  height: number;
  data: Float32Array;
}

export function emptyImage(width: number, height: number, fill = 0): RgbImage {
  return { width, height, data: new Float32Array(3 * width * height).fill(fill) };
}

/**
 * Interleaved 8-bit pixels (1 = gray, 3 = RGB, 4 = RGBA; alpha dropped) → RgbImage. Gray is replicated to three
 * channels because the ViT expects RGB (FUNSD scans are 8-bit grayscale).
 */
export function fromInterleaved(bytes: ArrayLike<number>, width: number, height: number, channels: 1 | 3 | 4): RgbImage {
  const img = emptyImage(width, height);
  const plane = width * height;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) img.data[c * plane + p] = bytes[p * channels + (channels === 1 ? 0 : c)] / 255;
  }
  return img;
}

/** ITU-R 601 luma, as torchvision's rgb_to_grayscale and PIL's convert("L"). */
export function luma(img: RgbImage): Float32Array {
  const plane = img.width * img.height, d = img.data;
  const out = new Float32Array(plane);
  for (let p = 0; p < plane; p++) out[p] = 0.299 * d[p] + 0.587 * d[plane + p] + 0.114 * d[2 * plane + p];
  return out;
}

/** Applies f to every value and clamps to [0, 1]. */
export function mapPixels(img: RgbImage, f: (v: number, channel: number, index: number) => number): RgbImage {
  const plane = img.width * img.height;
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, f(img.data[i], Math.floor(i / plane), i % plane)));
  return { width: img.width, height: img.height, data: out };
}
