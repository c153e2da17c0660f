// `aetnet predict`: entities of a page image (OCR, or given words), of a PDF (text layer, OCR for scanned pages) or
// of a whole folder (one JSON line per document); for a document-classification checkpoint, the page's class.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { DataError } from "../data/errors.ts";
import { normalizeBox, type Box, type Document } from "../data/document.ts";
import { decodeImage } from "../data/image/decode.ts";
import { prepareDocs } from "../train/batches.ts";
import { argmax, documentLogits } from "../train/evaluate.ts";
import { loadEntityModel } from "../extract/load_entity_model.ts";
import { extractEntities } from "../extract/extract_entities.ts";
import { loadDocument } from "../extract/load_document.ts";
import { pagePicture, writePictures } from "../extract/process_document.ts";
import type { DocumentResult } from "../extract/result.ts";
import type { PageWord } from "../extract/segments.ts";
import { num, parse, str, UsageError } from "./args.ts";
import { checkpointKind, openModel } from "./checkpoint_model.ts";
import { predictFolder } from "./predict_folder.ts";
import { prepareOptions } from "./prepare_options.ts";

export const PREDICT_HELP = `aetnet predict — entities of a page image, a PDF or a whole folder; or the class of a page

Usage: aetnet predict --checkpoint DIR --image page.png [--words words.json] [--out page.svg]
       aetnet predict --checkpoint DIR --pdf file.pdf [--pages 1-3] [--out DIR]
       aetnet predict --checkpoint DIR --input DIR_OR_GLOB --out results.jsonl [--pictures DIR]
       aetnet predict --checkpoint DIR --image page.png [--words words.json]     (rvlcdip checkpoints)

  --checkpoint DIR   a run folder (uses checkpoints/best) or a checkpoint folder holding state.json, or a
                     Hugging Face LayoutLMv3ForTokenClassification / ForSequenceClassification folder
                     (config.json + model.safetensors + vocab.json/merges.txt; labels from id2label)
  --image FILE       the page, PNG or JPEG; its words are read by OCR (tesseract.js, offline) unless --words is given
  --words FILE       words instead of OCR: [{"text": "Date:", "box": [x0, y0, x1, y1]}, ...] in the image's pixels
                     (or {"words": [...]}); give each word its line/segment box, as training did
  --pdf FILE         a PDF: each page's text layer gives the words, pages without text go through OCR
  --pages LIST       PDF pages, e.g. 1-3 or 1,4 (default: all)
  --dpi N            PDF rendering resolution (default 150)
  --input PATH       a folder (its PNG, JPEG and PDF files) or a glob such as "scans/*.png" or "docs/**/*.pdf"
  --out FILE|DIR     --image: the SVG to write (default <image name>.entities.svg in the current folder);
                     --pdf: the folder for <name>.p<page>.entities.svg (default the current folder);
                     --input: the JSON-lines file; documents already in it are skipped, new ones appended
  --pictures DIR     --input: also draw each page's entities as SVG into DIR
  -h, --help         this text

--image and --pdf print the document's record (pretty JSON) to stdout: {"document", "pages", "entities": [{"label",
"text", "box", "score", "page", "words"}], "timing", "error"}; boxes are pixels of the page image. --input writes
the same record as one line per document; a document that cannot be read gets its "error" and the batch goes on.
Classification prints {"class": "...", "probabilities": {"<class>": p, ...}} and writes no SVG.`;

const OPTIONS = {
  checkpoint: { type: "string" }, image: { type: "string" }, words: { type: "string" }, out: { type: "string" },
  pdf: { type: "string" }, pages: { type: "string" }, dpi: { type: "string" }, input: { type: "string" }, pictures: { type: "string" },
} as const;

