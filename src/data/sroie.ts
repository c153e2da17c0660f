// SROIE loader (the shared/data/sroie layout): text-line quads + transcripts + per-line key labels → words, boxes, BIO labels.
import { join } from "node:path";
import { bioLabelList, normalizeBox, type Box, type Corpus, type CorpusOptions, type Document } from "./document.ts";
import { loadAll } from "./corpus.ts";
import { DataError } from "./errors.ts";
import { readImageSize } from "./image/image_size.ts";
import { readDataText } from "./read_file.ts";

/** The four key fields, in the order of the README. */
export const SROIE_LABELS: readonly string[] = bioLabelList(["COMPANY", "DATE", "ADDRESS", "TOTAL"]);
const LINE_LABELS = new Set(["company", "date", "address", "total", "other"]);

export type SroieSplit = "train" | "test";

const readText = (path: string, what: string): string => readDataText("sroie", path, what);

/** `x1,y1,...,y4,text` per line; the transcript may itself contain commas, so only the first 8 fields are split off. */
function parseBoxCsv(path: string): { quad: number[]; text: string }[] {
  return readText(path, "box file").split("\n").filter((l) => l.length > 0).map((line, i) => {
    const fields = line.split(",");
    const quad = fields.slice(0, 8).map(Number);
    if (fields.length < 9 || !quad.every(Number.isInteger)) throw new DataError("sroie", path, `line ${i + 1} is not "x1,y1,...,x4,y4,text"`);
    return { quad, text: fields.slice(8).join(",") };
  });
}

function parseLabels(path: string, lineCount: number): string[] {
  const rows = readText(path, "label file").split("\n").filter((l) => l.length > 0);
  if (rows.length !== lineCount) throw new DataError("sroie", path, `${rows.length} label rows for ${lineCount} text lines`);
  return rows.map((row, i) => {
    const [index, label] = row.split("\t");
    if (Number(index) !== i || !LINE_LABELS.has(label)) throw new DataError("sroie", path, `row ${i + 1} is not "${i}<TAB>company|date|address|total|other"`);
    return label;
  });
}

/** A receipt name is a file stem in images/, box/ and labels/: one path segment, never a way out of the dataset folder. */
function checkReceiptName(file: string, name: string): void {
  if (/[\\/\0]/.test(name)) {
    throw new DataError("sroie", file, `${JSON.stringify(name)} is not a receipt name (a file stem in images/, box/ and labels/)`);
  }
}

/**
 * One receipt. Each line is split on whitespace and every word gets the line's axis-aligned box (segment-level,
 * like FUNSD). BIO: a labelled line directly after a line with the same label continues its entity (multi-line
 * company or address is one entity); otherwise its first word starts a new one.
 */
export function loadSroieDocument(root: string, name: string): Document {
  checkReceiptName(root, name);
  const imagePath = join(root, "images", `${name}.jpg`);
  const boxPath = join(root, "box", `${name}.csv`);
  const lines = parseBoxCsv(boxPath);
  const lineLabels = parseLabels(join(root, "labels", `${name}.tsv`), lines.length);
  const { width, height } = readImageSize(imagePath);
  const doc: Document = { id: name, words: [], boxes: [], labels: [], imagePath, width, height };
  let previous = "other";
  lines.forEach(({ quad, text }, i) => {
    const xs = [quad[0], quad[2], quad[4], quad[6]], ys = [quad[1], quad[3], quad[5], quad[7]];
    const box = normalizeBox("sroie", boxPath, [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)], width, height);
    const words = text.split(/\s+/).filter((w) => w.length > 0);
    const label = lineLabels[i];
    words.forEach((word, k) => {
      doc.words.push(word);
      doc.boxes.push([...box] as Box);
      const type = label.toUpperCase();
      doc.labels!.push(label === "other" ? "O" : k === 0 && previous !== label ? `B-${type}` : `I-${type}`);
    });
    if (words.length > 0) previous = label;
  });
  return doc;
}

/** A split listed in `<root>/train.txt` or `<root>/test.txt`. */
export function loadSroie(root: string, split: SroieSplit, options: CorpusOptions = {}): Corpus {
  const listFile = join(root, `${split}.txt`);
  const names = readText(listFile, "split file").split("\n").map((s) => s.trim()).filter((s) => s.length > 0);
  for (const name of names) checkReceiptName(listFile, name);
  return loadAll(names, (name) => join(root, "box", `${name}.csv`), (name) => loadSroieDocument(root, name), options);
}
