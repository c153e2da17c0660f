// Geometric ops on RgbImage: horizontal flip and affine warps (shear, translate, rotate) with a constant fill.
import { emptyImage, type RgbImage } from "./rgb_image.ts";

/** A 2×3 affine matrix [a, b, c, d, e, f]: (x, y) → (a·x + b·y + c, d·x + e·y + f). */
export type Affine = [number, number, number, number, number, number];

export function horizontalFlip(img: RgbImage): RgbImage {
  const out = emptyImage(img.width, img.height);
  const W = img.width;
  for (let i = 0; i < img.data.length; i++) { const x = i % W; out.data[i - x + (W - 1 - x)] = img.data[i]; }
  return out;
}

/**
 * Warps img by the forward map `m` (source pixel → output pixel, as cv2.warpAffine without WARP_INVERSE_MAP):
 * each output pixel samples the source bilinearly at m⁻¹(x, y); outside the source it gets `fill` (gray 128/255
 * in the official RandAugment).
 */
export function warpAffine(img: RgbImage, m: Affine, fill = 128 / 255): RgbImage {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  const inv: Affine = [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
  const { width: W, height: H } = img;
  const plane = W * H, src = img.data;
  const out = emptyImage(W, H, fill);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const sx = inv[0] * x + inv[1] * y + inv[2], sy = inv[3] * x + inv[4] * y + inv[5];
    if (sx <= -1 || sy <= -1 || sx >= W || sy >= H) continue; // all four neighbours outside: stays fill
    const x0 = Math.floor(sx), y0 = Math.floor(sy), fx = sx - x0, fy = sy - y0;
    const xin0 = x0 >= 0, xin1 = x0 + 1 < W, yin0 = y0 >= 0, yin1 = y0 + 1 < H;
    const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
    for (let c = 0, o = 0; c < 3; c++, o += plane) {
      const r0 = o + y0 * W, r1 = r0 + W;
      out.data[o + y * W + x] =
        w00 * (xin0 && yin0 ? src[r0 + x0] : fill) + w10 * (xin1 && yin0 ? src[r0 + x0 + 1] : fill) +
        w01 * (xin0 && yin1 ? src[r1 + x0] : fill) + w11 * (xin1 && yin1 ? src[r1 + x0 + 1] : fill);
    }
  }
  return out;
}

export const shearX = (img: RgbImage, s: number): RgbImage => warpAffine(img, [1, s, 0, 0, 1, 0]);
export const shearY = (img: RgbImage, s: number): RgbImage => warpAffine(img, [1, 0, 0, s, 1, 0]);
export const translate = (img: RgbImage, dx: number, dy: number): RgbImage => warpAffine(img, [1, 0, dx, 0, 1, dy]);

/** Rotation by `degrees` about the image centre (cv2.getRotationMatrix2D with scale 1; positive = counter-clockwise). */
export function rotate(img: RgbImage, degrees: number): RgbImage {
  const t = (degrees * Math.PI) / 180, cos = Math.cos(t), sin = Math.sin(t);
  const cx = (img.width - 1) / 2, cy = (img.height - 1) / 2;
  return warpAffine(img, [cos, sin, (1 - cos) * cx - sin * cy, -sin, cos, sin * cx + (1 - cos) * cy]);
}
