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

/** The real datasets: AETNET_DATA, or the project root's sibling folder shared/data; null (skip) when absent. */
export function realDataDir(name: string): string | null {
  const dir = join(dataRoot(), name);
  if (existsSync(dir)) return dir;
  console.log(`  (skipping real-data checks: ${dir} not found)`);
  return null;
}
