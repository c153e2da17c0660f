// One page explained: the heatmap of a chosen word's or entity's patch–token similarity and the per-cell alignment
// of the whole page, written as SVG (and PNG where @napi-rs/canvas is installed). Used by `aetnet explain` and by
// the end of `npm start`, which explains the page it has just read.
import { writeFileSync } from "node:fs";
import type { OpenedModel } from "../cli/checkpoint_model.ts";
import { DataError } from "../data/errors.ts";
import { resize } from "../data/image/resize.ts";
import { entityModelOf } from "../extract/entity_model.ts";
import { extractEntities } from "../extract/extract_entities.ts";
import type { LoadedDocument } from "../extract/load_document.ts";
import type { EntityRecord } from "../extract/result.ts";
import { cellsPicture, heatmapPicture } from "./explain_pictures.ts";
import { toPng, toSvg, type Picture } from "./picture.ts";
import {
  alignmentSummary, cellAlignment, meanFeature, pageFeatures, patchDistribution, topPatch,
} from "./pita_maps.ts";

export interface ExplainOptions {
  /** The page's N-th word (0-based); must be below its word count. */
  word?: number;
  /** The first predicted entity whose text contains this (case-insensitive). Neither: the first entity, else word 0. */
  entity?: string;
  /** Entities already predicted for this page (spares running the model twice); predicted here when absent. */
  entities?: readonly EntityRecord[];
  /** Writes PREFIX.heatmap.svg and PREFIX.cells.svg (and .png beside them where a rasteriser is installed). */
  prefix: string;
  /** Draw the page at most this many pixels on its longer side (default: its own size). */
  maxSide?: number;
}

export interface ExplainResult {
  subject: string;
  words: number[];
  topPatch: [number, number];
  cells: { count: number; ownTop: number; meanOwn: number };
  pictures: string[];
}

/** Explains the document's first page with a full AETNet (alignment encoders on); returns the summary. */
export async function explainPage(
  opened: Pick<OpenedModel, "config" | "settings" | "model" | "tokenizer">,
  document: LoadedDocument,
  options: ExplainOptions,
): Promise<ExplainResult> {
  const path = document.path, page = document.pages[0];
  if (!opened.config.align) {
    throw new DataError("explain", path, "model was trained without alignment encoders: no PITA to draw");
  }
  if (page === undefined || page.words.length === 0) {
    throw new DataError("explain", path, "has no words (OCR found none); pass --words");
  }
  if (options.word !== undefined && options.word >= page.words.length) {
    throw new DataError("explain", path, `word ${options.word} is past the page's ${page.words.length} words`);
  }
  const { settings, model, tokenizer } = opened;
  const features = pageFeatures(model, tokenizer, page, settings);

  let subject: string, chosen: number[];
  if (options.word !== undefined) {
    [subject, chosen] = [`word ${options.word} "${page.words[options.word].text}"`, [options.word]];
  } else {
    const predicted = (): readonly EntityRecord[] => {
      const entityModel = entityModelOf(opened);
      return entityModel === null ? [] : extractEntities(entityModel, document).entities;
    };
    const entities = options.entities ?? predicted();
    const onPage = entities.filter((e) => e.page === page.page);
    const want = options.entity?.toLowerCase();
    const hit = want === undefined ? onPage[0] : onPage.find((e) => e.text.toLowerCase().includes(want));
    if (want !== undefined && hit === undefined) {
      const seen = onPage.slice(0, 5).map((e) => JSON.stringify(e.text)).join(", ");
      const list = seen ? `: ${seen}${onPage.length > 5 ? ", …" : ""}` : "";
      const why = `no predicted entity contains "${options.entity}" (${onPage.length} entities${list}); try --word N`;
      throw new DataError("explain", path, why);
    }
    [subject, chosen] = hit === undefined
      ? [`word 0 "${page.words[0].text}"`, [0]]
      : [`entity ${hit.label} "${hit.text}"`, hit.words];
  }
  if (chosen.every((w) => features.wordTokens[w] === 0)) {
    throw new DataError("explain", path, `${subject} has no tokens in any window`);
  }
  const distribution = patchDistribution(features, meanFeature(features, chosen));
  const top = topPatch(distribution);
  const cells = cellAlignment(features);
  const summary = alignmentSummary(cells);
  const { width, height } = page.image;
  const scale = Math.min(1, (options.maxSide ?? Math.max(width, height)) / Math.max(width, height));
  const drawn = scale === 1 ? page.image : resize(page.image, Math.round(width * scale), Math.round(height * scale));
  const boxes = chosen.map((w) => page.words[w].box.map((v) => v * scale));
  const heatmap = heatmapPicture({ page: drawn, grid: features.grid, distribution, top, subject, boxes });
  const pictures = await writePicture(`${options.prefix}.heatmap`, heatmap);
  const cellsPic = cellsPicture(drawn, features.grid, cells, summary, (w) => page.words[w].text);
  pictures.push(...await writePicture(`${options.prefix}.cells`, cellsPic));
  const g = features.grid;
  return {
    subject, words: chosen, topPatch: [Math.floor(top / g), top % g],
    cells: { ...summary, meanOwn: Math.round(summary.meanOwn * 1e4) / 1e4 },
    pictures,
  };
}

async function writePicture(base: string, picture: Picture): Promise<string[]> {
  writeFileSync(`${base}.svg`, toSvg(picture));
  const png = await toPng(picture);
  if (png === null) return [`${base}.svg`];
  writeFileSync(`${base}.png`, png);
  return [`${base}.svg`, `${base}.png`];
}
