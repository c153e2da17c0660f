// The extraction page (examples/extract_page/) end to end in headless Chromium: a checkpoint trained here is
// selected in the page, a page image dropped in; the page OCRs it with tesseract.js served from this machine,
// runs the model and draws the entities. Checked against Node on the same input: the same OCR words give the same
// per-word labels and probabilities, and the same entities as `aetnet predict --words` with those words.
// Two pages: a FUNSD test form (skipped when ../shared/data/funsd is absent) and a page drawn here; and a PDF made
// here (a text-layer page and an image-only page) whose entities must equal `aetnet predict --pdf`'s.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { io } from "../../engine/index.ts";
import { buildPage } from "../../examples/extract_page/build.ts";
import type { ExtractPageResult } from "../../examples/extract_page/main.ts";
import { servePage } from "../../examples/extract_page/serve.ts";
import { resolveCheckpointDir } from "../../src/cli/checkpoint_model.ts";
import { decodeImage } from "../../src/data/image/decode.ts";
import { dataRoot } from "../../src/data/paths.ts";
import { loadEntityModel } from "../../src/extract/load_entity_model.ts";
import { demoEntityModel } from "../../src/extract/demo_model.ts";
import { extractEntities, tagPage } from "../../src/extract/extract_entities.ts";
import { loadDocument } from "../../src/extract/load_document.ts";
import { createOcr } from "../../src/extract/ocr.ts";
import type { EntityRecord, PageRecord } from "../../src/extract/result.ts";
import { segmentLines } from "../../src/extract/segments.ts";
import { Trainer } from "../../src/train/trainer.ts";
import { runCli } from "../src/cli/run_cli.ts";
import { twoKindPdf } from "../src/extract/inputs.ts";
import { micro, syntheticSetup } from "../src/train/fixtures.ts";
import { skipWhen } from "../skip.ts";
import { launchChromium, skipBrowserTests as skip } from "./chromium.ts";

/** The page's CPU kernels (single-threaded wasm) vs Node's: float32 rounding only. */
const TOLERANCE = 1e-4;

const t = suite("extraction page (headless Chromium)");
const funsdImages = join(dataRoot(), "funsd", "testing_data", "images");
const test = skipWhen(t, skip ? "AETNET_BROWSER_TESTS=skip" : null);
const funsdTest = skipWhen(t, skip ? "AETNET_BROWSER_TESTS=skip" : existsSync(funsdImages) ? null : `no FUNSD data at ${funsdImages}`);

let setupError: Error | null = null;
let chromium: Awaited<ReturnType<typeof launchChromium>> | null = null;
let server: Server | null = null;
let url = "";
let dir = "";
let ckptFiles: string[] = [];

