// Test fixtures made on the fly: temp folders, tiny PNG/JPEG files, and the shared real-data location.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import jpeg from "jpeg-js";
import { PNG } from "pngjs";
import { dataRoot } from "../../../src/data/paths.ts";

/** A fresh temp folder for one test file. */
export const tempDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `aetnet-${prefix}-`));

export function writeFile(path: string, data: string | Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
  return path;
}

/** PNG bytes of a width×height image whose RGBA pixel is pixel(x, y). */
export function pngBytes(width: number, height: number, pixel: (x: number, y: number) => [number, number, number, number] = () => [255, 255, 255, 255]): Uint8Array {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
  return PNG.sync.write(png);
}

export function jpegBytes(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...pixel(x, y), 255], (y * width + x) * 4);
  return jpeg.encode({ width, height, data }, 95).data;
}

/**
 * A real dataset (under AETNET_DATA, or the project root's sibling folder shared/data): its folder, or, when absent,
 * the reason to give skipWhen (test/skip.ts) for the tests that need it.
 */
export function realData(name: string): { dir: string; missing: null } | { dir: null; missing: string } {
  const dir = join(dataRoot(), name);
  return existsSync(dir) ? { dir, missing: null } : { dir: null, missing: `needs the real dataset: ${dir} not found` };
}

/** A CORD v2 word quad from its top-left (x1, y1) and bottom-right (x3, y3) corners. */
export const cordQuad = (x1: number, y1: number, x3: number, y3: number) => ({ x1, y1, x2: x3, y2: y1, x3, y3, x4: x1, y4: y3 });

/** One receipt in the exact clovaai CORD v2 JSON format (200×400 px): a menu line, its price and the total. */
export function cordReceipt(imageId = 0) {
  return {
    valid_line: [
      { category: "menu.nm", group_id: 1, words: [{ text: "ICE", quad: cordQuad(10, 10, 40, 20), is_key: 0, row_id: 1 }, { text: "TEA", quad: cordQuad(80, 22, 50, 12), is_key: 0, row_id: 1 }] },
      { category: "menu.price", group_id: 1, words: [{ text: "12,000", quad: cordQuad(150, 10, 190, 20) }, { text: " ", quad: cordQuad(191, 10, 195, 20) }] },
      { category: "total.total_price", group_id: 2, words: [{ text: "12,000", quad: cordQuad(150, 300, 190, 320) }] },
    ],
    meta: { version: "v2.0", split: "train", image_id: imageId, image_size: { width: 200, height: 400 } },
  };
}
