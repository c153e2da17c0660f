// The largest image the loaders decode, checked against the header before any pixel is decoded: a small file can
// claim a huge size (a 225 KB PNG of 12000×16000 took 3.1 GB to decode), and a claim of 60000² would otherwise
// end in the decoder's allocation failure rather than a message naming the file.
import { DataError } from "../errors.ts";

/**
 * Default limit: 89,478,485 pixels, Pillow's MAX_IMAGE_PIXELS (its decompression-bomb threshold), which the
 * reference's Python preprocessing runs under. An A4 page scanned at 600 dpi (4960×7016, 34.8 MP) fits with room
 * to spare; decoding one image at the limit holds about 1.4 GB (4 bytes per pixel from the decoder, then 12 as a
 * float32 RGB image).
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 89_478_485;

/** The limit in force: AETNET_MAX_IMAGE_PIXELS (a positive integer) or the default. */
export function maxImagePixels(): number {
  const raw = process.env.AETNET_MAX_IMAGE_PIXELS;
  if (raw === undefined || raw === "") return DEFAULT_MAX_IMAGE_PIXELS;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new DataError("maxImagePixels", "AETNET_MAX_IMAGE_PIXELS", `expected a positive integer pixel count, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Throws a DataError naming `file` when width × height is over the limit. */
export function checkPixelLimit(width: number, height: number, file: string, loader: string): void {
  const limit = maxImagePixels();
  if (width * height > limit) {
    throw new DataError(loader, file, `image is ${width}×${height} = ${width * height} pixels, over the limit of ${limit} (set AETNET_MAX_IMAGE_PIXELS to raise it)`);
  }
}
