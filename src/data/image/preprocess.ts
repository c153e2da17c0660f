// The deterministic evaluation path: decode → RGB → resize to S×S → normalise (mean 0.5, std 0.5) → Float32 [3, S, S].
import { tensor, type Tensor } from "../../../engine/index.ts";
import { decodeImage } from "./decode.ts";
import { resize } from "./resize.ts";
import type { RgbImage } from "./rgb_image.ts";

/** LayoutLMv3's image processor statistics (image_mean = image_std = 0.5), mapping [0, 1] to [-1, 1]. */
export const LAYOUTLMV3_MEAN = [0.5, 0.5, 0.5] as const;
export const LAYOUTLMV3_STD = [0.5, 0.5, 0.5] as const;

export interface NormalizeOptions { mean?: readonly number[]; std?: readonly number[] }

/** (x - mean[c]) / std[c] per channel → planar Float32 [3, H, W] values. */
export function normalize(img: RgbImage, options: NormalizeOptions = {}): Float32Array {
  const mean = options.mean ?? LAYOUTLMV3_MEAN, std = options.std ?? LAYOUTLMV3_STD;
  const plane = img.width * img.height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < out.length; i++) { const c = Math.floor(i / plane); out[i] = (img.data[i] - mean[c]) / std[c]; }
  return out;
}

/** Evaluation pixels of one page: no randomness, whole page squashed to size×size (the processor ignores aspect). */
export function evalPixels(img: RgbImage, size: number, options: NormalizeOptions = {}): Float32Array {
  return normalize(resize(img, size, size), options);
}

export function loadEvalImage(path: string, size: number, options: NormalizeOptions = {}): Float32Array {
  return evalPixels(decodeImage(path), size, options);
}

/** Stacks per-image [3, S, S] arrays into one pixel-values tensor. */
export function stackPixels(images: readonly Float32Array[], size: number): Tensor { // (B, 3, S, S)
  const out = new Float32Array(images.length * 3 * size * size);
  images.forEach((img, b) => {
    if (img.length !== 3 * size * size) throw new Error(`[stackPixels] image ${b} has ${img.length} values, expected 3×${size}×${size}`);
    out.set(img, b * img.length);
  });
  return tensor(out, [images.length, 3, size, size]);
}
