// The extraction page: a checkpoint's files and a page image in, OCR (tesseract.js, served locally) and the model
// in the page, entities drawn over the page. It publishes window.__result for the headless-Chromium test.
import Tesseract from "tesseract.js";
import { decodeImageBytes } from "../../src/data/image/decode.ts";
import { fromInterleaved, type RgbImage } from "../../src/data/image/rgb_image.ts";
import type { EntityModel } from "../../src/extract/entity_model.ts";
import { extractEntities, tagPage } from "../../src/extract/extract_entities.ts";
import { entityModelFromFiles } from "../../src/extract/model_files.ts";
import { linesOfBlocks, ocrInput, type OcrLine, type TesseractBlock } from "../../src/extract/ocr.ts";
import type { EntityRecord } from "../../src/extract/result.ts";
import { segmentLines, type PageWord } from "../../src/extract/segments.ts";

export interface ExtractPageResult {
  ocrLines: OcrLine[];
  words: PageWord[];
  /** Per word: the label id and its probability, as tagPage gives them. */
  tags: { id: number; p: number }[];
  entities: EntityRecord[];
  width: number;
  height: number;
  ms: { ocr: number; model: number };
}

// The few DOM pieces the page uses, typed here: the project compiles against Node's types, not the DOM's.
interface El {
  textContent: string | null; dataset: Record<string, string>; classList: { add(c: string): void; remove(c: string): void };
  setAttribute(k: string, v: string): void; append(...nodes: El[]): void; replaceChildren(...nodes: El[]): void;
  insertAdjacentHTML(where: "beforeend", html: string): void; addEventListener(type: string, fn: (e: DomEvent) => void): void;
}
interface PageFile { name: string; arrayBuffer(): Promise<ArrayBuffer> }
interface PageFileList { length: number; [i: number]: PageFile }
interface DomEvent { preventDefault(): void; dataTransfer?: { files: PageFileList } | null }
interface ImageDataLike { data: Uint8ClampedArray }
interface Canvas2D {
  drawImage(b: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): ImageDataLike;
  createImageData(w: number, h: number): ImageDataLike; putImageData(d: ImageDataLike, x: number, y: number): void;
}
interface Page {
  document: { getElementById(id: string): El | null; createElementNS(ns: string, tag: string): El };
  location: { href: string };
  URL: { createObjectURL(b: unknown): string };
  createImageBitmap(f: unknown, o: object): Promise<{ width: number; height: number }>;
  OffscreenCanvas: new (w: number, h: number) => { getContext(k: "2d"): Canvas2D | null; convertToBlob(o: { type: string }): Promise<unknown> };
  __result?: ExtractPageResult;
  __error?: string;
}
const page = globalThis as unknown as Page;
const { document } = page;

const $ = <T extends El = El>(id: string): T => document.getElementById(id) as T;
const status = (text: string): void => { $("status").textContent = text; };
const COLORS: Record<string, string> = { HEADER: "#d62728", QUESTION: "#1f77b4", ANSWER: "#2ca02c" };

let model: EntityModel | null = null;
let ocrWorker: Promise<Tesseract.Worker> | null = null;

/** tesseract.js with every file from this site (dist/vendor/, copied from node_modules by build.ts). */
function ocr(): Promise<Tesseract.Worker> {
  const base = new URL("./dist/vendor/", page.location.href).href;
  return ocrWorker ??= Tesseract.createWorker("eng", Tesseract.OEM.LSTM_ONLY, {
    workerPath: `${base}tesseract-worker.js`, corePath: `${base}core/`, langPath: `${base}lang`,
    gzip: false, cacheMethod: "none", workerBlobURL: false,
  });
}

/** Decoded as Node decodes it: JPEG through jpeg-js (the same code), PNG through the browser without colour management. */
async function decodePage(file: PageFile, bytes: Uint8Array): Promise<RgbImage> {
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return decodeImageBytes(bytes, file.name);
  const bitmap = await page.createImageBitmap(file, { colorSpaceConversion: "none", premultiplyAlpha: "none" });
  const canvas = new page.OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d")!;
  ctx.drawImage(bitmap, 0, 0);
  return fromInterleaved(ctx.getImageData(0, 0, bitmap.width, bitmap.height).data, bitmap.width, bitmap.height, 4);
}

