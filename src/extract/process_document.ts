// One document in, one result record out: load (OCR / PDF), extract entities, optionally draw them. Problems with
// the document become the record's `error`, so a batch or a queue worker carries on with the next one.
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { encodePng, pageSvg, type PageEntity } from "../train/page_svg.ts";
import type { EntityModel } from "./entity_model.ts";
import { extractEntities } from "./extract_entities.ts";
import { loadDocument, type DocumentPage, type LoadedDocument, type LoadOptions } from "./load_document.ts";
import { MissingPackageError } from "./optional_package.ts";
import type { DocumentResult } from "./result.ts";

export interface ProcessOptions extends LoadOptions {
  /** Folder for one SVG per page (the page with its entities drawn); none = no pictures. */
  picturesDir?: string;
}

/** The SVG of one page with the result's entities on it drawn as rectangles. */
export function pagePicture(page: DocumentPage, result: DocumentResult): string {
  const entities = result.entities.filter((e) => e.page === page.page)
    .map((e): PageEntity => ({ type: e.label, text: e.text, words: e.words, box: e.box }));
  return pageSvg(encodePng(page.image), page.image.width, page.image.height, entities);
}

/** The entity picture of every page: `<dir>/<name>.p<page>.entities.svg`; returns their paths. */
export function writePictures(document: LoadedDocument, result: DocumentResult, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const name = basename(document.path, extname(document.path));
  return document.pages.map((page) => {
    const path = join(dir, `${name}.p${page.page}.entities.svg`);
    writeFileSync(path, pagePicture(page, result));
    return path;
  });
}

/** Never throws for a bad document (its record has `error` set); a missing optional package is rethrown. */
export async function processDocument(path: string, model: EntityModel, options: ProcessOptions = {}): Promise<DocumentResult> {
  const start = performance.now();
  try {
    const document = await loadDocument(path, options);
    const result = extractEntities(model, document);
    if (options.picturesDir !== undefined) result.pictures = writePictures(document, result, options.picturesDir);
    return result;
  } catch (err) {
    if (err instanceof MissingPackageError) throw err;
    const message = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    const totalMs = Math.round(performance.now() - start);
    return { document: path, pages: [], entities: [], timing: { loadMs: totalMs, modelMs: 0, totalMs }, error: message };
  }
}
