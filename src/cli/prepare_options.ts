// How train, eval and predict turn documents into model inputs, built in one place from a run's settings and
// config, so the three commands tokenize, window and shrink pages the same way.
import { join } from "node:path";
import type { AETNetConfig } from "../config.ts";
import { labelMaps, type Document } from "../data/document.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";
import type { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import type { PrepareOptions } from "../train/batches.ts";
import type { RunSettings } from "../train/run_types.ts";

/** The shrunk-page cache folder when --cache is not given. */
export const DEFAULT_CACHE_DIR = join("runs", ".page-cache");

export interface DataSource {
  /** Pages held in memory (synthetic forms, predict's page). */
  pageOf?: (doc: Document) => RgbImage | undefined;
  /** Shrunk-page cache folder; none: no disk cache. */
  cacheDir?: string;
  /** Skip documents whose page cannot be decoded (train and eval: as the loaders skip bad files). */
  skipBad?: boolean;
}

export function prepareOptions(settings: RunSettings, config: AETNetConfig, tokenizer: ByteLevelBPE, source: DataSource): PrepareOptions {
  return {
    tokenizer, labelToId: labelMaps(settings.labels).labelToId, imageSize: config.imageSize,
    maxLength: settings.maxLength, stride: settings.stride, chunking: settings.chunking ?? "overlap", kind: settings.kind ?? "token",
    ...source,
  };
}
