// Synthetic forms: rendered pages with header / question / answer fields, OCR words + boxes + BIO labels, seeded.
import { Generator } from "../../engine/index.ts";
import { bioLabelList, bioTags, normalizeBox, unionBox, type Box, type Document } from "./document.ts";
import { emptyImage, type RgbImage } from "./image/rgb_image.ts";

/** Same label order as FUNSD, so a model trained here reads FUNSD's label list. */
export const SYNTHETIC_LABELS: readonly string[] = bioLabelList(["HEADER", "QUESTION", "ANSWER"]);

/** A generated form: its words, boxes and labels as a Document, and its rendered page image. */
export interface SyntheticForm { doc: Document; image: RgbImage }

export interface SyntheticOptions {
  /** Page size in pixels (default 400 × 560: small, so decoding is free and resizing cheap). */
  width?: number;
  height?: number;
}

const HEADERS = ["APPLICATION FORM", "CUSTOMER REGISTRATION", "ORDER FORM", "INVOICE", "EXPENSE REPORT", "MEMBERSHIP RENEWAL", "SHIPPING NOTICE"];
const QUESTIONS = ["Name:", "Date:", "Address:", "Phone:", "Fax:", "Company:", "Account No:", "Total:", "Signature:", "Email:", "City:", "Reference:", "Amount Due:", "Department:"];
const FIRST = ["John", "Mary", "Ahmed", "Li", "Sofia", "Ken", "Olga", "Pedro", "Ada", "Tom"];
const LAST = ["Smith", "Chen", "Garcia", "Okafor", "Novak", "Tanaka", "Brown", "Rossi"];
const STREETS = ["Main St", "Oak Ave", "Park Rd", "Hill Lane", "River Dr"];
const FILLER = ["Please", "complete", "all", "fields", "in", "block", "letters", "and", "return", "by", "mail", "office", "use", "only"];

// Glyphs are 5×7 cells of blocks, drawn at GLYPH_SCALE pixels per block; each character's pattern comes from a
// hash of its code, so every letter looks different and the same letter always looks the same (no font needed).
const MARGIN = 20, GLYPH_W = 5, GLYPH_H = 7, GLYPH_SCALE = 2, ADVANCE = (GLYPH_W + 1) * GLYPH_SCALE, LINE = (GLYPH_H + 5) * GLYPH_SCALE;

function glyphBits(ch: string): boolean[] {
  let h = (ch.codePointAt(0) ?? 0) * 2654435761;
  const bits: boolean[] = [];
  for (let i = 0; i < GLYPH_W * GLYPH_H; i++) {
    h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
    bits.push((h & 7) < 3);
  }
  return bits;
}

const pick = <T>(gen: Generator, items: readonly T[]): T => items[gen.int(0, items.length)];
const digits = (gen: Generator, n: number): string => Array.from({ length: n }, () => String(gen.int(0, 10))).join("");

/** The answer text for a question, drawn so its shape depends on the question (dates look like dates). */
function answerFor(question: string, gen: Generator): string {
  switch (question) {
    case "Name:": case "Signature:": return `${pick(gen, FIRST)} ${pick(gen, LAST)}`;
    case "Date:": return `${gen.int(1, 29)}/${gen.int(1, 13)}/${gen.int(1990, 2024)}`;
    case "Address:": return `${gen.int(1, 999)} ${pick(gen, STREETS)}`;
    case "Phone:": case "Fax:": return `${digits(gen, 3)}-${digits(gen, 4)}`;
    case "Total:": case "Amount Due:": return `$${gen.int(1, 9999)}.${digits(gen, 2)}`;
    case "Email:": return `${pick(gen, FIRST).toLowerCase()}@mail.com`;
    default: return `${pick(gen, LAST)} ${digits(gen, gen.int(2, 5))}`;
  }
}

/** Draws one word at (x, y) in dark ink; returns its pixel box [x0, y0, x1, y1]. */
function drawWord(img: RgbImage, word: string, x: number, y: number, ink: number): number[] {
  const plane = img.width * img.height;
  Array.from(word).forEach((ch, k) => {
    const bits = glyphBits(ch);
    for (let gy = 0; gy < GLYPH_H; gy++) for (let gx = 0; gx < GLYPH_W; gx++) {
      if (!bits[gy * GLYPH_W + gx]) continue;
      for (let dy = 0; dy < GLYPH_SCALE; dy++) for (let dx = 0; dx < GLYPH_SCALE; dx++) {
        const px = x + k * ADVANCE + gx * GLYPH_SCALE + dx, py = y + gy * GLYPH_SCALE + dy;
        if (px < img.width && py < img.height) for (let c = 0; c < 3; c++) img.data[c * plane + py * img.width + px] = ink;
      }
    }
  });
  return [x, y, Math.min(img.width, x + word.length * ADVANCE - GLYPH_SCALE), Math.min(img.height, y + GLYPH_H * GLYPH_SCALE)];
}

/** One form: a header line, a filler sentence (label O), then question/answer rows in shuffled order. */
export function syntheticForm(index: number, seed: number, options: SyntheticOptions = {}): SyntheticForm {
  const width = options.width ?? 400, height = options.height ?? 560;
  const gen = new Generator(seed * 100_003 + index);
  const image = emptyImage(width, height, 0.94 + 0.05 * gen.random());
  const doc: Document = { id: `synthetic-${seed}-${index}`, words: [], boxes: [], labels: [], width, height };
  let y = 16 + gen.int(0, 12);
  /** Lays a run of words left to right from (x, y) as one entity, wrapping at the right margin; the words get the entity's (segment) box. */
  const entity = (text: string, type: string | null, x: number): number => {
    const words = text.split(" ");
    const boxes: Box[] = [];
    let cx = x;
    for (const w of words) {
      if (cx + w.length * ADVANCE > width - 8 && cx > MARGIN) { cx = MARGIN; y += LINE; }
      const px = drawWord(image, w, cx, y, 0.05 + 0.2 * gen.random());
      boxes.push(normalizeBox("synthetic", doc.id, px, width, height));
      cx = px[2] + ADVANCE;
    }
    const segment = unionBox(boxes);
    doc.words.push(...words);
    doc.boxes.push(...boxes.map((): Box => [...segment]));
    doc.labels!.push(...bioTags(type, words.length));
    return cx;
  };
  entity(pick(gen, HEADERS), "HEADER", 20 + gen.int(0, 60));
  y += LINE * 2;
  entity(Array.from({ length: gen.int(3, 7) }, () => pick(gen, FILLER)).join(" "), null, 20);
  y += LINE * 2;
  const questions = [...QUESTIONS];
  for (let i = questions.length - 1; i > 0; i--) { const j = gen.int(0, i + 1); [questions[i], questions[j]] = [questions[j], questions[i]]; }
  const indent = 20 + gen.int(0, 40);
  for (const question of questions.slice(0, gen.int(5, questions.length + 1))) {
    if (y + 2 * LINE >= height) break;
    const end = entity(question, "QUESTION", indent);
    entity(answerFor(question, gen), "ANSWER", end + ADVANCE * gen.int(0, 4));
    y += LINE + gen.int(0, LINE);
  }
  return { doc, image };
}

/** `count` forms, deterministic under `seed`: the same arguments give identical words, boxes, labels and pixels. */
export function syntheticForms(count: number, seed: number, options: SyntheticOptions = {}): SyntheticForm[] {
  return Array.from({ length: count }, (_, i) => syntheticForm(i, seed, options));
}
