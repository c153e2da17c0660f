// `aetnet explain`: draw what PITA learned on one page — a word's or an entity's patch–token similarity as a heatmap
// over the page, and the per-cell alignment of the whole page; SVG always, PNG where @napi-rs/canvas is installed.
import { writeFileSync } from "node:fs";
import { basename, extname } from "node:path";
import { DataError } from "../data/errors.ts";
import { resize } from "../data/image/resize.ts";
import type { EntityModel } from "../extract/entity_model.ts";
import { extractEntities } from "../extract/extract_entities.ts";
import { loadDocument } from "../extract/load_document.ts";
import { cellsPicture, heatmapPicture } from "../explain/explain_pictures.ts";
import { toPng, toSvg, type Picture } from "../explain/picture.ts";
import { cellAlignment, meanFeature, pageFeatures, patchDistribution } from "../explain/pita_maps.ts";
import { num, parse, str, UsageError } from "./args.ts";
import { openModel } from "./checkpoint_model.ts";
import { givenWords } from "./predict_command.ts";

export const EXPLAIN_HELP = `aetnet explain — draw what PITA (patch–token alignment) learned on one page

Usage: aetnet explain --checkpoint DIR --image page.png [--words words.json] [--word N | --entity TEXT] [--out PREFIX]

  --checkpoint DIR   a run folder or checkpoint of a full AETNet (not --no-align: that model has no PITA)
  --image FILE       the page, PNG or JPEG; its words are read by OCR (tesseract.js, offline) unless --words is given
  --words FILE       words instead of OCR, as for aetnet predict
  --word N           the page's N-th word (0-based, reading order; the "words" indices predict prints)
  --entity TEXT      the first predicted entity whose text contains TEXT (case-insensitive)
                     (neither: the first predicted entity, else word 0)
  --max-side N       draw the page at most N pixels on its longer side (default: its own size)
  --out PREFIX       writes PREFIX.heatmap.svg and PREFIX.cells.svg, and .png beside them where @napi-rs/canvas
                     is installed (default PREFIX: the image's name, in the current folder)
  -h, --help         this text

heatmap: softmax over the 14×14 patches of (patch feature · mean token feature of the chosen words), PITA's own
cell-to-patch distribution, on the page with the chosen words outlined. cells: for every grid cell holding text,
the probability that its mean token feature picks its own patch (red 0 … green 1), and a line to the patch it
picks instead. Prints a JSON summary.`;

const OPTIONS = {
  checkpoint: { type: "string" }, image: { type: "string" }, words: { type: "string" }, word: { type: "string" },
  entity: { type: "string" }, out: { type: "string" }, "max-side": { type: "string" },
} as const;

export interface ExplainResult {
  subject: string;
  words: number[];
  topPatch: [number, number];
  cells: { count: number; ownTop: number; meanOwn: number };
  pictures: string[];
}

export async function explainCommand(argv: readonly string[]): Promise<ExplainResult | null> {
  const p = parse(argv, OPTIONS, EXPLAIN_HELP);
  if (p.help) { console.log(EXPLAIN_HELP); return null; }
  const ckpt = str(p, "checkpoint", EXPLAIN_HELP, true), image = str(p, "image", EXPLAIN_HELP, true);
  const wordsPath = str(p, "words", EXPLAIN_HELP), entityText = str(p, "entity", EXPLAIN_HELP);
  const wordIndex = p.values.word === undefined ? undefined : num(p, "word", EXPLAIN_HELP, 0, { min: 0, integer: true });
  if (wordIndex !== undefined && entityText !== undefined) throw new UsageError("give --word or --entity, not both", EXPLAIN_HELP);
  const opened = openModel(ckpt);
  if (!opened.config.align) throw new UsageError(`${ckpt} was trained without alignment encoders (--no-align): it has no PITA to draw`, EXPLAIN_HELP);
  const document = await loadDocument(image, wordsPath === undefined ? {} : { words: givenWords(wordsPath, image) });
  const page = document.pages[0];
  if (page.words.length === 0) throw new DataError("explain", image, "has no words (OCR found none); pass --words");
  const { settings, model, tokenizer } = opened;
  const features = pageFeatures(model, tokenizer, page, settings);

  let subject: string, chosen: number[];
  if (wordIndex !== undefined) {
    if (wordIndex >= page.words.length) throw new UsageError(`--word ${wordIndex} is past the page's ${page.words.length} words (0..${page.words.length - 1})`, EXPLAIN_HELP);
    [subject, chosen] = [`word ${wordIndex} "${page.words[wordIndex].text}"`, [wordIndex]];
  } else {
    const entities = settings.kind === "token"
      ? extractEntities({ ...settings, chunking: settings.chunking ?? "overlap", model, tokenizer } satisfies EntityModel, document).entities
      : [];
    const want = entityText?.toLowerCase();
    const hit = want === undefined ? entities[0] : entities.find((e) => e.text.toLowerCase().includes(want));
    if (want !== undefined && hit === undefined) {
      const seen = entities.slice(0, 5).map((e) => JSON.stringify(e.text)).join(", ");
      throw new DataError("explain", image, `no predicted entity contains "${entityText}" (${entities.length} entities${seen ? `: ${seen}${entities.length > 5 ? ", …" : ""}` : ""}); try --word N`);
    }
    [subject, chosen] = hit === undefined ? [`word 0 "${page.words[0].text}"`, [0]] : [`entity ${hit.label} "${hit.text}"`, hit.words];
  }
  if (chosen.every((w) => features.wordTokens[w] === 0)) throw new DataError("explain", image, `${subject} has no tokens in any window`);
  const distribution = patchDistribution(features, meanFeature(features, chosen));
  const cells = cellAlignment(features);
  const prefix = str(p, "out", EXPLAIN_HELP) ?? basename(image, extname(image));
  const { width, height } = page.image;
  const scale = Math.min(1, num(p, "max-side", EXPLAIN_HELP, Math.max(width, height), { min: 64, integer: true }) / Math.max(width, height));
  const drawn = scale === 1 ? page.image : resize(page.image, Math.round(width * scale), Math.round(height * scale));
  const boxes = chosen.map((w) => page.words[w].box.map((v) => v * scale));
  const pictures = await writePicture(`${prefix}.heatmap`, heatmapPicture({ page: drawn, grid: features.grid, distribution, subject, boxes }));
  pictures.push(...await writePicture(`${prefix}.cells`, cellsPicture(drawn, features.grid, cells, (w) => page.words[w].text)));
  let top = 0;
  distribution.forEach((v, i) => { if (v > distribution[top]) top = i; });
  const g = features.grid;
  const result: ExplainResult = {
    subject, words: chosen, topPatch: [Math.floor(top / g), top % g],
    cells: { count: cells.length, ownTop: cells.filter((c) => c.top === c.cell).length, meanOwn: Math.round((cells.reduce((s, c) => s + c.own, 0) / Math.max(1, cells.length)) * 1e4) / 1e4 },
    pictures,
  };
  console.log(JSON.stringify(result, null, 2));
  if (!pictures.some((f) => f.endsWith(".png"))) console.error("PNG skipped: @napi-rs/canvas is not installed (npm install @napi-rs/canvas); the SVGs are written");
  return result;
}

async function writePicture(base: string, picture: Picture): Promise<string[]> {
  writeFileSync(`${base}.svg`, toSvg(picture));
  const png = await toPng(picture);
  if (png === null) return [`${base}.svg`];
  writeFileSync(`${base}.png`, png);
  return [`${base}.svg`, `${base}.png`];
}
