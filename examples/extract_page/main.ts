// The extraction page: a checkpoint's files and a page image or PDF in, OCR (tesseract.js, served locally), the PDF
// text layer and rendering (pdf.js, served locally) and the model in the page, entities drawn over each page.
// It publishes window.__result for the headless-Chromium test.
import Tesseract from "tesseract.js";
import {
  decodeImageBytes, demoEntityModel, entityModelFromFiles, fromInterleaved, linesOfBlocks, ocrInput,
  pageEntities, pdfDocumentPages, pdfPages, segmentLines, tagPage, type DocumentPage, type EntityModel,
  type EntityRecord, type OcrLine, type PageWord,
  type Pdfjs, type PdfjsDocument, type RgbImage, type TesseractBlock, type WordSource,
} from "aetnet"; // the package's browser bundle (dist/browser/aetnet.js), through index.html's import map

export interface ExtractPageResult {
  /** First page: OCR lines (empty for a PDF page with a text layer), words, per-word tags, size. */
  ocrLines: OcrLine[];
  words: PageWord[];
  /** Per word: the label id and its probability, as tagPage gives them. */
  tags: { id: number; p: number }[];
  width: number;
  height: number;
  /** Every page (one for an image file): where its words came from, the words, its size. */
  pages: { page: number; source: WordSource; words: PageWord[]; width: number; height: number }[];
  /** Entities of every page, with their page numbers. */
  entities: EntityRecord[];
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
  document: {
    getElementById(id: string): El | null; createElementNS(ns: string, tag: string): El; createElement(tag: string): El;
  };
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

/** pdf.js's browser build and its worker, from this site (dist/vendor/, copied by build.ts); loaded on a first PDF. */
async function pdfjs(): Promise<Pdfjs & { GlobalWorkerOptions: { workerSrc: string } }> {
  const lib = await import("pdfjs-dist") as unknown as Pdfjs & { GlobalWorkerOptions: { workerSrc: string } };
  lib.GlobalWorkerOptions.workerSrc = new URL("./dist/vendor/pdf.worker.min.mjs", page.location.href).href;
  return lib;
}

/** OCR of one page image, as Node's OCR does it: small pages read at twice their size, boxes mapped back. */
async function ocrPage(image: RgbImage): Promise<OcrLine[]> {
  const { input, scale } = ocrInput(image);
  const png = (await pngOf(input)) as Tesseract.ImageLike;
  const { data } = await (await ocr()).recognize(png, {}, { blocks: true, text: false });
  return linesOfBlocks(data.blocks as unknown as TesseractBlock[] | null, scale, image.width, image.height);
}

/** A PDF's pages as Node's `predict --pdf` reads them: the text layer where there is one, else OCR of the render. */
async function readPdfDocument(bytes: Uint8Array): Promise<{ pages: DocumentPage[]; ocrLines: OcrLine[] }> {
  const lib = await pdfjs();
  const fonts = new URL("./dist/vendor/standard_fonts/", page.location.href).href;
  const source = { data: bytes, standardFontDataUrl: fonts, isEvalSupported: false, verbosity: 0 };
  const pdf = await lib.getDocument(source).promise as PdfjsDocument;
  try {
    const read = await pdfPages(pdf, lib.Util, Array.from({ length: pdf.numPages }, (_, i) => i + 1));
    let ocrLines: OcrLine[] = [];
    const pages = await pdfDocumentPages(read, async (p) => {
      status(`page ${p.page} of ${read.length}: OCR …`);
      const lines = await ocrPage(p.image);
      if (p.page === 1) ocrLines = lines;
      return lines;
    });
    return { pages, ocrLines };
  } finally {
    await pdf.destroy();
  }
}

/** An untrained tiny model built here (no file needed); its entities show the path, not a trained model's answer. */
function buildDemoModel(): void {
  model = demoEntityModel(0);
  const { name } = model.model.config;
  status(`model ready: demo (untrained ${name}, seed 0), ${model.labels.length} labels. Now select a page.`);
}

async function runPage(file: PageFile): Promise<void> {
  if (model === null) throw new Error("select the model's files first");
  const bytes = new Uint8Array(await file.arrayBuffer());
  const isPdf = new TextDecoder().decode(bytes.subarray(0, 5)) === "%PDF-";
  status(isPdf ? "reading the PDF …" : "OCR …");
  const t0 = performance.now();
  let pages: DocumentPage[], ocrLines: OcrLine[];
  if (isPdf) ({ pages, ocrLines } = await readPdfDocument(bytes));
  else {
    const image = await decodePage(file, bytes);
    ocrLines = await ocrPage(image);
    pages = [{ page: 1, image, words: segmentLines(ocrLines), source: "ocr" }];
  }
  const t1 = performance.now();
  const words = pages.reduce((n, p) => n + p.words.length, 0);
  status(`${words} words; running the model …`);
  await new Promise((r) => setTimeout(r, 0));
  // Each page tagged once: page 1's tags go into the result the test compares with Node's.
  const tagged = pages.map((p) => tagPage(model!, p, `${file.name}#${p.page}`));
  const entities = pages.flatMap((p, i) => pageEntities(model!, p, tagged[i]));
  const tags = tagged[0];
  const t2 = performance.now();
  await draw(pages, entities, isPdf ? null : file);
  status(`${pages.length} page(s), ${words} words, ${entities.length} entities ` +
    `(${isPdf ? "reading" : "OCR"} ${((t1 - t0) / 1000).toFixed(1)} s, model ${((t2 - t1) / 1000).toFixed(1)} s)`);
  const first = pages[0];
  page.__result = {
    ocrLines, words: first.words, tags, width: first.image.width, height: first.image.height,
    pages: pages.map((p) => ({
      page: p.page, source: p.source, words: p.words, width: p.image.width, height: p.image.height,
    })),
    entities, ms: { ocr: t1 - t0, model: t2 - t1 },
  };
}

/** Each page as an image with an SVG overlay of its entities (class "entity", data-label/-text/-page), and a table. */
async function draw(
  pages: readonly DocumentPage[], entities: readonly EntityRecord[], file: PageFile | null,
): Promise<void> {
  const stage = $("stage");
  stage.replaceChildren();
  const table = $("entities");
  table.replaceChildren();
  table.insertAdjacentHTML("beforeend", "<tr><th>page</th><th>label</th><th>text</th><th>score</th></tr>");
  for (const p of pages) {
    const sheet = document.createElement("div"), img = document.createElement("img");
    sheet.classList.add("sheet");
    // An image file is shown as it is; a PDF page as the image the model saw.
    img.setAttribute("src", page.URL.createObjectURL(file ?? await pngOf(p.image)));
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.classList.add("overlay");
    svg.setAttribute("viewBox", `0 0 ${p.image.width} ${p.image.height}`);
    for (const e of entities.filter((x) => x.page === p.page)) {
      const [x0, y0, x1, y1] = e.box, color = COLORS[e.label] ?? "#ff7f0e";
      const r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      const attrs = {
        class: "entity", x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0), fill: color,
        "fill-opacity": 0.18, stroke: color, "stroke-width": 2,
      };
      for (const [k, v] of Object.entries(attrs)) r.setAttribute(k, String(v));
      r.dataset.label = e.label;
      r.dataset.text = e.text;
      r.dataset.page = String(e.page);
      svg.append(r);
      const cells = [String(e.page), escapeHtml(e.label), escapeHtml(e.text), e.score.toFixed(3)];
      table.insertAdjacentHTML("beforeend", `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`);
    }
    sheet.append(img, svg);
    stage.append(sheet);
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
$("demo-model").addEventListener("click", () => {
  try { buildDemoModel(); } catch (err) {
    page.__error = err instanceof Error ? err.message : String(err);
    status(`error: ${page.__error}`);
  }
});
wire("page-file", "page-drop", (files) => runPage(files[0]));
