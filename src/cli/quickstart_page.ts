// The end of `npm start`: the model just trained reads a held-out page from its image alone (OCR), draws the
// entities it found and the alignment heatmap of that page (`aetnet explain`), so a first run shows documents in,
// entities out, and what the alignment objective learned.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { importOptional, MissingDependencyError } from "../../engine/index.ts";
import { explainPage, type ExplainResult } from "../explain/explain_page.ts";
import { extractEntities } from "../extract/extract_entities.ts";
import { loadDocument, type LoadedDocument } from "../extract/load_document.ts";
import { writePictures } from "../extract/process_document.ts";
import type { DocumentResult } from "../extract/result.ts";
import { openModel, type OpenedModel } from "./checkpoint_model.ts";
import { DataError } from "../data/errors.ts";
import { defaultDataDir } from "./tasks.ts";

/** The FUNSD test form the docs use, else the first test form. */
function funsdTestPage(): string | null {
  const images = join(defaultDataDir("funsd"), "testing_data", "images");
  if (!existsSync(images)) return null;
  const names = readdirSync(images).filter((f) => f.endsWith(".png")).sort();
  const name = names.includes("82092117.png") ? "82092117.png" : names[0];
  return name === undefined ? null : join(images, name);
}

const PRINTED_FORM: [string, number, number, number][] = [
  ["ORDER FORM", 40, 60, 30], ["Name: John Smith", 40, 130, 22], ["Date: 12/03/1998", 40, 180, 22],
  ["Company: Oak Ave Supplies", 40, 230, 22], ["Total: 42.00", 40, 280, 22],
];

/** Without FUNSD: a small printed form rendered with @napi-rs/canvas (the synthetic pages' block glyphs are no font). */
async function printedForm(dir: string): Promise<string> {
  const { createCanvas } = await importOptional<typeof import("@napi-rs/canvas")>("@napi-rs/canvas", "quickstart page");
  const canvas = createCanvas(600, 340);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "white";
  ctx.fillRect(0, 0, 600, 340);
  ctx.fillStyle = "black";
  for (const [text, x, y, size] of PRINTED_FORM) { ctx.font = `${size}px sans-serif`; ctx.fillText(text, x, y); }
  const path = join(dir, "printed_form.png");
  writeFileSync(path, canvas.toBuffer("image/png"));
  return path;
}

export interface PageShown { result: DocumentResult; explained: ExplainResult | null }

/**
 * Runs the run's best checkpoint on one held-out page image through OCR (read once), draws its entities and the
 * alignment heatmap of its first entity; prints the pictures' paths. Null when an optional package is missing
 * or the page cannot be read (said in one line).
 */
export async function showOnPage(runDir: string, page?: string): Promise<PageShown | null> {
  const dir = join(runDir, "page");
  try {
    mkdirSync(dir, { recursive: true });
    const path = page ?? funsdTestPage() ?? await printedForm(dir);
    const opened = openModel(runDir);
    const { settings, model, tokenizer } = opened;
    const document = await loadDocument(path);
    const entityModel = { ...settings, chunking: settings.chunking ?? "overlap", model, tokenizer } as const;
    const result = extractEntities(entityModel, document);
    result.pictures = writePictures(document, result, dir);
    const labels = [...new Set(result.entities.map((e) => e.label))].sort();
    const counts = labels.map((l) => `${result.entities.filter((e) => e.label === l).length} ${l}`).join(", ");
    const seconds = (result.timing.totalMs / 1000).toFixed(1);
    console.log(`read ${path} from its image alone (OCR, ${result.pages[0].words} words): ` +
      `${result.entities.length} entities${counts === "" ? "" : ` (${counts})`} in ${seconds} s`);
    console.log(`entities drawn on the page: ${result.pictures[0]}`);
    const explained = await explainShown(opened, document, result, join(dir, basename(path, extname(path))));
    console.log(`the same for your own scans: npx aetnet predict --checkpoint ${runDir} --image page.png`);
    if (explained !== null) {
      console.log(`                    and: npx aetnet explain --checkpoint ${runDir} --image page.png`);
    }
    return { result, explained };
  } catch (err) {
    if (err instanceof DataError) { console.log(`could not show the model on a page: ${err.message}`); return null; }
    if (!(err instanceof MissingDependencyError)) throw err;
    console.log(`skipping the OCR demo page: ${err.message}`);
    return null;
  }
}

/** The heatmap of the page's first entity (else its first word) and the per-cell alignment; null without PITA. */
async function explainShown(
  opened: OpenedModel, document: LoadedDocument, result: DocumentResult, prefix: string,
): Promise<ExplainResult | null> {
  if (!opened.config.align) { console.log("no alignment heatmap: the model was trained with --no-align"); return null; }
  if (document.pages[0].words.length === 0) { console.log("no alignment heatmap: OCR found no words"); return null; }
  const explained = await explainPage(opened, document, { entities: result.entities, prefix });
  const [heatmap, cells] = [".heatmap.", ".cells."].map((k) => explained.pictures.find((f) => f.includes(k)));
  console.log(`alignment heatmap of ${explained.subject}: ${heatmap}`);
  const { ownTop, count } = explained.cells;
  console.log(`per-cell alignment of the page (${ownTop}/${count} cells pick their own patch): ${cells}`);
  return explained;
}
