// RVL-CDIP loader: document images with one class each, from a label file or one folder per class.
import { existsSync } from "node:fs";
import { extname, join } from "node:path";
import type { Corpus, CorpusOptions, Document } from "./document.ts";
import { normalizeBox } from "./document.ts";
import { loadAll } from "./corpus.ts";
import { DataError } from "./errors.ts";
import { readImageSize } from "./image/image_size.ts";
import { readJsonFile } from "./json_file.ts";
import { isNumberArray, isRecord } from "./json_value.ts";
import { pathInFolder } from "./paths.ts";
import { isFolder, listFolder, readDataText } from "./read_file.ts";

/** The 16 classes in the order of the official label ids 0–15. */
export const RVL_CDIP_CLASSES: readonly string[] = [
  "letter", "form", "email", "handwritten", "advertisement", "scientific report", "scientific publication",
  "specification",
  "file folder", "news article", "budget", "invoice", "presentation", "questionnaire", "resume", "memo",
];

const IMAGE_EXTS = new Set([".png", ".jpg", ".jpeg"]);

/**
 * One page. RVL-CDIP has no text; the official code runs Tesseract. Differs from ref: no OCR here — words come
 * from an optional sidecar `NAME.ocr.json` ({"words": [...], "boxes": [[x0,y0,x1,y1] pixels]}) and are empty otherwise.
 */
export function loadRvlCdipDocument(imagePath: string, label: string): Document {
  const { width, height } = readImageSize(imagePath);
  const doc: Document = { id: imagePath, words: [], boxes: [], labels: [label], imagePath, width, height };
  const ocrPath = imagePath.slice(0, -extname(imagePath).length) + ".ocr.json";
  if (existsSync(ocrPath)) {
    const ocr = readJsonFile("rvl_cdip", ocrPath);
    if (!isRecord(ocr) || !Array.isArray(ocr.words) || !Array.isArray(ocr.boxes)
      || ocr.words.length !== ocr.boxes.length) {
      throw new DataError("rvl_cdip", ocrPath, 'OCR sidecar needs "words" and "boxes" arrays of equal length');
    }
    const boxes: unknown[] = ocr.boxes;
    ocr.words.forEach((w: unknown, i: number) => {
      const box = boxes[i];
      if (typeof w !== "string" || !isNumberArray(box, 4)) {
        throw new DataError("rvl_cdip", ocrPath, `entry ${i} needs a string word and a 4-number box`);
      }
      doc.words.push(w);
      doc.boxes.push(normalizeBox("rvl_cdip", ocrPath, box, width, height));
    });
  }
  return doc;
}

/**
 * The official split file: one `relative/path label` per line, paths relative to `imageRoot`, label an id 0–15
 * (mapped through `classes`) or a class name.
 */
export function loadRvlCdipLabelFile(
  labelFile: string, imageRoot: string, options: CorpusOptions & { classes?: readonly string[] } = {},
): Corpus {
  const classes = options.classes ?? RVL_CDIP_CLASSES;
  const lines = readDataText("rvl_cdip", labelFile, "label file").split("\n").map((l) => l.trim());
  const entries = lines.filter((l) => l.length > 0).map((line, i) => {
    const cut = line.lastIndexOf(" ");
    const path = line.slice(0, cut), raw = line.slice(cut + 1);
    const label = /^\d+$/.test(raw) ? classes[Number(raw)] : classes.includes(raw) ? raw : undefined;
    if (cut <= 0 || label === undefined) {
      throw new DataError("rvl_cdip", labelFile,
        `line ${i + 1} is not "relative/path label" with a known label: ${JSON.stringify(line)}`);
    }
    return { path: pathInFolder("rvl_cdip", labelFile, imageRoot, path), label };
  });
  return loadAll(entries, (e) => e.path, (e) => loadRvlCdipDocument(e.path, e.label), options);
}

/** One sub-folder per class (ImageFolder style); the class list is the sorted folder names. */
export function loadRvlCdipFolders(root: string, options: CorpusOptions = {}): Corpus & { classes: string[] } {
  const classes = listFolder("rvl_cdip", root).filter((d) => isFolder(join(root, d)));
  const entries = classes.flatMap((label) => listFolder("rvl_cdip", join(root, label))
    .filter((f) => IMAGE_EXTS.has(extname(f).toLowerCase()))
    .map((f) => ({ path: join(root, label, f), label })));
  return { ...loadAll(entries, (e) => e.path, (e) => loadRvlCdipDocument(e.path, e.label), options), classes };
}
