// Reads an image's pixel size from its PNG or JPEG header without decoding the pixels, and checks the file is complete.
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
import { DataError } from "../errors.ts";
import { checkIsFile } from "../read_file.ts";
import { checkPixelLimit } from "./pixel_limit.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export interface ImageSize { width: number; height: number }

/** Size of a PNG or JPEG file; a missing, unknown or truncated file is a DataError naming it. */
export function readImageSize(path: string): ImageSize {
  checkIsFile("readImageSize", path, "image file");
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (err) {
    throw new DataError("readImageSize", path, `cannot read image file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    const size = fstatSync(fd).size;
    const head = readAt(fd, 0, Math.min(size, 24));
    if (PNG_SIGNATURE.every((b, i) => head[i] === b)) return pngSize(path, fd, head, size);
    if (head[0] === 0xff && head[1] === 0xd8) return jpegSize(path, readFileSync(path));
    throw new DataError("readImageSize", path, "not a PNG or JPEG file (unknown signature)");
  } finally {
    closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Uint8Array {
  const buf = new Uint8Array(Math.max(0, length));
  readSync(fd, buf, 0, buf.length, position);
  return buf;
}

/** IHDR must be the first chunk (width, height at bytes 16–23) and the file must end with the IEND chunk. */
function pngSize(path: string, fd: number, head: Uint8Array, size: number): ImageSize {
  const ascii = (b: Uint8Array, from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));
  if (head.length < 24 || ascii(head, 12, 16) !== "IHDR") throw new DataError("readImageSize", path, "truncated PNG: no IHDR header");
  const view = new DataView(head.buffer);
  const width = view.getUint32(16), height = view.getUint32(20);
  // IEND is 12 bytes: length 0, "IEND", CRC. A file cut short loses it.
  if (size < 24 + 12 || ascii(readAt(fd, size - 12, 12), 4, 8) !== "IEND") throw new DataError("readImageSize", path, "truncated PNG: file does not end with the IEND chunk");
  if (width === 0 || height === 0) throw new DataError("readImageSize", path, `PNG has empty size ${width}×${height}`);
  return checked({ width, height }, path);
}

/** Walks the marker segments to the first SOFn frame header; the file must also end with EOI (FFD9). */
function jpegSize(path: string, bytes: Uint8Array): ImageSize {
  const n = bytes.length;
  if (n < 4 || bytes[n - 2] !== 0xff || bytes[n - 1] !== 0xd9) throw new DataError("readImageSize", path, "truncated JPEG: file does not end with the EOI marker");
  const frame = jpegFrameSize(bytes);
  if (typeof frame === "string") throw new DataError("readImageSize", path, frame);
  return checked(frame, path);
}

/** The size in the first SOFn frame header, or what is wrong with the marker segments before it. */
function jpegFrameSize(bytes: Uint8Array): ImageSize | string {
  const n = bytes.length;
  let i = 2;
  while (i + 4 <= n) {
    if (bytes[i] !== 0xff) return `corrupt JPEG: expected a marker at byte ${i}`;
    const marker = bytes[i + 1];
    if (marker === 0xff) { i += 1; continue; } // fill byte
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > n) break;
      const height = (bytes[i + 5] << 8) | bytes[i + 6], width = (bytes[i + 7] << 8) | bytes[i + 8];
      if (width === 0 || height === 0) return `JPEG has empty size ${width}×${height}`;
      return { width, height };
    }
    i += 2 + length;
  }
  return "corrupt JPEG: no frame header (SOF) found";
}

const checked = (size: ImageSize, path: string): ImageSize => {
  checkPixelLimit(size.width, size.height, path, "readImageSize");
  return size;
};

/**
 * The size a PNG or JPEG header claims, read from the bytes without decoding; null when the header cannot say
 * (the decoder then reports what is wrong). Used to refuse oversized images before decoding them.
 */
export function claimedImageSize(bytes: Uint8Array): ImageSize | null {
  if (bytes.length >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b) && String.fromCharCode(...bytes.subarray(12, 16)) === "IHDR") {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8) {
    const frame = jpegFrameSize(bytes);
    return typeof frame === "string" ? null : frame;
  }
  return null;
}
