// `aetnet predict`: label the OCR words of one page, print the entities as JSON and draw them on the page as SVG;
// for a document-classification checkpoint, print the page's class.
import { readFileSync, writeFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { DataError } from "../data/errors.ts";
import { labelMaps, normalizeBox, unionBox, type Box, type Document } from "../data/document.ts";
import { decodeImage } from "../data/image/decode.ts";
import { prepareDocs } from "../train/batches.ts";
import { argmax, documentLogits, predictDocs } from "../train/evaluate.ts";
import { encodePng, pageSvg, type PageEntity } from "../train/page_svg.ts";
import { getEntities } from "../train/seqeval.ts";
import { parse, str, UsageError } from "./args.ts";
import { checkpointKind, openModel } from "./checkpoint_model.ts";

export const PREDICT_HELP = `aetnet predict — label the words of one page and draw the entities, or class a page

Usage: aetnet predict --checkpoint DIR --image page.png --words words.json [--out page.svg]
       aetnet predict --checkpoint DIR --image page.png [--words words.json]     (rvlcdip checkpoints)

  --checkpoint DIR   a run folder (uses checkpoints/best) or a checkpoint folder holding state.json, or a
                     Hugging Face LayoutLMv3ForTokenClassification / ForSequenceClassification folder
                     (config.json + model.safetensors + vocab.json/merges.txt; labels from id2label)
  --image FILE       the page, PNG or JPEG
  --words FILE       OCR words: [{"text": "Date:", "box": [x0, y0, x1, y1]}, ...] in the image's pixels
                     (or {"words": [...]}). Give each word its line/segment box, as training did.
                     Optional for a document-classification checkpoint (no words: the page image alone).
  --out FILE         SVG to write (default <image name>.entities.svg in the current folder; token tasks only)
  -h, --help         this text

Token tasks print {"entities": [{"type", "text", "words", "box"}]} to stdout; the SVG has one rectangle per entity.
Classification prints {"class": "...", "probabilities": {"<class>": p, ...}} and writes no SVG.`;

const OPTIONS = { checkpoint: { type: "string" }, image: { type: "string" }, words: { type: "string" }, out: { type: "string" } } as const;

interface OcrWord { text: string; box: number[] }

function readWords(path: string): OcrWord[] {
  let json: unknown;
  try { json = JSON.parse(readFileSync(path, "utf8")); } catch (err) {
    throw new DataError("predict", path, `cannot read words JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const list = Array.isArray(json) ? json : typeof json === "object" && json !== null && "words" in json && Array.isArray(json.words) ? json.words : null;
  if (list === null) throw new DataError("predict", path, 'expected an array of {"text", "box"} or {"words": [...]}');
  return list.map((w: unknown, i: number): OcrWord => {
    if (typeof w !== "object" || w === null || !("text" in w) || !("box" in w) || typeof w.text !== "string" || !Array.isArray(w.box) || w.box.length !== 4 || !w.box.every((v: unknown) => typeof v === "number")) {
      throw new DataError("predict", path, `word ${i} needs "text" (string) and "box" (4 numbers)`);
    }
    return { text: w.text, box: w.box.map(Number) };
  });
}

export interface Prediction { entities: PageEntity[]; svgPath: string; svg: string }
export interface ClassPrediction { class: string; probabilities: Record<string, number> }

export function predictCommand(argv: readonly string[]): Prediction | ClassPrediction | null {
  const p = parse(argv, OPTIONS, PREDICT_HELP);
  if (p.help) { console.log(PREDICT_HELP); return null; }
  const ckpt = str(p, "checkpoint", PREDICT_HELP, true), imagePath = str(p, "image", PREDICT_HELP, true), wordsPath = str(p, "words", PREDICT_HELP);
  if (wordsPath === undefined && checkpointKind(ckpt) !== "sequence") throw new UsageError("--words is required (except for a document-classification checkpoint)", PREDICT_HELP);
  const words = wordsPath === undefined ? [] : readWords(wordsPath).filter((w) => w.text.trim() !== "");
  const page = decodeImage(imagePath);
  const { config, settings, model, tokenizer } = openModel(ckpt);
  const kind = settings.kind;
  const doc: Document = { id: basename(imagePath), words: words.map((w) => w.text), boxes: words.map((w): Box => normalizeBox("predict", wordsPath ?? imagePath, w.box, page.width, page.height)), width: page.width, height: page.height };
  const [prepared] = prepareDocs([doc], { tokenizer, labelToId: labelMaps(settings.labels).labelToId, imageSize: config.imageSize, maxLength: settings.maxLength, stride: settings.stride, pageOf: () => page, kind });
  if (kind === "sequence") return printClass(documentLogits(model, [prepared], 1)[0], settings.labels);
  const svgPath = str(p, "out", PREDICT_HELP) ?? `${basename(imagePath, extname(imagePath))}.entities.svg`;
  const tags = doc.words.length === 0 ? [] : predictDocs(model, [prepared], settings.batchSize)[0].map((id) => settings.labels[id] ?? "O");
  const entities = getEntities(tags).map((e): PageEntity => {
    const idx = Array.from({ length: e.end - e.start + 1 }, (_, k) => e.start + k);
    const [x0, y0, x1, y1] = unionBox(idx.map((i): Box => [words[i].box[0], words[i].box[1], words[i].box[2], words[i].box[3]]));
    return { type: e.type, text: idx.map((i) => words[i].text).join(" "), words: idx, box: [x0, y0, x1, y1] };
  });
  const svg = pageSvg(encodePng(page), page.width, page.height, entities);
  writeFileSync(svgPath, svg);
  console.log(JSON.stringify({ entities }, null, 2));
  console.error(`${entities.length} entities; drawn in ${svgPath}`);
  return { entities, svgPath, svg };
}

/** Softmax of the class logits; prints {"class", "probabilities"} (4 decimals). */
function printClass(logits: readonly number[], labels: readonly string[]): ClassPrediction {
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  const probabilities = Object.fromEntries(labels.map((c, i) => [c, Math.round((e[i] / total) * 1e4) / 1e4]));
  const result = { class: labels[argmax(logits)], probabilities };
  console.log(JSON.stringify(result, null, 2));
  return result;
}
