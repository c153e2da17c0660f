// CORD v2 loader (clovaai JSON): valid_line → words with quads → segment boxes and BIO labels over the menu/total categories.
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import {
  bioLabelList, bioTags, normalizeBox, unionBox, type Box, type Corpus, type CorpusOptions, type Document,
} from "./document.ts";
import { loadAll } from "./corpus.ts";
import { DataError } from "./errors.ts";
import { readImageSize } from "./image/image_size.ts";
import { listFolder } from "./read_file.ts";
import { readJsonFile } from "./json_file.ts";
import { isNumberArray, isRecord } from "./json_value.ts";

/** The 30 CORD v2 categories (upper-cased in the labels, as the LayoutLMv3 CORD script does). */
export const CORD_CATEGORIES: readonly string[] = [
  "menu.cnt", "menu.discountprice", "menu.etc", "menu.itemsubtotal", "menu.nm", "menu.num", "menu.price",
  "menu.sub_cnt", "menu.sub_etc", "menu.sub_nm", "menu.sub_price", "menu.sub_unitprice", "menu.unitprice", "menu.vatyn",
  "sub_total.discount_price", "sub_total.etc", "sub_total.othersvc_price", "sub_total.service_price", "sub_total.subtotal_price", "sub_total.tax_price",
  "total.cashprice", "total.changeprice", "total.creditcardprice", "total.emoneyprice", "total.menuqty_cnt", "total.menutype_cnt",
  "total.total_etc", "total.total_price", "void_menu.nm", "void_menu.price",
];
export const CORD_LABELS: readonly string[] = bioLabelList(CORD_CATEGORIES.map((c) => c.toUpperCase()));
const KNOWN = new Set([...CORD_CATEGORIES, "other"]);

export type CordSplit = "train" | "dev" | "test";
const QUAD_KEYS = ["x1", "y1", "x2", "y2", "x3", "y3", "x4", "y4"] as const;

/**
 * One receipt. The page size is the image's real size, as the official code (PIL's image.size) takes it;
 * `meta.image_size` only when no image is given. A word's box is (x1, y1, x3, y3) of its quad with the
 * coordinates swapped when reversed, and clamped onto the page (the official quad_to_box clamps at 0; CORD has
 * boxes a little off the page, which are kept, not dropped); every word then gets its line's union box.
 */
export function loadCordDocument(jsonPath: string, imagePath?: string): Document {
  const json = readJsonFile("cord", jsonPath);
  if (!isRecord(json) || !Array.isArray(json.valid_line)) throw new DataError("cord", jsonPath, 'not a CORD annotation: needs a "valid_line" array');
  const { width, height } = imagePath !== undefined ? readImageSize(imagePath) : metaSize(json, jsonPath);
  const doc: Document = { id: basename(jsonPath, ".json"), words: [], boxes: [], labels: [], width, height, ...(imagePath ? { imagePath } : {}) };
  json.valid_line.forEach((line: unknown, l: number) => {
    if (!isRecord(line) || !Array.isArray(line.words) || typeof line.category !== "string") {
      throw new DataError("cord", jsonPath, `valid_line[${l}] needs a "words" array and a "category" string`);
    }
    if (!KNOWN.has(line.category)) throw new DataError("cord", jsonPath, `valid_line[${l}] has unknown category "${line.category}"`);
    const words: string[] = [], boxes: Box[] = [];
    line.words.forEach((w: unknown, k: number) => {
      const quad = isRecord(w) && isRecord(w.quad) ? w.quad : undefined;
      const q = quad ? QUAD_KEYS.map((key) => quad[key]) : [];
      if (!isRecord(w) || typeof w.text !== "string" || !isNumberArray(q, 8)) {
        throw new DataError("cord", jsonPath, `valid_line[${l}].words[${k}] needs "text" and a quad {x1..x4, y1..y4}`);
      }
      if (w.text.trim() === "") return;
      const [x1, y1, , , x3, y3] = q;
      const cx = (v: number): number => Math.min(Math.max(v, 0), width), cy = (v: number): number => Math.min(Math.max(v, 0), height);
      words.push(w.text);
      boxes.push(normalizeBox("cord", jsonPath, [cx(Math.min(x1, x3)), cy(Math.min(y1, y3)), cx(Math.max(x1, x3)), cy(Math.max(y1, y3))], width, height));
    });
    if (words.length === 0) return;
    const segment = unionBox(boxes);
    doc.words.push(...words);
    doc.boxes.push(...boxes.map((): Box => [...segment]));
    doc.labels!.push(...bioTags(line.category === "other" ? null : line.category.toUpperCase(), words.length));
  });
  return doc;
}

function metaSize(json: Record<string, unknown>, jsonPath: string): { width: number; height: number } {
  const size = isRecord(json.meta) ? json.meta.image_size : undefined;
  if (!isRecord(size) || typeof size.width !== "number" || typeof size.height !== "number" || !(size.width > 0 && size.height > 0)) {
    throw new DataError("cord", jsonPath, "no image given and no meta.image_size {width, height} to take the page size from");
  }
  return { width: size.width, height: size.height };
}

/** `<root>/<split>/json/NAME.json` with the image at `<root>/<split>/image/NAME.png` (or .jpg), which must exist. */
export function loadCord(root: string, split: CordSplit, options: CorpusOptions = {}): Corpus {
  const jsonDir = join(root, split, "json");
  const names = listFolder("cord", jsonDir, "annotation folder").filter((f) => f.endsWith(".json")).map((f) => basename(f, ".json"));
  return loadAll(names, (name) => join(jsonDir, `${name}.json`), (name) => {
    const image = [".png", ".jpg"].map((ext) => join(root, split, "image", name + ext)).find(existsSync);
    if (!image) throw new DataError("cord", join(root, split, "image", `${name}.png`), "image file is missing");
    return loadCordDocument(join(jsonDir, `${name}.json`), image);
  }, options);
}