function readWords(path: string): { text: string; box: number[] }[] {
  let json: unknown;
  try { json = JSON.parse(readFileSync(path, "utf8")); } catch (err) {
    throw new DataError("predict", path, `cannot read words JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const list = Array.isArray(json) ? json : typeof json === "object" && json !== null && "words" in json && Array.isArray(json.words) ? json.words : null;
  if (list === null) throw new DataError("predict", path, 'expected an array of {"text", "box"} or {"words": [...]}');
  return list.map((w: unknown, i: number) => {
    if (typeof w !== "object" || w === null || !("text" in w) || !("box" in w) || typeof w.text !== "string" || !Array.isArray(w.box) || w.box.length !== 4 || !w.box.every((v: unknown) => typeof v === "number")) {
      throw new DataError("predict", path, `word ${i} needs "text" (string) and "box" (4 numbers)`);
    }
    return { text: w.text, box: w.box.map(Number) };
  }).filter((w) => w.text.trim() !== "");
}

/** Given words, checked against the page: each keeps its box as its segment box (the caller grouped them). */
export function givenWords(path: string, imagePath: string): PageWord[] {
  const { width, height } = decodeImage(imagePath);
  return readWords(path).map((w): PageWord => {
    normalizeBox("predict", path, w.box, width, height); // rejects a box outside the page, naming the file
    const box: [number, number, number, number] = [w.box[0], w.box[1], w.box[2], w.box[3]];
    return { text: w.text, box, segment: [...box] };
  });
}

export interface ClassPrediction { class: string; probabilities: Record<string, number> }

export async function predictCommand(argv: readonly string[]): Promise<DocumentResult | ClassPrediction | null> {
  const p = parse(argv, OPTIONS, PREDICT_HELP);
  if (p.help) { console.log(PREDICT_HELP); return null; }
  const ckpt = str(p, "checkpoint", PREDICT_HELP, true);
  const image = str(p, "image", PREDICT_HELP), pdf = str(p, "pdf", PREDICT_HELP), input = str(p, "input", PREDICT_HELP);
  const given = [image, pdf, input].filter((v) => v !== undefined).length;
  if (given !== 1) throw new UsageError("give exactly one of --image, --pdf or --input", PREDICT_HELP);
  const wordsPath = str(p, "words", PREDICT_HELP), out = str(p, "out", PREDICT_HELP), pages = str(p, "pages", PREDICT_HELP);
  const pictures = str(p, "pictures", PREDICT_HELP);
  const dpi = num(p, "dpi", PREDICT_HELP, 150, { min: 36, max: 600 });
  if (wordsPath !== undefined && image === undefined) throw new UsageError("--words goes with --image", PREDICT_HELP);
  if (pages !== undefined && pdf === undefined) throw new UsageError("--pages goes with --pdf", PREDICT_HELP);
  if (pictures !== undefined && input === undefined) throw new UsageError("--pictures goes with --input", PREDICT_HELP);
  if (checkpointKind(ckpt) === "sequence") {
    if (image === undefined) throw new UsageError("a document-classification checkpoint takes --image", PREDICT_HELP);
    return classifyPage(ckpt, image, wordsPath);
  }
  if (input !== undefined || image !== undefined) checkOutFolder(out ?? "."); // before the model runs, not after
  const model = loadEntityModel(ckpt);
  if (input !== undefined) {
    if (out === undefined) throw new UsageError("--input needs --out results.jsonl", PREDICT_HELP);
    await predictFolder(model, input, out, { picturesDir: pictures, dpi });
    return null;
  }
  const path = (image ?? pdf)!;
  const words = wordsPath === undefined ? undefined : givenWords(wordsPath, path);
  const document = await loadDocument(path, { words, pages, dpi });
  const result = extractEntities(model, document);
  if (image !== undefined) {
    const svgPath = out ?? `${basename(image, extname(image))}.entities.svg`;
    writeFileSync(svgPath, pagePicture(document.pages[0], result));
    result.pictures = [svgPath];
  } else {
    result.pictures = writePictures(document, result, out ?? ".");
  }
  console.log(JSON.stringify(result, null, 2));
  console.error(`${result.entities.length} entities; drawn in ${(result.pictures ?? []).join(", ")}`);
  return result;
}

/** --out must name a file (or, for --pdf, a folder) whose parent folder exists. */
function checkOutFolder(path: string): void {
  const folder = dirname(resolve(path));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new DataError("predict", path, `--out: the folder ${folder} does not exist`);
}

/** The class of one page (document-classification checkpoints), from its image and optional words. */
function classifyPage(ckpt: string, imagePath: string, wordsPath: string | undefined): ClassPrediction {
  const words = wordsPath === undefined ? [] : readWords(wordsPath);
  const page = decodeImage(imagePath);
  const { config, settings, model, tokenizer } = openModel(ckpt);
  const doc: Document = { id: basename(imagePath), words: words.map((w) => w.text), boxes: words.map((w): Box => normalizeBox("predict", wordsPath ?? imagePath, w.box, page.width, page.height)), width: page.width, height: page.height };
  const [prepared] = prepareDocs([doc], prepareOptions(settings, config, tokenizer, { pageOf: () => page }));
  const logits = documentLogits(model, [prepared], 1)[0], labels = settings.labels;
  const top = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - top));
  const total = e.reduce((a, b) => a + b, 0);
  const probabilities = Object.fromEntries(labels.map((c, i) => [c, Math.round((e[i] / total) * 1e4) / 1e4]));
  const result = { class: labels[argmax(logits)], probabilities };
  console.log(JSON.stringify(result, null, 2));
  return result;
}