t.before(async () => {
  if (skip) return;
  try {
    dir = mkdtempSync(join(tmpdir(), "aetnet-extract-page-"));
    new Trainer({ config: micro, ...syntheticSetup(), outDir: join(dir, "run"), stopAfter: 4, progress: null, print: () => {} }).fit();
    const folder = io.findCheckpoint(resolveCheckpointDir(join(dir, "run")));
    if (folder === null) throw new Error("the trainer wrote no checkpoint");
    ckptFiles = [join(folder, "state.json"), join(folder, "model.safetensors")];
    await buildPage({ logLevel: "error" });
    ({ server, url } = await servePage(0));
    chromium = await launchChromium();
  } catch (err) {
    setupError = err as Error;
  }
});
t.before.each(() => { if (setupError) throw setupError; });
t.after(async () => {
  await chromium?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Opens the page, selects the checkpoint and the image, waits for the result (or the page's error). */
interface InPage {
  result: ExtractPageResult;
  drawn: { label: string; text: string; page: number }[];
  requests: string[];
}
async function runInPage(image: string, model: "checkpoint" | "demo" = "checkpoint"): Promise<InPage> {
  const page: Page = await chromium!.browser.newPage();
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  try {
    await page.goto(url);
    if (model === "demo") await page.click("#demo-model");
    else await page.setInputFiles("#model-files", ckptFiles);
    // Expressions as strings: they run in the page, and this project compiles without the DOM's types.
    await page.waitForFunction('/model ready|error/.test(document.getElementById("status").textContent)', null, { timeout: 60_000 });
    await page.setInputFiles("#page-file", image);
    await page.waitForFunction("window.__result !== undefined || window.__error !== undefined", null, { timeout: 240_000 });
    const error = (await page.evaluate("window.__error ?? null")) as string | null;
    if (error !== null) throw new Error(`the page failed: ${error}`);
    const result = (await page.evaluate("window.__result")) as ExtractPageResult;
    const drawn = await page.$$eval("rect.entity", (rects) => rects.map((r) => {
      const { label, text, page: p } = (r as unknown as { dataset: Record<string, string> }).dataset;
      return { label, text, page: Number(p) };
    }));
    return { result, drawn, requests };
  } finally {
    await page.close();
  }
}

/**
 * Text-layer pages: the same pdf.js code gives the same words, so everything is equal, boxes included. An
 * image-only page is rendered by Chromium's canvas in the page and by @napi-rs/canvas in Node: OCR boxes may move by
 * a pixel at glyph edges, so there entities must agree in label, text and words, and boxes to 2 px.
 */
function samePdfEntities(result: ExtractPageResult, node: readonly EntityRecord[], what: string): void {
  const strip = (es: readonly EntityRecord[]): unknown[] =>
    es.map((e) => ({ page: e.page, label: e.label, text: e.text, words: e.words }));
  assert.equal(strip(result.entities), strip(node), `entities in the page vs ${what}`);
  result.entities.forEach((e, i) => {
    const tol = result.pages[e.page - 1].source === "pdf-text" ? 0 : 2;
    const close = e.box.every((v, k) => Math.abs(v - node[i].box[k]) <= tol);
    assert.ok(close, `entity ${i} box ${e.box} vs ${node[i].box} (± ${tol} px)`);
  });
}

/** One rectangle per entity, on its page. */
function drawnOnce(page: InPage): void {
  const want = page.result.entities.map((e) => ({ label: e.label, text: e.text, page: e.page }));
  assert.equal(page.drawn, want, "one rectangle per entity");
}

/** The page's words through Node: per-word tags, the entities, and `aetnet predict --words` on the same words. */
async function checkAgainstNode(image: string, page: Awaited<ReturnType<typeof runInPage>>): Promise<void> {
  const { result, requests } = page;
  assert.ok(requests.every((r) => r.startsWith(url) || r.startsWith("blob:") || r.startsWith("data:")), `only local requests: ${requests.filter((r) => !r.startsWith(url)).join(", ")}`);
  assert.ok(result.words.length > 0, "the page's OCR found words");
  // The same tesseract build and English model in Node read the same words with the same boxes.
  const ocr = await createOcr();
  try {
    const nodeWords = segmentLines(await ocr.recognize(decodeImage(image)));
    assert.equal(result.words, nodeWords, "OCR in the page vs OCR in Node");
  } finally { await ocr.close(); }
  const model = loadEntityModel(ckptFiles[0].replace(/\/state\.json$/, ""));
  const img = decodeImage(image);
  assert.equal([result.width, result.height], [img.width, img.height]);
  const loaded = { page: 1, image: img, words: result.words, source: "ocr" as const };
  const tags = tagPage(model, loaded, image);
  assert.equal(result.tags.map((x) => x.id), tags.map((x) => x.id), "per-word labels");
  result.tags.forEach((x, i) => assert.ok(Math.abs(x.p - tags[i].p) <= TOLERANCE, `word ${i}: p ${x.p} vs ${tags[i].p}`));
  const node = extractEntities(model, { path: image, pages: [loaded], loadMs: 0 }).entities;
  const strip = (es: typeof node): unknown[] => es.map((e) => ({ label: e.label, text: e.text, box: e.box, words: e.words }));
  assert.equal(strip(result.entities), strip(node), "entities");
  drawnOnce(page);
  console.log(`  ${image.split("/").pop()}: ${result.words.length} OCR words, ${result.entities.length} entities, OCR ${(result.ms.ocr / 1000).toFixed(1)} s and model ${(result.ms.model / 1000).toFixed(1)} s in the page`);
  // The CLI on the same words (each with its segment box, which is what the model sees).
  const words = join(dir, "words.json");
  writeFileSync(words, JSON.stringify(result.words.map((w) => ({ text: w.text, box: w.segment }))));
  const cli = await runCli("predict", "--checkpoint", join(dir, "run"), "--image", image, "--words", words, "--out", join(dir, "cli.svg"));
  assert.is(cli.code, 0, cli.err);
  const fromCli = (JSON.parse(cli.out) as { entities: { label: string; text: string; words: number[] }[] }).entities;
  assert.equal(fromCli.map((e) => [e.label, e.text, e.words]), result.entities.map((e) => [e.label, e.text, e.words]), "aetnet predict --words");
}

funsdTest("a FUNSD test form: OCR and entities in the page equal Node's on the same words", async () => {
  const image = join(funsdImages, readdirSync(funsdImages).filter((f) => f.endsWith(".png")).sort()[0]);
  await checkAgainstNode(image, await runInPage(image));
});

test("a page drawn here: OCR and entities in the page equal Node's on the same words", async () => {
  const { createCanvas } = await import("@napi-rs/canvas");
  const c = createCanvas(640, 420), ctx = c.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, 640, 420);
  ctx.fillStyle = "#000000";
  ctx.font = "26px sans-serif";
  ["REGISTRATION FORM", "Name: John Smith", "Date: 12/03/2026", "Amount due: 123.45"].forEach((line, i) => ctx.fillText(line, 40, 70 + i * 80));
  const image = join(dir, "drawn.png");
  writeFileSync(image, await c.encode("png"));
  const page = await runInPage(image);
  assert.ok(page.result.words.some((w) => w.text === "Smith"), `OCR read the drawn text: ${page.result.words.map((w) => w.text).join(" ")}`);
  await checkAgainstNode(image, page);
});

test("a PDF made here (text, then only an image): the page's entities equal `aetnet predict --pdf`", async () => {
  const pdf = await twoKindPdf(dir, "form");
  const inPage = await runInPage(pdf), { result, requests } = inPage;
  const remote = requests.filter((r) => !(r.startsWith(url) || r.startsWith("blob:") || r.startsWith("data:")));
  assert.equal(remote, [], "only local requests");
  const out = join(dir, "pdf-pictures");
  const cli = await runCli("predict", "--checkpoint", join(dir, "run"), "--pdf", pdf, "--out", out);
  assert.is(cli.code, 0, cli.err);
  const node = JSON.parse(cli.out) as { pages: PageRecord[]; entities: EntityRecord[] };
  const inPagePages = result.pages.map((p) => [p.page, p.source, p.words.length, p.width, p.height]);
  const nodePages = node.pages.map((p) => [p.page, p.source, p.words, p.width, p.height]);
  assert.equal(inPagePages, nodePages, "pages: text layer, then OCR");
  assert.ok(result.pages[0].words.some((w) => w.text === "Smith"), "page 1's words come from the text layer");
  assert.ok(result.pages[1].words.some((w) => w.text === "Invoice"), "page 2 was read by OCR in the page");
  samePdfEntities(result, node.entities, "aetnet predict --pdf");
  drawnOnce(inPage);
  const pages = result.pages.map((p) => `page ${p.page} ${p.source} ${p.words.length} words`).join(", ");
  const [reading, model] = [result.ms.ocr, result.ms.model].map((ms) => (ms / 1000).toFixed(1));
  const count = result.entities.length;
  console.log(`  form.pdf: ${pages}, ${count} entities, reading ${reading} s and model ${model} s in the page`);
});

test("the demo model the page builds equals demoEntityModel in Node: same entities on the same PDF", async () => {
  const pdf = await twoKindPdf(dir, "demo");
  const inPage = await runInPage(pdf, "demo");
  const node = extractEntities(demoEntityModel(0), await loadDocument(pdf));
  samePdfEntities(inPage.result, node.entities, "the demo model in Node");
  assert.ok(inPage.result.entities.length > 0, "the untrained model still labels something");
  drawnOnce(inPage);
});

t.run();
