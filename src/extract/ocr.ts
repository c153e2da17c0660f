// OCR with tesseract.js and the English model from the installed @tesseract.js-data/eng package: the worker is
// given local paths only and never caches to disk, so nothing is downloaded or written at run time.
import { encodePng } from "../train/page_svg.ts";
import { resize } from "../data/image/resize.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";
import { importOptional } from "../../engine/index.ts";
import type { PixelBox } from "./result.ts";

/** A word as the OCR read it, in pixels of the image. */
export interface OcrWord { text: string; box: PixelBox; /** tesseract's confidence, 0–100 */ confidence: number }

/** The words of one text line, left to right. */
export type OcrLine = OcrWord[];

/** A running OCR worker; reuse it across pages (starting one takes about a second) and close it when done. */
export interface Ocr {
  recognize(image: RgbImage): Promise<OcrLine[]>;
  close(): Promise<void>;
}

interface TesseractBox { x0: number; y0: number; x1: number; y1: number }
interface TesseractWord { text: string; bbox: TesseractBox; confidence: number }
/** The part of tesseract.js's `blocks` output that the word reader uses (paragraphs → lines → words). */
export interface TesseractBlock { paragraphs: { lines: { words: TesseractWord[] }[] }[] }
interface TesseractModule {
  createWorker(lang: string, oem: number, options: Record<string, unknown>, config: Record<string, string>): Promise<{
    recognize(image: Buffer, options: object, output: object): Promise<{ data: { blocks: TesseractBlock[] | null } }>;
    terminate(): Promise<unknown>;
  }>;
  OEM: { LSTM_ONLY: number };
}

/** The folder holding eng.traineddata.gz inside the installed language package. */
export async function englishModelPath(): Promise<string> {
  const mod = await importOptional<{ default?: { langPath?: unknown }; langPath?: unknown }>("@tesseract.js-data/eng", "ocr");
  const langPath = mod.default?.langPath ?? mod.langPath;
  if (typeof langPath !== "string") throw new Error('[ocr] @tesseract.js-data/eng did not export "langPath"');
  return langPath;
}

export interface OcrOptions {
  /**
   * Pages whose longer side is under this many pixels are read at twice their size (boxes are mapped back):
   * tesseract reads ~300 dpi text best, and low-resolution scans lose words at their native size (on FUNSD's 50
   * test forms, ~100 dpi and 1000 px tall, 2× raises exact word recall from 0.315 to 0.543: docs/OCR.md).
   * Default 2000; 0 = never enlarge.
   */
  upscaleBelow?: number;
}

/** The image tesseract reads: the page itself, or twice its size under `upscaleBelow` (see OcrOptions). */
export function ocrInput(image: RgbImage, upscaleBelow = 2000): { input: RgbImage; scale: number } {
  const scale = Math.max(image.width, image.height) < upscaleBelow ? 2 : 1;
  return { input: scale === 1 ? image : resize(image, image.width * scale, image.height * scale), scale };
}

/**
 * tesseract's blocks → text lines of non-empty words, boxes mapped back from the `scale`d input to the
 * width × height page (shared with the browser page, which runs tesseract there).
 */
export function linesOfBlocks(blocks: readonly TesseractBlock[] | null, scale: number, width: number, height: number): OcrLine[] {
  const px = (v: number, size: number): number => Math.min(size, Math.max(0, Math.round(v / scale)));
  return (blocks ?? []).flatMap((b) => b.paragraphs.flatMap((p) => p.lines.map((l) => l.words
    .filter((w) => w.text.trim() !== "")
    .map((w): OcrWord => ({
      text: w.text.trim(), confidence: w.confidence,
      box: [px(w.bbox.x0, width), px(w.bbox.y0, height), px(w.bbox.x1, width), px(w.bbox.y1, height)],
    })))))
    .filter((line) => line.length > 0);
}

/** Starts a tesseract.js worker (LSTM engine, English). */
export async function createOcr(options: OcrOptions = {}): Promise<Ocr> {
  const upscaleBelow = options.upscaleBelow ?? 2000;
  const tesseract = await importOptional<TesseractModule & { default?: TesseractModule }>("tesseract.js", "ocr");
  const t = tesseract.default ?? tesseract;
  const langPath = await englishModelPath();
  // debug_file: tesseract's diagnostics ("Image too small to scale!!") would otherwise reach our stdout, where
  // `predict` prints its JSON.
  const workerOptions = { langPath, gzip: true, cacheMethod: "none" };
  const worker = await t.createWorker("eng", t.OEM.LSTM_ONLY, workerOptions, { debug_file: "/dev/null" });
  return {
    async recognize(image) {
      const { input, scale } = ocrInput(image, upscaleBelow);
      const { data } = await worker.recognize(encodePng(input), {}, { blocks: true, text: false });
      return linesOfBlocks(data.blocks, scale, image.width, image.height);
    },
    async close() { await worker.terminate(); },
  };
}

/** An Ocr that starts its worker on the first page that needs it (a batch of digital PDFs never does). */
export function lazyOcr(options: OcrOptions = {}): Ocr {
  let worker: Promise<Ocr> | undefined;
  return {
    async recognize(image) { return (await (worker ??= createOcr(options))).recognize(image); },
    async close() { if (worker !== undefined) await (await worker).close(); },
  };
}
