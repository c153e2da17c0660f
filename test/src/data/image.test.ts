import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { PNG } from "pngjs";
import { Generator } from "../../../engine/index.ts";
import { DataError, image } from "../../../src/data/index.ts";
import { jpegBytes, pngBytes, realData, tempDir, writeFile } from "./fixtures.ts";
import { skipWhen } from "../../skip.ts";

const t = suite("image");
const near = (a: number, b: number, tol: number, what = "") => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);
const px = (img: image.RgbImage, c: number, x: number, y: number) => img.data[c * img.width * img.height + y * img.width + x];

t("decodes RGB and grayscale PNG and JPEG to planar RGB in [0,1]", () => {
  const dir = tempDir("img");
  const rgb = image.decodeImage(writeFile(join(dir, "rgb.png"), pngBytes(3, 2, (x, y) => [x * 100, y * 200, 7, 255])));
  assert.equal([rgb.width, rgb.height], [3, 2]);
  near(px(rgb, 0, 2, 1), 200 / 255, 1e-6); near(px(rgb, 1, 2, 1), 200 / 255, 1e-6); near(px(rgb, 2, 0, 0), 7 / 255, 1e-6);
  // An 8-bit grayscale PNG, as the FUNSD scans are: pngjs packs colorType 0; gray is replicated to 3 channels.
  const g = new PNG({ width: 2, height: 1, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  g.data = Buffer.from([10, 250]);
  const gray = image.decodeImage(writeFile(join(dir, "gray.png"), PNG.sync.write(g, { colorType: 0, inputColorType: 0, inputHasAlpha: false })));
  assert.equal([0, 1, 2].map((c) => Math.round(px(gray, c, 1, 0) * 255)), [250, 250, 250]);
  const jpg = image.decodeImage(writeFile(join(dir, "a.jpg"), jpegBytes(16, 8, () => [200, 100, 50])));
  assert.equal([jpg.width, jpg.height], [16, 8]);
  near(px(jpg, 0, 5, 5) * 255, 200, 4, "R"); near(px(jpg, 1, 5, 5) * 255, 100, 4, "G"); near(px(jpg, 2, 5, 5) * 255, 50, 4, "B");
  assert.equal(image.readImageSize(join(dir, "a.jpg")), { width: 16, height: 8 });
});

t("truncated and unknown files are DataErrors naming the file", () => {
  const dir = tempDir("img");
  const png = pngBytes(20, 20, (x) => [x * 10, 0, 0, 255]);
  const cutPng = writeFile(join(dir, "cut.png"), png.subarray(0, png.length - 30));
  const jpg = jpegBytes(16, 16, (x) => [x * 10, 0, 0]);
  const cutJpg = writeFile(join(dir, "cut.jpg"), jpg.subarray(0, jpg.length >> 1));
  for (const [path, re] of [[cutPng, /cut\.png: cannot decode/], [cutJpg, /cut\.jpg: cannot decode.*truncated/]] as const) {
    assert.throws(() => image.decodeImage(path), (e: unknown) => e instanceof DataError && re.test(e.message));
  }
  assert.throws(() => image.readImageSize(cutJpg), /cut\.jpg: truncated JPEG/);
  assert.throws(() => image.decodeImage(writeFile(join(dir, "x.gif"), "GIF89a")), /x\.gif: not a PNG or JPEG/);
  assert.throws(() => image.decodeImage(join(dir, "none.png")), /none\.png: image file is missing/);
});

t("resize: upsampling is half-pixel bilinear, downsampling averages (anti-aliased), constants stay constant", () => {
  const src = image.fromInterleaved([0, 255], 2, 1, 1); // one row: 0, 1
  const up = image.resize(src, 4, 1);
  // output centres at 0.25, 0.75, 1.25, 1.75 source px; the edge taps are renormalised (PIL)
  assert.equal(Array.from(up.data.subarray(0, 4), (v) => +v.toFixed(4)), [0, 0.25, 0.75, 1]);
  const four = image.fromInterleaved([0, 0, 255, 255], 4, 1, 1);
  const down = image.resize(four, 2, 1); // support 2: taps 0.75, 0.75, 0.25 over pixels 0..2, normalised
  near(down.data[0], 0.25 / 1.75, 1e-6);
  near(down.data[1], 1 - 0.25 / 1.75, 1e-6);
  const flat = image.resize(image.fromInterleaved(new Array(7 * 5).fill(128), 7, 5, 1), 3, 4);
  assert.ok(flat.data.every((v) => Math.abs(v - 128 / 255) < 1e-6));
});

t("eval path: deterministic [3,S,S] in [-1,1] with mean 0.5 std 0.5", () => {
  const img = image.fromInterleaved(Array.from({ length: 30 * 20 * 3 }, (_, i) => (i * 37) % 256), 30, 20, 3);
  const a = image.evalPixels(img, 8), b = image.evalPixels(img, 8);
  assert.equal(a.length, 3 * 8 * 8);
  assert.equal(a, b);
  assert.ok(a.every((v) => v >= -1 && v <= 1));
  const white = image.evalPixels(image.fromInterleaved(new Array(12).fill(255), 2, 2, 3), 4);
  assert.ok(white.every((v) => Math.abs(v - 1) < 1e-6));
  assert.equal(image.stackPixels([a, b], 8).shape, [2, 3, 8, 8]);
});

t("augmentation: same seed → same view, other seed → other view; shape and range hold", () => {
  const img = image.fromInterleaved(Array.from({ length: 64 * 48 * 3 }, (_, i) => ((i * 7919) >> 3) % 256), 64, 48, 3);
  const opts = { size: 16 };
  const a = image.augmentPixels(img, new Generator(5), opts), b = image.augmentPixels(img, new Generator(5), opts);
  assert.equal(a, b);
  assert.equal(a.length, 3 * 16 * 16);
  assert.ok(a.every((v) => Number.isFinite(v) && v >= -1 - 1e-6 && v <= 1 + 1e-6));
  const views = new Set([1, 2, 3, 4].map((s) => image.augmentPixels(img, new Generator(s), opts).slice(0, 32).join(",")));
  assert.ok(views.size > 1);
  // every RandAugment op keeps shape and range
  const small = image.resize(img, 12, 12);
  for (const op of image.RAND_AUGMENT_OPS) {
    const out = image.applyOp(small, op, 7, new Generator(1), 12);
    assert.equal(out.data.length, small.data.length, op);
    assert.ok(out.data.every((v) => v >= 0 && v <= 1), op);
  }
  // random resized crop stays inside the page with area within the scale range (or the fallback centre crop)
  const gen = new Generator(9);
  for (let i = 0; i < 50; i++) {
    const r = image.randomResizedCropRegion(100, 60, gen);
    assert.ok(r.x >= 0 && r.y >= 0 && r.x + r.width <= 100 && r.y + r.height <= 60 && r.width * r.height >= 0.15 * 6000);
  }
});

const funsd = realData("funsd"), sroie = realData("sroie");
skipWhen(t, funsd.missing)("real data: a FUNSD scan decodes at its header size", () => {
  const path = join(funsd.dir!, "testing_data/images/82092117.png");
  const img = image.decodeImage(path);
  assert.equal({ width: img.width, height: img.height }, image.readImageSize(path));
  assert.equal(image.evalPixels(img, 56).length, 3 * 56 * 56);
});
skipWhen(t, sroie.missing)("real data: a SROIE receipt decodes at its header size", () => {
  const path = join(sroie.dir!, "images/000.jpg");
  assert.equal(image.decodeImage(path).height, image.readImageSize(path).height);
});

t.run();
