// The end of `npm start`: the model just trained reads a held-out page from its image alone (OCR) and draws the
// entities it found, so a first run shows documents in, entities out.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadEntityModel } from "../extract/entity_model.ts";
import { importPackage, MissingPackageError } from "../extract/optional_package.ts";
import { processDocument } from "../extract/process_document.ts";
import type { DocumentResult } from "../extract/result.ts";
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
  const { createCanvas } = await importPackage<typeof import("@napi-rs/canvas")>("@napi-rs/canvas", "quickstart page");
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

/** Runs the run's best checkpoint on one held-out page image through OCR; prints the picture's path. */
export async function showOnPage(runDir: string): Promise<DocumentResult | null> {
  const dir = join(runDir, "page");
  try {
    mkdirSync(dir, { recursive: true });
    const page = funsdTestPage() ?? await printedForm(dir);
    const result = await processDocument(page, loadEntityModel(runDir), { picturesDir: dir });
    if (result.error !== null) { console.log(`could not read ${page}: ${result.error}`); return result; }
    const labels = [...new Set(result.entities.map((e) => e.label))].sort();
    const counts = labels.map((l) => `${result.entities.filter((e) => e.label === l).length} ${l}`).join(", ");
    const seconds = (result.timing.totalMs / 1000).toFixed(1);
    console.log(`read ${page} from its image alone (OCR, ${result.pages[0].words} words): ` +
      `${result.entities.length} entities${counts === "" ? "" : ` (${counts})`} in ${seconds} s`);
    console.log(`entities drawn on the page: ${result.pictures?.[0]}`);
    console.log(`the same for your own scans: npx aetnet predict --checkpoint ${runDir} --image page.png`);
    return result;
  } catch (err) {
    if (!(err instanceof MissingPackageError)) throw err;
    console.log(`skipping the OCR demo page: ${err.message}`);
    return null;
  }
}
