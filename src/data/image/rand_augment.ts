// ALBEF/TCL RandomAugment (used by the official AET pipeline): N ops drawn with replacement, each applied with p = 0.5.
import type { Generator } from "../../../engine/index.ts";
import { adjustBrightness, adjustSharpness, autocontrast, equalize } from "./color_ops.ts";
import { rotate, shearX, shearY, translate } from "./geometric_ops.ts";
import type { RgbImage } from "./rgb_image.ts";

export const RAND_AUGMENT_OPS = [
  "Identity", "AutoContrast", "Equalize", "Brightness", "Sharpness", "ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate",
] as const;
export type RandAugmentOp = (typeof RAND_AUGMENT_OPS)[number];

const MAX_LEVEL = 10;

export interface RandAugmentOptions {
  n?: number;
  m?: number;
  /**
   * Pixel scale of TranslateX/Y: the official ±(M/10)·10 px is meant for 224 px images; at other sizes it is scaled
   * by size/224 so the relative shift stays the same (differs from ref only when size ≠ 224).
   */
  imageSize?: number;
}

/** One op at magnitude m; geometric ops flip their sign with probability 0.5 (official level_to_args). */
export function applyOp(img: RgbImage, op: RandAugmentOp, m: number, gen: Generator, imageSize = 224): RgbImage {
  const sign = (): number => (gen.random() > 0.5 ? -1 : 1);
  const enhance = (m / MAX_LEVEL) * 1.8 + 0.1; // 1.36 at M = 7
  switch (op) {
    case "Identity": return img;
    case "AutoContrast": return autocontrast(img);
    case "Equalize": return equalize(img);
    case "Brightness": return adjustBrightness(img, enhance);
    case "Sharpness": return adjustSharpness(img, enhance);
    case "ShearX": return shearX(img, sign() * (m / MAX_LEVEL) * 0.3);
    case "ShearY": return shearY(img, sign() * (m / MAX_LEVEL) * 0.3);
    case "TranslateX": return translate(img, sign() * (m / MAX_LEVEL) * 10 * (imageSize / 224), 0);
    case "TranslateY": return translate(img, 0, sign() * (m / MAX_LEVEL) * 10 * (imageSize / 224));
    case "Rotate": return rotate(img, sign() * (m / MAX_LEVEL) * 30);
    default: return op satisfies never;
  }
}

export function randAugment(img: RgbImage, gen: Generator, options: RandAugmentOptions = {}): RgbImage {
  const n = options.n ?? 2, m = options.m ?? 7;
  const ops = Array.from({ length: n }, () => RAND_AUGMENT_OPS[gen.int(0, RAND_AUGMENT_OPS.length)]);
  let out = img;
  for (const op of ops) {
    if (gen.random() > 0.5) continue;
    out = applyOp(out, op, m, gen, options.imageSize ?? img.width);
  }
  return out;
}
