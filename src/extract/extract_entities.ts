// The model over a loaded document: per page, word tags with their probabilities, merged into entities.
import { noGrad } from "../../engine/index.ts";
import { collate } from "../data/collate.ts";
import { normalizeBox, type Box, type Document } from "../data/document.ts";
import { mergeWindowPredictions } from "../data/encode.ts";
import { stackPixels } from "../data/image/preprocess.ts";
import { prepareDocs } from "../train/batches.ts";
import { getEntities } from "../train/seqeval.ts";
import type { EntityModel } from "./entity_model.ts";
import type { DocumentPage, LoadedDocument } from "./load_document.ts";
import type { DocumentResult, EntityRecord, PageRecord } from "./result.ts";
import { unionPixelBox } from "./segments.ts";

interface WordTag { id: number; p: number }

/** Per word of the page: the argmax label id at its first sub-token and that label's softmax probability. */
export function tagPage(m: EntityModel, page: DocumentPage, id = "page"): WordTag[] {
  if (page.words.length === 0) return [];
  const { width, height } = page.image;
  const doc: Document = {
    id, width, height,
    words: page.words.map((w) => w.text),
    boxes: page.words.map((w): Box => normalizeBox("extract", id, clampTo(w.segment, width, height), width, height)),
  };
  const [prepared] = prepareDocs([doc], {
    tokenizer: m.tokenizer, labelToId: new Map(), imageSize: m.model.config.imageSize,
    maxLength: m.maxLength, stride: m.stride, chunking: m.chunking, pageOf: () => page.image,
  });
  const perWindow: WordTag[][] = [];
  noGrad(() => {
    for (let i = 0; i < prepared.windows.length; i += m.batchSize) {
      const windows = prepared.windows.slice(i, i + m.batchSize);
      const { inputIds, bbox, attentionMask } = collate(windows, { padId: m.model.config.padTokenId });
      const pixelValues = stackPixels(windows.map(() => prepared.pixels), m.model.config.imageSize);
      const logits = m.model.predict({ inputIds, bbox, attentionMask, pixelValues });
      const [b, t, k] = logits.shape, v = logits.contiguous().storage;
      for (let r = 0; r < b; r++) perWindow.push(Array.from({ length: t }, (_, j) => softmaxTop(v, (r * t + j) * k, k)));
    }
  });
  return mergeWindowPredictions(prepared.windows, perWindow, page.words.length, { id: 0, p: 0 });
}

function softmaxTop(v: ArrayLike<number>, offset: number, k: number): WordTag {
  let best = 0;
  for (let c = 1; c < k; c++) if (v[offset + c] > v[offset + best]) best = c;
  let total = 0;
  for (let c = 0; c < k; c++) total += Math.exp(v[offset + c] - v[offset + best]);
  return { id: best, p: 1 / total };
}

function clampTo(box: readonly number[], width: number, height: number): number[] {
  const x0 = Math.min(Math.max(0, box[0]), width), y0 = Math.min(Math.max(0, box[1]), height);
  return [x0, y0, Math.min(Math.max(x0, box[2]), width), Math.min(Math.max(y0, box[3]), height)];
}

/** One page's entities from its word tags (tagPage): each span's label, text, pixel box and mean probability. */
export function pageEntities(m: EntityModel, page: DocumentPage, tags: readonly WordTag[]): EntityRecord[] {
  return getEntities(tags.map((t) => m.labels[t.id] ?? "O")).map((e) => {
    const words = Array.from({ length: e.end - e.start + 1 }, (_, k) => e.start + k);
    const score = words.reduce((s, i) => s + tags[i].p, 0) / words.length;
    return {
      label: e.type,
      text: words.map((i) => page.words[i].text).join(" "),
      box: unionPixelBox(words.map((i) => page.words[i].box)),
      score: Math.round(score * 1e4) / 1e4, page: page.page, words,
    };
  });
}

/** Entities of every page of a loaded document, as the result record (error null). */
export function extractEntities(m: EntityModel, document: LoadedDocument): DocumentResult {
  if (m.model.training) m.model.eval();
  const start = performance.now();
  const pages: PageRecord[] = [], entities: EntityRecord[] = [];
  for (const page of document.pages) {
    const { width, height } = page.image;
    pages.push({ page: page.page, width, height, source: page.source, words: page.words.length });
    entities.push(...pageEntities(m, page, tagPage(m, page, `${document.path}#${page.page}`)));
  }
  const modelMs = performance.now() - start;
  const loadMs = document.loadMs;
  const timing = { loadMs: Math.round(loadMs), modelMs: Math.round(modelMs), totalMs: Math.round(loadMs + modelMs) };
  return { document: document.path, pages, entities, timing, error: null };
}
