// Photometric ops on RgbImage: the colour-jitter factors, grayscale, Gaussian blur and RandAugment's colour ops.
import { emptyImage, luma, mapPixels, type RgbImage } from "./rgb_image.ts";

/** Blends img with a degenerate image: out = deg + f·(img − deg), the PIL ImageEnhance rule. */
function blend(img: RgbImage, degenerate: (channel: number, index: number) => number, factor: number): RgbImage {
  return mapPixels(img, (v, c, p) => { const d = degenerate(c, p); return d + factor * (v - d); });
}

export const adjustBrightness = (img: RgbImage, f: number): RgbImage => blend(img, () => 0, f);

/** Blend with the mean gray level (torchvision adjust_contrast). */
export function adjustContrast(img: RgbImage, f: number): RgbImage {
  const gray = luma(img);
  const mean = gray.reduce((a, b) => a + b, 0) / gray.length;
  return blend(img, () => mean, f);
}

/** Blend with the page's own grayscale (torchvision adjust_saturation). */
export function adjustSaturation(img: RgbImage, f: number): RgbImage {
  const gray = luma(img);
  return blend(img, (_, p) => gray[p], f);
}

/** Rotates hue by `shift` turns (in [-0.5, 0.5]) through HSV, as torchvision adjust_hue. */
export function adjustHue(img: RgbImage, shift: number): RgbImage {
  const plane = img.width * img.height, d = img.data;
  const out = emptyImage(img.width, img.height);
  for (let p = 0; p < plane; p++) {
    const r = d[p], g = d[plane + p], b = d[2 * plane + p];
    const max = Math.max(r, g, b), min = Math.min(r, g, b), delta = max - min;
    let h = 0;
    if (delta > 0) h = max === r ? ((g - b) / delta) / 6 : max === g ? ((b - r) / delta + 2) / 6 : ((r - g) / delta + 4) / 6;
    h = (((h + shift) % 1) + 1) % 1;
    const s = max === 0 ? 0 : delta / max, v = max;
    // HSV → RGB
    const i = Math.floor(h * 6), f = h * 6 - i;
    const pp = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    const rgb = [[v, t, pp], [q, v, pp], [pp, v, t], [pp, q, v], [t, pp, v], [v, pp, q]][i % 6];
    for (let c = 0; c < 3; c++) out.data[c * plane + p] = rgb[c];
  }
  return out;
}

/** Three equal channels of the luma (torchvision Grayscale(num_output_channels=3)). */
export function grayscale(img: RgbImage): RgbImage {
  const gray = luma(img);
  return mapPixels(img, (_, __, p) => gray[p]);
}

/** Separable Gaussian blur, radius ⌈3σ⌉, edges clamped. */
export function gaussianBlur(img: RgbImage, sigma: number): RgbImage {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = kernel.reduce((a, b) => a + b, 0);
  const kn = kernel.map((v) => v / total);
  const { width: W, height: H } = img;
  const tmp = new Float32Array(img.data.length), out = emptyImage(W, H);
  const src = img.data, dst = out.data;
  for (let c = 0; c < 3; c++) {
    const o = c * W * H;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) { const xx = x + k < 0 ? 0 : x + k >= W ? W - 1 : x + k; acc += kn[k + radius] * src[o + y * W + xx]; }
      tmp[o + y * W + x] = acc;
    }
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) { const yy = y + k < 0 ? 0 : y + k >= H ? H - 1 : y + k; acc += kn[k + radius] * tmp[o + yy * W + x]; }
      dst[o + y * W + x] = acc;
    }
  }
  return out;
}

/** Stretches each channel's [min, max] to [0, 1] (PIL autocontrast, cutoff 0); flat channels are left alone. */
export function autocontrast(img: RgbImage): RgbImage {
  const plane = img.width * img.height;
  const ranges = [0, 1, 2].map((c) => { const ch = img.data.subarray(c * plane, (c + 1) * plane); let lo = 1, hi = 0; for (const v of ch) { lo = Math.min(lo, v); hi = Math.max(hi, v); } return [lo, hi]; });
  return mapPixels(img, (v, c) => { const [lo, hi] = ranges[c]; return hi > lo ? (v - lo) / (hi - lo) : v; });
}

/** Per-channel histogram equalisation over 256 levels (PIL ImageOps.equalize's lookup-table rule). */
export function equalize(img: RgbImage): RgbImage {
  const plane = img.width * img.height;
  const luts = [0, 1, 2].map((c) => {
    const hist = new Array<number>(256).fill(0);
    for (let p = 0; p < plane; p++) hist[Math.round(img.data[c * plane + p] * 255)]++;
    const nonzero = hist.filter((h) => h > 0);
    const step = Math.floor((plane - nonzero[nonzero.length - 1]) / 255);
    if (step === 0) return null; // one level (or nearly): PIL leaves the channel unchanged
    const lut: number[] = [];
    let n = Math.floor(step / 2);
    for (let i = 0; i < 256; i++) { lut.push(Math.min(255, Math.floor(n / step)) / 255); n += hist[i]; }
    return lut;
  });
  return mapPixels(img, (v, c) => { const lut = luts[c]; return lut ? lut[Math.round(v * 255)] : v; });
}

/** PIL ImageEnhance.Sharpness: blend with the SMOOTH-filtered image (kernel [1 1 1; 1 5 1; 1 1 1]/13, border kept). */
export function adjustSharpness(img: RgbImage, f: number): RgbImage {
  const { width: W, height: H } = img;
  const smooth = new Float32Array(img.data);
  for (let c = 0; c < 3; c++) {
    const o = c * W * H;
    for (let y = 1; y < H - 1; y++) for (let x = 1; x < W - 1; x++) {
      let acc = 0;
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) acc += (dx === 0 && dy === 0 ? 5 : 1) * img.data[o + (y + dy) * W + x + dx];
      smooth[o + y * W + x] = acc / 13;
    }
  }
  return blend(img, (c, p) => smooth[c * W * H + p], f);
}