/** The image as PNG, pixel for pixel what Node's encodePng writes (8-bit, rounded, opaque), for tesseract. */
async function pngOf(img: RgbImage): Promise<unknown> {
  const canvas = new page.OffscreenCanvas(img.width, img.height), ctx = canvas.getContext("2d")!;
  const out = ctx.createImageData(img.width, img.height), plane = img.width * img.height;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out.data[p * 4 + c] = Math.round(255 * Math.min(1, Math.max(0, img.data[c * plane + p])));
    out.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(out, 0, 0);
  return canvas.convertToBlob({ type: "image/png" });
}

async function loadModel(files: PageFileList): Promise<void> {
  const map = new Map<string, Uint8Array>();
  for (const f of Array.from(files)) map.set(f.name, new Uint8Array(await f.arrayBuffer()));
  model = entityModelFromFiles(map);
  status(`model ready: ${model.model.config.name}, ${model.labels.length} labels. Now select a page.`);
}

async function runPage(file: PageFile): Promise<void> {
  if (model === null) throw new Error("select the model's files first");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const image = await decodePage(file, bytes);
  $("page").setAttribute("src", page.URL.createObjectURL(file));
  status("OCR …");
  const t0 = performance.now();
  // As Node's OCR does: small pages are read at twice their size, boxes mapped back (src/extract/ocr.ts).
  const { input, scale } = ocrInput(image);
  const { data } = await (await ocr()).recognize((await pngOf(input)) as Tesseract.ImageLike, {}, { blocks: true, text: false });
  const ocrLines = linesOfBlocks(data.blocks as unknown as TesseractBlock[] | null, scale, image.width, image.height);
  const words = segmentLines(ocrLines);
  const t1 = performance.now();
  status(`${words.length} words; running the model …`);
  await new Promise((r) => setTimeout(r, 0));
  const loaded = { page: 1, image, words, source: "ocr" as const };
  const tags = tagPage(model, loaded, file.name);
  const { entities } = extractEntities(model, { path: file.name, pages: [loaded], loadMs: 0 });
  const t2 = performance.now();
  draw(entities, image.width, image.height);
  status(`${words.length} words, ${entities.length} entities (OCR ${((t1 - t0) / 1000).toFixed(1)} s, model ${((t2 - t1) / 1000).toFixed(1)} s)`);
  page.__result = { ocrLines, words, tags, entities, width: image.width, height: image.height, ms: { ocr: t1 - t0, model: t2 - t1 } };
}

function draw(entities: readonly EntityRecord[], width: number, height: number): void {
  const svg = $("overlay");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const table = $("entities");
  table.replaceChildren();
  table.insertAdjacentHTML("beforeend", "<tr><th>label</th><th>text</th><th>score</th></tr>");
  for (const e of entities) {
    const [x0, y0, x1, y1] = e.box, color = COLORS[e.label] ?? "#ff7f0e";
    const r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    for (const [k, v] of Object.entries({ class: "entity", x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0), fill: color, "fill-opacity": 0.18, stroke: color, "stroke-width": 2 })) r.setAttribute(k, String(v));
    r.dataset.label = e.label;
    r.dataset.text = e.text;
    svg.append(r);
    table.insertAdjacentHTML("beforeend", `<tr><td>${escapeHtml(e.label)}</td><td>${escapeHtml(e.text)}</td><td>${e.score.toFixed(3)}</td></tr>`);
  }
}

const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function wire(inputId: string, dropId: string, handle: (files: PageFileList) => Promise<void>): void {
  const input = $<El & { files: PageFileList | null }>(inputId), drop = $(dropId);
  const run = (files: PageFileList | null): void => {
    if (files === null || files.length === 0) return;
    handle(files).catch((err: unknown) => { page.__error = err instanceof Error ? err.message : String(err); status(`error: ${page.__error}`); });
  };
  input.addEventListener("change", () => run(input.files));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); run(e.dataTransfer?.files ?? null); });
}

wire("model-files", "model-drop", loadModel);
wire("page-file", "page-drop", (files) => runPage(files[0]));
