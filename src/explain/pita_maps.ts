// What PITA learned on one page, as numbers: the raw ViT patch features and RoBERTa token features PITA compares,
// the similarity of a word (or entity) to every patch, and for every grid cell holding text how strongly its mean
// token feature picks its own patch. Drawing is in explain_svg.ts.
import { noGrad } from "../../engine/index.ts";
import { patchGrid } from "../config.ts";
import { collate } from "../data/collate.ts";
import { normalizeBox, type Box, type Document } from "../data/document.ts";
import { mergeWindowPredictions, type Chunking, type WordTokenizer } from "../data/encode.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";
import { stackPixels } from "../data/image/preprocess.ts";
import type { AETNet } from "../models/aetnet.ts";
import { prepareDocs } from "../train/batches.ts";

export interface PageInput {
  image: RgbImage;
  /** Words in reading order: `box` the word's own pixel box, `segment` the box the model sees (its line segment). */
  words: readonly { text: string; box: readonly number[]; segment: readonly number[] }[];
}

export interface PageFeatures {
  grid: number;
  dim: number;
  /** (P, D) row-major: the online ViT's patch outputs (CLS dropped), as PITA takes them. */
  patches: Float32Array;
  /** Per word: the sum of its sub-tokens' RoBERTa outputs (D) and how many sub-tokens there were. */
  wordSums: Float32Array[];
  wordTokens: number[];
  /**
   * Per word: the grid cell under the centre of its own box (0..P-1), or -1 when it has no tokens. PITA's training
   * labels use the model's input box (the segment) and skip tokens whose box spans cells; the RoBERTa features
   * themselves never see a box, so the word's own position is the fair place to ask where its feature points.
   */
  wordCells: number[];
}

/** Runs the alignment encoders (ViT once; RoBERTa per token window) on a page. */
export function pageFeatures(
  model: AETNet, tokenizer: WordTokenizer, page: PageInput,
  windows: { maxLength: number; stride: number; chunking?: Chunking },
): PageFeatures {
  const ve = model.visual_encoder, te = model.text_encoder;
  if (ve === null || te === null) {
    throw new Error(
      "[explain] this model has no alignment encoders (trained with --no-align): PITA learned nothing to draw");
  }
  const c = model.config, grid = patchGrid(c), { width, height } = page.image;
  const doc: Document = {
    id: "page", width, height, words: page.words.map((w) => w.text),
    boxes: page.words.map((w): Box => normalizeBox("explain", "page", [...w.segment], width, height)),
  };
  const [prepared] = prepareDocs([doc], {
    tokenizer, labelToId: new Map(), imageSize: c.imageSize, maxLength: windows.maxLength, stride: windows.stride,
    chunking: windows.chunking ?? "overlap", pageOf: () => page.image,
  });
  const dim = c.vision.hidden;
  const wordCount = page.words.length;
  // Each word is read from the window where its first sub-token sits farthest from the edges (as predictions are).
  const windowOf = prepared.windows.map((w, k) => w.inputIds.map(() => k));
  const home = mergeWindowPredictions(prepared.windows, windowOf, wordCount, -1);
  const wordSums = Array.from({ length: wordCount }, () => new Float32Array(dim));
  const wordTokens = new Array<number>(wordCount).fill(0);
  let patches = new Float32Array(0);
  noGrad(() => {
    const pixelValues = stackPixels([prepared.pixels], c.imageSize);
    const img = ve.forward(pixelValues).lastHiddenState; // (1, 1+P, D)
    patches = Float32Array.from(img.narrow(1, 1, grid * grid).contiguous().storage);
    prepared.windows.forEach((win, k) => {
      const { inputIds, attentionMask } = collate([win], { padId: c.padTokenId });
      const txt = te.roberta.forward(inputIds, attentionMask).lastHiddenState.contiguous().storage; // (1, T, D)
      win.wordIds.forEach((w, t) => {
        if (w === null || home[w] !== k) return;
        for (let d = 0; d < dim; d++) wordSums[w][d] += txt[t * dim + d];
        wordTokens[w]++;
      });
    });
  });
  const wordCells = page.words.map((word, w) => {
    if (wordTokens[w] === 0) return -1;
    const at = (v: number, side: number): number => Math.min(grid - 1, Math.max(0, Math.floor((v / side) * grid)));
    return at((word.box[1] + word.box[3]) / 2, height) * grid + at((word.box[0] + word.box[2]) / 2, width);
  });
  return { grid, dim, patches, wordSums, wordTokens, wordCells };
}

/** Mean token feature of a set of words (a word, an entity, a cell): sub-tokens weigh equally, as PITA averages. */
export function meanFeature(f: PageFeatures, words: readonly number[]): Float32Array {
  const out = new Float32Array(f.dim);
  let n = 0;
  for (const w of words) { for (let d = 0; d < f.dim; d++) out[d] += f.wordSums[w][d]; n += f.wordTokens[w]; }
  if (n > 0) for (let d = 0; d < f.dim; d++) out[d] /= n;
  return out;
}

/**
 * softmax over patches of patch·feature: PITA's cell → patch distribution (raw dot products, no temperature) for a
 * cell whose mean token feature is `feature`. Length P.
 */
export function patchDistribution(f: PageFeatures, feature: Float32Array): Float64Array {
  const p = f.grid * f.grid, logits = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = 0;
    for (let d = 0; d < f.dim; d++) s += f.patches[i * f.dim + d] * feature[d];
    logits[i] = s;
  }
  const top = Math.max(...logits);
  let total = 0;
  for (let i = 0; i < p; i++) { logits[i] = Math.exp(logits[i] - top); total += logits[i]; }
  for (let i = 0; i < p; i++) logits[i] /= total;
  return logits;
}

export interface CellAlignment {
  cell: number;
  /** Words whose box lies in the cell. */
  words: number[];
  /** PITA's probability that the cell's mean token feature picks its own patch. */
  own: number;
  /** The patch it picks (argmax). */
  top: number;
}

/** Every cell holding text: its own-patch probability and top patch. */
export function cellAlignment(f: PageFeatures): CellAlignment[] {
  const byCell = new Map<number, number[]>();
  f.wordCells.forEach((cell, w) => { if (cell >= 0) byCell.set(cell, [...(byCell.get(cell) ?? []), w]); });
  return [...byCell.entries()].sort((a, b) => a[0] - b[0]).map(([cell, words]) => {
    const dist = patchDistribution(f, meanFeature(f, words));
    return { cell, words, own: dist[cell], top: topPatch(dist) };
  });
}

/** The patch a distribution puts the most weight on (the first of equal ones). */
export function topPatch(distribution: Float64Array): number {
  let top = 0;
  for (let i = 1; i < distribution.length; i++) if (distribution[i] > distribution[top]) top = i;
  return top;
}

/** The page's cells in numbers: how many there are, how many pick their own patch, their mean p(own patch). */
export interface AlignmentSummary { count: number; ownTop: number; meanOwn: number }

/** Summarises cellAlignment's cells (meanOwn 0 when there are none); the explain result and picture both show it. */
export function alignmentSummary(cells: readonly CellAlignment[]): AlignmentSummary {
  const meanOwn = cells.length === 0 ? 0 : cells.reduce((s, c) => s + c.own, 0) / cells.length;
  return { count: cells.length, ownTop: cells.filter((c) => c.top === c.cell).length, meanOwn };
}
