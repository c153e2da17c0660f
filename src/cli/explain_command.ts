// `aetnet explain`: draw what PITA learned on one page — a word's or an entity's patch–token similarity as a heatmap
// over the page, and the per-cell alignment of the whole page; SVG always, PNG where @napi-rs/canvas is installed.
import { basename, extname } from "node:path";
import { explainPage, type ExplainResult } from "../explain/explain_page.ts";
import { loadDocument } from "../extract/load_document.ts";
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

export type { ExplainResult };

export async function explainCommand(argv: readonly string[]): Promise<ExplainResult | null> {
  const p = parse(argv, OPTIONS, EXPLAIN_HELP);
  if (p.help) { console.log(EXPLAIN_HELP); return null; }
  const ckpt = str(p, "checkpoint", EXPLAIN_HELP, true), image = str(p, "image", EXPLAIN_HELP, true);
  const wordsPath = str(p, "words", EXPLAIN_HELP), entity = str(p, "entity", EXPLAIN_HELP);
  const word = p.values.word === undefined ? undefined : num(p, "word", EXPLAIN_HELP, 0, { min: 0, integer: true });
  if (word !== undefined && entity !== undefined) {
    throw new UsageError("give --word or --entity, not both", EXPLAIN_HELP);
  }
  const opened = openModel(ckpt);
  if (!opened.config.align) {
    const why = `${ckpt} was trained without alignment encoders (--no-align): it has no PITA to draw`;
    throw new UsageError(why, EXPLAIN_HELP);
  }
  const document = await loadDocument(image, wordsPath === undefined ? {} : { words: givenWords(wordsPath, image) });
  const count = document.pages[0].words.length;
  if (word !== undefined && count > 0 && word >= count) {
    throw new UsageError(`--word ${word} is past the page's ${count} words (0..${count - 1})`, EXPLAIN_HELP);
  }
  const maxSide = p.values["max-side"] === undefined
    ? undefined
    : num(p, "max-side", EXPLAIN_HELP, 0, { min: 64, integer: true });
  const prefix = str(p, "out", EXPLAIN_HELP) ?? basename(image, extname(image));
  const result = await explainPage(opened, document, { word, entity, prefix, maxSide });
  console.log(JSON.stringify(result, null, 2));
  if (!result.pictures.some((f) => f.endsWith(".png"))) {
    console.error("PNG skipped: @napi-rs/canvas is not installed (npm install @napi-rs/canvas); the SVGs are written");
  }
  return result;
}
