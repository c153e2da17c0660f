// Images are refused by the size their header claims, before any pixel is decoded: a typed one-line error naming
// the file and the limit (AETNET_MAX_IMAGE_PIXELS, default Pillow's 89,478,485), never the decoder's allocation
// failure. The same check guards the load-time size read (readImageSize), so such a document is skipped early.
import { deflateSync } from "node:zlib";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DataError, image } from "../../../src/data/index.ts";
import { DEFAULT_MAX_IMAGE_PIXELS } from "../../../src/data/image/pixel_limit.ts";
import { jpegBytes, pngBytes, tempDir, writeFile } from "./fixtures.ts";

const t = suite("image pixel limit");
const dir = tempDir("pixels");

/** A CRC-correct PNG whose IHDR claims width × height, with one tiny IDAT and IEND (the pixels are not there). */
function pngClaiming(width: number, height: number): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Uint8Array): number => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: Uint8Array): Uint8Array => {
    const out = new Uint8Array(12 + data.length), view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(Buffer.from(type, "ascii"), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc(out.subarray(4, 8 + data.length)));
    return out;
  };
  const ihdr = new Uint8Array(13), v = new DataView(ihdr.buffer);
  v.setUint32(0, width); v.setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", deflateSync(new Uint8Array(64))), chunk("IEND", new Uint8Array(0))]);
}

const overLimit = (file: string) => (e: unknown) =>
  e instanceof DataError && e.message.includes(file) && /over the limit of \d+/.test(e.message) && !e.message.includes("\n");

t("a PNG header claiming 60000×60000 is refused by name, by decodeImage and readImageSize", () => {
  const path = writeFile(join(dir, "huge.png"), pngClaiming(60000, 60000));
  assert.throws(() => image.decodeImage(path), overLimit("huge.png"));
  assert.throws(() => image.readImageSize(path), overLimit("huge.png"));
  assert.throws(() => image.decodeImageBytes(pngClaiming(12000, 16000), "page.png"), overLimit("page.png"));
});

t("the default is Pillow's limit; AETNET_MAX_IMAGE_PIXELS changes it and a bad value is a typed error", () => {
  assert.is(DEFAULT_MAX_IMAGE_PIXELS, 89_478_485);
  const jpg = writeFile(join(dir, "small.jpg"), jpegBytes(16, 8, () => [1, 2, 3]));
  const png = writeFile(join(dir, "small.png"), pngBytes(16, 8));
  const saved = process.env.AETNET_MAX_IMAGE_PIXELS;
  try {
    process.env.AETNET_MAX_IMAGE_PIXELS = "127";
    for (const path of [jpg, png]) {
      assert.throws(() => image.decodeImage(path), overLimit(path));
      assert.throws(() => image.readImageSize(path), overLimit(path));
    }
    process.env.AETNET_MAX_IMAGE_PIXELS = "128";
    assert.is(image.decodeImage(jpg).width, 16);
    process.env.AETNET_MAX_IMAGE_PIXELS = "lots";
    assert.throws(() => image.decodeImage(png), (e: unknown) => e instanceof DataError && /AETNET_MAX_IMAGE_PIXELS: expected a positive integer/.test(e.message));
  } finally {
    if (saved === undefined) delete process.env.AETNET_MAX_IMAGE_PIXELS; else process.env.AETNET_MAX_IMAGE_PIXELS = saved;
  }
});

t.run();
