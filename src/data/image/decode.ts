// Decodes PNG and JPEG files (pngjs, jpeg-js) into an RgbImage; a missing or broken file is a DataError naming it.
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { DataError } from "../errors.ts";
import { readDataFile } from "../read_file.ts";
import { claimedImageSize } from "./image_size.ts";
import { checkPixelLimit, maxImagePixels } from "./pixel_limit.ts";
import { fromInterleaved, type RgbImage } from "./rgb_image.ts";

const isPng = (b: Uint8Array): boolean => b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47;
const isJpeg = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0xff && b[1] === 0xd8;

/** Decodes bytes; `name` is only used in error messages. */
export function decodeImageBytes(bytes: Uint8Array, name: string): RgbImage {
  const claimed = claimedImageSize(bytes);
  if (claimed !== null) checkPixelLimit(claimed.width, claimed.height, name, "decodeImage");
  try {
    if (isPng(bytes)) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)); // always RGBA, 8-bit
      return fromInterleaved(png.data, png.width, png.height, 4);
    }
    if (isJpeg(bytes)) {
      // jpeg-js does not reject a file cut short (it decodes what is there), so the EOI marker is checked first.
      if (bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9) throw new Error("truncated JPEG: no EOI marker at the end");
      // jpeg-js's own limits are raised to ours (its default 100 MP), so the pixel limit above is the one in force.
      const maxResolutionInMP = Math.ceil(maxImagePixels() / 1e6);
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP, maxMemoryUsageInMB: Math.max(1024, 16 * maxResolutionInMP) }); // RGB; gray expanded
      return fromInterleaved(img.data, img.width, img.height, 3);
    }
  } catch (err) {
    throw new DataError("decodeImage", name, `cannot decode image (${err instanceof Error ? err.message : String(err)})`);
  }
  throw new DataError("decodeImage", name, "not a PNG or JPEG file (unknown signature)");
}

export function decodeImage(path: string): RgbImage {
  return decodeImageBytes(readDataFile("decodeImage", path, "image file"), path);
}
