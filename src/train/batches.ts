// Documents → cached model inputs: encoded windows, pages decoded and shrunk once, seeded epoch orders and padded batches.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Generator } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import type { AETNetInputs } from "../models/aetnet.ts";
import { collate } from "../data/collate.ts";
import type { Document } from "../data/document.ts";
import type { Chunking, WordTokenizer } from "../data/encode.ts";
import { DataError } from "../data/errors.ts";
import { augmentPixels } from "../data/image/augment.ts";
import { decodeImage } from "../data/image/decode.ts";
import { normalize, stackPixels } from "../data/image/preprocess.ts";
import { resize } from "../data/image/resize.ts";
import { emptyImage, type RgbImage } from "../data/image/rgb_image.ts";
import { taskKind } from "./task_kind.ts";
import type { PreparedDoc, TaskKind } from "./run_types.ts";

export interface PrepareOptions {
  tokenizer: WordTokenizer;
  labelToId: ReadonlyMap<string, number>;
  imageSize: number;
  /** Tokens per window including <s> and </s>, and the overlap of consecutive windows. */
  maxLength: number;
  stride: number;
  /** In-memory pages (synthetic forms); otherwise doc.imagePath is decoded. */
  pageOf?: (doc: Document) => RgbImage | undefined;
  /** Folder for shrunk pages, so later runs skip decoding (~0.2 s a FUNSD page); none = no disk cache. */
  cacheDir?: string;
  /** "token" (default): every window, a label per word; "sequence": the first window and the document's class. */
  kind?: TaskKind;
  /** How long documents are cut into windows: "overlap" (default) or the official "reference" chunks. */
  chunking?: Chunking;
  /**
   * Skip a document whose page cannot be decoded (a DataError: a corrupt PNG body passes the loaders' header
   * check), reporting it through onSkip, instead of failing the whole run; as the loaders' skipBad.
   */
  skipBad?: boolean;
  onSkip?: (file: string, problem: string) => void;
}

/** The cached page is twice the model's image side: RandomResizedCrop's crops then upsample at most 2.2×. */
export const CACHE_SCALE = 2;

export function prepareDocs(docs: readonly Document[], options: PrepareOptions): PreparedDoc[] {
  const onSkip = options.onSkip ?? ((file: string, problem: string) => console.warn(`skipping ${file}: ${problem}`));
  return docs.flatMap((doc) => {
    let page: RgbImage;
    try {
      page = cachedPage(doc, options);
    } catch (err) {
      if (!options.skipBad || !(err instanceof DataError)) throw err;
      onSkip(err.file, err.problem);
      return [];
    }
    const s = options.imageSize;
    const { windows, label } = taskKind(options.kind).encode(doc, options);
    return [{ doc, windows, page, pixels: normalize(resize(page, s, s)), ...(label === undefined ? {} : { label }) }];
  });
}

function cachedPage(doc: Document, options: PrepareOptions): RgbImage {
  const side = CACHE_SCALE * options.imageSize;
  const inMemory = options.pageOf?.(doc);
  if (inMemory !== undefined) return resize(inMemory, side, side);
  if (doc.imagePath === undefined) return emptyImage(side, side, 1); // no page: a blank sheet
  const path = doc.imagePath;
  const file = options.cacheDir === undefined ? undefined : join(options.cacheDir, `${cacheKey(path, side)}.f32`);
  if (file !== undefined && existsSync(file)) {
    const bytes = readFileSync(file);
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    if (data.length === 3 * side * side) return { width: side, height: side, data };
  }
  const page = resize(decodeImage(path), side, side);
  if (file !== undefined && options.cacheDir !== undefined) {
    mkdirSync(options.cacheDir, { recursive: true });
    writeFileSync(file, new Uint8Array(page.data.buffer, page.data.byteOffset, page.data.byteLength));
  }
  return page;
}

/** Path, size, mtime and output side: a changed image file gets a new cache entry. */
function cacheKey(path: string, side: number): string {
  const st = statSync(path);
  return createHash("sha256").update(`${path}|${st.size}|${st.mtimeMs}|${side}`).digest("hex").slice(0, 24);
}

/** One training example: window `window` of prepared document `doc`. */
export interface WindowRef { doc: number; window: number }

export function windowRefs(docs: readonly PreparedDoc[]): WindowRef[] {
  return docs.flatMap((d, doc) => d.windows.map((_, window) => ({ doc, window })));
}

/**
 * The batches of one epoch: windows shuffled by a generator seeded from (seed, epoch), cut into full batches
 * (drop_last, as the official loaders: the feature queue needs every batch the same size). Depending only on
 * (seed, epoch), a run resumed mid-epoch sees the same order.
 */
export function epochBatches(refs: readonly WindowRef[], batchSize: number, seed: number, epoch: number): WindowRef[][] {
  const gen = new Generator((seed * 7919 + epoch * 104_729 + 1) >>> 0);
  const order = refs.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = gen.int(0, i + 1); [order[i], order[j]] = [order[j], order[i]]; }
  const batches: WindowRef[][] = [];
  for (let b = 0; b + batchSize <= order.length; b += batchSize) batches.push(order.slice(b, b + batchSize).map((i) => refs[i]));
  return batches;
}

/**
 * Model inputs for a batch. View 1 (online ViT, PITA, fusion) is the deterministic page; view 2 (momentum ViT) is
 * the official random augmentation, drawn from `augment` only when the config has momentum encoders.
 * Differs from ref: the official code augments view 1 too (notes §3), which moves pixels away from the token boxes.
 * Labels follow the task kind: (B, T) token label ids, or (B) class ids for classification.
 */
export function makeBatch(refs: readonly WindowRef[], docs: readonly PreparedDoc[], config: AETNetConfig, augment: Generator | null, kind: TaskKind = "token"): AETNetInputs {
  const windows = refs.map((r) => docs[r.doc].windows[r.window]);
  const collated = collate(windows, { padId: config.padTokenId });
  const { inputIds, bbox, attentionMask } = collated;
  const labels = taskKind(kind).batchLabels(collated, refs.map((r) => docs[r.doc].label));
  const s = config.imageSize;
  const pixelValues = stackPixels(refs.map((r) => docs[r.doc].pixels), s);
  const momentum = config.align && (config.losses.ditc || config.losses.imc || config.losses.glitc);
  const pixelValuesAug = momentum && augment !== null
    ? stackPixels(refs.map((r) => augmentPixels(docs[r.doc].page, augment, { size: s })), s)
    : undefined;
  return { inputIds, bbox, attentionMask, labels, pixelValues, pixelValuesAug };
}

/** Real (non-padding) tokens in a batch, for throughput. */
export function tokenCount(inputs: AETNetInputs): number {
  let n = 0;
  for (const v of inputs.attentionMask.storage) n += v;
  return n;
}
