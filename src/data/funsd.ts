// FUNSD loader: per form the non-empty words, 0–1000 boxes (segment- or word-level), BIO labels and the image path.
import { basename, join } from "node:path";
import {
  bioLabelList, bioTags, normalizeBox, unionBox, type Box, type Corpus, type CorpusOptions, type Document,
} from "./document.ts";
import { loadAll } from "./corpus.ts";
import { DataError } from "./errors.ts";
import { listFolder } from "./read_file.ts";
import { readImageSize } from "./image/image_size.ts";
import { readJsonFile } from "./json_file.ts";
import { isNumberArray, isRecord } from "./json_value.ts";

/** O, B-HEADER, I-HEADER, B-QUESTION, I-QUESTION, B-ANSWER, I-ANSWER: the order of the HF `funsd-layoutlmv3` set. */
export const FUNSD_LABELS: readonly string[] = bioLabelList(["HEADER", "QUESTION", "ANSWER"]);

const ENTITY_LABELS = new Set(["header", "question", "answer", "other"]);

export interface FunsdOptions extends CorpusOptions {
  /**
   * "segment" (default): every word gets its entity's box, the union of the entity's normalised word boxes,
   * as the official AET code and LayoutLMv3 (`get_line_bbox`) do. "word": each word keeps its own box.
   */
  boxes?: "segment" | "word";
}

export type FunsdSplit = "train" | "test";
const SPLIT_DIRS: Record<FunsdSplit, string> = { train: "training_data", test: "testing_data" };

/** One form. Words whose text is blank are dropped (890 in the release), as standard pipelines do. */
export function loadFunsdDocument(annotationPath: string, imagePath: string, options: FunsdOptions = {}): Document {
  const json = readJsonFile("funsd", annotationPath);
  if (!isRecord(json) || !Array.isArray(json.form)) {
    throw new DataError("funsd", annotationPath, 'not a FUNSD annotation: no "form" array');
  }
  const { width, height } = readImageSize(imagePath);
  const id = basename(annotationPath, ".json");
  const doc: Document = { id, words: [], boxes: [], labels: [], imagePath, width, height };
  json.form.forEach((entity: unknown, e: number) => {
    const where = `form[${e}]`;
    if (!isRecord(entity) || !Array.isArray(entity.words) || typeof entity.label !== "string") {
      throw new DataError("funsd", annotationPath,
        `${where} is not a FUNSD entity (needs "words" array and "label" string)`);
    }
    if (!ENTITY_LABELS.has(entity.label)) {
      throw new DataError("funsd", annotationPath, `${where} has unknown label "${entity.label}"`);
    }
    const words: string[] = [], boxes: Box[] = [];
    entity.words.forEach((w: unknown, k: number) => {
      if (!isRecord(w) || typeof w.text !== "string" || !isNumberArray(w.box, 4)) {
        throw new DataError("funsd", annotationPath, `${where}.words[${k}] needs a "text" string and a 4-number "box"`);
      }
      if (w.text.trim() === "") return;
      words.push(w.text);
      boxes.push(normalizeBox("funsd", annotationPath, w.box, width, height));
    });
    if (words.length === 0) return;
    const segment = unionBox(boxes);
    doc.words.push(...words);
    doc.boxes.push(...(options.boxes === "word" ? boxes : boxes.map((): Box => [...segment])));
    doc.labels!.push(...bioTags(entity.label === "other" ? null : entity.label.toUpperCase(), words.length));
  });
  return doc;
}

/** A split of the release: `<root>/training_data` or `<root>/testing_data`, annotations/NAME.json + images/NAME.png. */
export function loadFunsd(root: string, split: FunsdSplit, options: FunsdOptions = {}): Corpus {
  const dir = join(root, SPLIT_DIRS[split]);
  const annDir = join(dir, "annotations");
  const names = listFolder("funsd", annDir, "annotation folder")
    .filter((f) => f.endsWith(".json")).map((f) => basename(f, ".json"));
  return loadAll(names, (name) => join(annDir, `${name}.json`),
    (name) => loadFunsdDocument(join(annDir, `${name}.json`), join(dir, "images", `${name}.png`), options), options);
}
