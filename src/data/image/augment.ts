// The momentum branch's random view (official `pretrain_transform`), seeded by an engine Generator for reproducibility.
import type { Generator } from "../../../engine/index.ts";
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, gaussianBlur, grayscale } from "./color_ops.ts";
import { horizontalFlip } from "./geometric_ops.ts";
import { normalize, type NormalizeOptions } from "./preprocess.ts";
import { randAugment } from "./rand_augment.ts";
import { resize, type Region } from "./resize.ts";
import type { RgbImage } from "./rgb_image.ts";

export interface AugmentOptions extends NormalizeOptions {
  size: number;
  /** RandomResizedCrop area fraction (official 0.2–1) and aspect ratio range (torchvision default 3/4–4/3). */
  scale?: [number, number];
  ratio?: [number, number];
  /**
   * RandomHorizontalFlip(0.5) is in the official pipeline although it mirrors the page while the token boxes stay
   * put (so PITA cells and the fusion's spatial bias stop matching the pixels, notes §3). Kept by default to
   * follow the code; pass false to keep boxes and pixels aligned.
   */
  horizontalFlip?: boolean;
  /** RandomAugment N and M (official 2 and 7). */
  randAugmentN?: number;
  randAugmentM?: number;
}

const uniform = (gen: Generator, lo: number, hi: number): number => lo + (hi - lo) * gen.random();

/** torchvision RandomResizedCrop.get_params: 10 tries at a random area and log-uniform aspect, else a centre crop. */
export function randomResizedCropRegion(width: number, height: number, gen: Generator, scale: [number, number] = [0.2, 1], ratio: [number, number] = [3 / 4, 4 / 3]): Region {
  const area = width * height;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * uniform(gen, scale[0], scale[1]);
    const aspect = Math.exp(uniform(gen, Math.log(ratio[0]), Math.log(ratio[1])));
    const w = Math.round(Math.sqrt(target * aspect)), h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) return { x: gen.int(0, width - w + 1), y: gen.int(0, height - h + 1), width: w, height: h };
  }
  const inRatio = width / height;
  const [w, h] = inRatio < ratio[0] ? [width, Math.round(width / ratio[0])] : inRatio > ratio[1] ? [Math.round(height * ratio[1]), height] : [width, height];
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

/** ColorJitter(0.4, 0.4, 0.4, 0.1): factors drawn, then the four adjustments in a random order (torchvision). */
function colorJitter(img: RgbImage, gen: Generator): RgbImage {
  const b = uniform(gen, 0.6, 1.4), c = uniform(gen, 0.6, 1.4), s = uniform(gen, 0.6, 1.4), h = uniform(gen, -0.1, 0.1);
  const order = [0, 1, 2, 3];
  for (let i = order.length - 1; i > 0; i--) { const j = gen.int(0, i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  let out = img;
  for (const k of order) out = k === 0 ? adjustBrightness(out, b) : k === 1 ? adjustContrast(out, c) : k === 2 ? adjustSaturation(out, s) : adjustHue(out, h);
  return out;
}

/**
 * The augmented view as RGB in [0, 1]: crop-resize → jitter (p 0.8) → grayscale (p 0.2) → blur σ∈[0.1, 2] (p 0.5)
 * → flip (p 0.5) → RandAugment. Differs from ref: bilinear (anti-aliased) instead of bicubic crop resize, and σ
 * is scaled by size/224 so a small image is blurred as much as the 224 px one would be.
 */
export function augmentImage(img: RgbImage, gen: Generator, options: AugmentOptions): RgbImage {
  const { size } = options;
  let out = resize(img, size, size, randomResizedCropRegion(img.width, img.height, gen, options.scale, options.ratio));
  if (gen.random() < 0.8) out = colorJitter(out, gen);
  if (gen.random() < 0.2) out = grayscale(out);
  if (gen.random() < 0.5) out = gaussianBlur(out, uniform(gen, 0.1, 2) * (size / 224));
  if ((options.horizontalFlip ?? true) && gen.random() < 0.5) out = horizontalFlip(out);
  return randAugment(out, gen, { n: options.randAugmentN, m: options.randAugmentM, imageSize: size });
}

/** The augmented view, normalised to a Float32 [3, S, S] array (mean/std as the caller says; LayoutLMv3's by default). */
export function augmentPixels(img: RgbImage, gen: Generator, options: AugmentOptions): Float32Array {
  return normalize(augmentImage(img, gen, options), options);
}
