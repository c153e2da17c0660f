// OCR quality on FUNSD's 50 test forms, and what it costs in entity F1:
//   npx tsx bench/ocr_funsd.ts [--checkpoint RUN] [--forms N] [--upscale-below PX] [--json OUT.json]
// 1. tesseract.js (offline, English) on each form image; its words against the ground-truth words of the
//    annotation, matched one-to-one greedily by box IoU (highest first). Reported: box recall (ground-truth words
//    with a match at IoU ≥ 0.5), word recall (such a match whose text is identical; and identical after lower-
//    casing and dropping punctuation), OCR precision at IoU ≥ 0.5, mean IoU of the matches, seconds per page.
//    --upscale-below: OcrOptions.upscaleBelow (default 2000: FUNSD's 1000 px pages are read at 2×; 0 = native size).
// 2. With --checkpoint (a token-labelling FUNSD run): entity F1 of the model on the ground-truth words (as
//    `aetnet eval`) and on the OCR words, each scored with seqeval. Rule for the gold tags of OCR words: an OCR
//    word takes the entity of the ground-truth word whose box overlaps it most (largest intersection area; none
//    → O); it is B- when the OCR word before it belongs to another entity, else I-; "other" entities are O.
//    Ground-truth entities that no OCR word overlaps are counted too (they are missed entities).
import { readdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { defaultDataDir } from "../src/cli/tasks.ts";
import { loadFunsdDocument } from "../src/data/funsd.ts";
import { readJsonFile } from "../src/data/json_file.ts";
import { decodeImage } from "../src/data/image/decode.ts";
import { createOcr } from "../src/extract/ocr.ts";
import { loadEntityModel } from "../src/extract/load_entity_model.ts";
import { tagPage } from "../src/extract/extract_entities.ts";
import { segmentLines, type PageWord } from "../src/extract/segments.ts";
import type { PixelBox } from "../src/extract/result.ts";
import { getEntities, seqevalReport } from "../src/train/seqeval.ts";

const { values } = parseArgs({ options: { checkpoint: { type: "string" }, forms: { type: "string" }, json: { type: "string" }, "upscale-below": { type: "string" } } });
const dir = join(defaultDataDir("funsd"), "testing_data");
const names = readdirSync(join(dir, "annotations")).filter((f) => f.endsWith(".json")).sort().map((f) => basename(f, ".json"))
  .slice(0, values.forms === undefined ? undefined : Number(values.forms));

interface GtWord { text: string; box: PixelBox; entity: number; type: string | null }

/** Ground-truth words with their pixel boxes, entity index and entity type (null for "other"). */
function groundTruth(annotation: string): GtWord[] {
  const json = readJsonFile("funsd", annotation) as { form: { label: string; words: { text: string; box: number[] }[] }[] };
  return json.form.flatMap((e, entity) => e.words.filter((w) => w.text.trim() !== "").map((w): GtWord => ({
    text: w.text, box: [w.box[0], w.box[1], w.box[2], w.box[3]], entity, type: e.label === "other" ? null : e.label.toUpperCase(),
  })));
}

const area = (b: PixelBox): number => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
const inter = (a: PixelBox, b: PixelBox): number => area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
const iou = (a: PixelBox, b: PixelBox): number => { const i = inter(a, b); return i === 0 ? 0 : i / (area(a) + area(b) - i); };
const norm = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");

/** One-to-one greedy matching by IoU, highest first: per ground-truth word the OCR word index and IoU (or null). */
function match(gt: readonly GtWord[], ocr: readonly PageWord[]): ({ o: number; iou: number } | null)[] {
  const pairs: [number, number, number][] = [];
  gt.forEach((g, i) => ocr.forEach((o, j) => { const v = iou(g.box, o.box); if (v > 0) pairs.push([v, i, j]); }));
  pairs.sort((a, b) => b[0] - a[0]);
  const out: ({ o: number; iou: number } | null)[] = gt.map(() => null), used = new Set<number>();
  for (const [v, i, j] of pairs) if (out[i] === null && !used.has(j)) { out[i] = { o: j, iou: v }; used.add(j); }
  return out;
}

/** Gold BIO tags of OCR words by the rule above, and the ground-truth entities no OCR word touches. */
function ocrGold(gt: readonly GtWord[], ocr: readonly PageWord[]): { tags: string[]; untouched: number } {
  const owner = ocr.map((o) => {
    let best = -1, bestArea = 0;
    gt.forEach((g, i) => { const a = inter(g.box, o.box); if (a > bestArea) { bestArea = a; best = i; } });
    return best < 0 ? null : gt[best];
  });
  const tags = owner.map((g, k) => {
    if (g === null || g.type === null) return "O";
    return k > 0 && owner[k - 1]?.entity === g.entity ? `I-${g.type}` : `B-${g.type}`;
  });
  const touched = new Set(owner.filter((g) => g !== null && g.type !== null).map((g) => g!.entity));
  const entities = new Set(gt.filter((g) => g.type !== null).map((g) => g.entity));
  return { tags, untouched: [...entities].filter((e) => !touched.has(e)).length };
}

const model = values.checkpoint === undefined ? null : loadEntityModel(values.checkpoint);
const upscaleBelow = values["upscale-below"] === undefined ? undefined : Number(values["upscale-below"]);
const ocr = await createOcr({ upscaleBelow });
const totals = { gt: 0, ocr: 0, box: 0, exact: 0, normalised: 0, iouSum: 0, seconds: 0, untouched: 0 };
const gold = { gt: [] as string[][], ocr: [] as string[][] }, pred = { gt: [] as string[][], ocr: [] as string[][] };
for (const [k, name] of names.entries()) {
  const annotation = join(dir, "annotations", `${name}.json`), imagePath = join(dir, "images", `${name}.png`);
  const image = decodeImage(imagePath), gt = groundTruth(annotation);
  const start = performance.now();
  const words = segmentLines(await ocr.recognize(image));
  totals.seconds += (performance.now() - start) / 1000;
  const m = match(gt, words);
  totals.gt += gt.length; totals.ocr += words.length;
  m.forEach((x, i) => {
    if (x === null || x.iou < 0.5) return;
    totals.box++; totals.iouSum += x.iou;
    if (words[x.o].text === gt[i].text) totals.exact++;
    if (norm(words[x.o].text) === norm(gt[i].text)) totals.normalised++;
  });
  if (model !== null) {
    const doc = loadFunsdDocument(annotation, imagePath); // segment boxes, as training
    const gtPage = { page: 1, image, source: "given" as const, words: doc.words.map((text, i): PageWord => {
      const b = doc.boxes[i], px = (v: number, s: number): number => (v * s) / 1000;
      const box: PixelBox = [px(b[0], image.width), px(b[1], image.height), px(b[2], image.width), px(b[3], image.height)];
      return { text, box, segment: box };
    }) };
    gold.gt.push(doc.labels!); pred.gt.push(tagPage(model, gtPage).map((t) => model.labels[t.id]));
    const g = ocrGold(gt, words);
    gold.ocr.push(g.tags); totals.untouched += g.untouched;
    pred.ocr.push(tagPage(model, { page: 1, image, source: "ocr", words }).map((t) => model.labels[t.id]));
  }
  process.stderr.write(`\r${k + 1}/${names.length} forms`);
}
await ocr.close();
process.stderr.write("\n");
const r4 = (v: number): number => Math.round(v * 1e4) / 1e4;
const report: Record<string, unknown> = {
  forms: names.length, upscaleBelow: upscaleBelow ?? 2000, gtWords: totals.gt, ocrWords: totals.ocr,
  boxRecall: r4(totals.box / totals.gt), wordRecallExact: r4(totals.exact / totals.gt), wordRecallNormalised: r4(totals.normalised / totals.gt),
  ocrPrecision: r4(totals.box / totals.ocr), meanIoU: r4(totals.iouSum / Math.max(1, totals.box)), secondsPerPage: r4(totals.seconds / names.length),
};
if (model !== null) {
  const onGt = seqevalReport(gold.gt, pred.gt), onOcr = seqevalReport(gold.ocr, pred.ocr);
  const goldOcrEntities = gold.ocr.reduce((s, t) => s + getEntities(t).length, 0);
  // Untouched ground-truth entities are misses the OCR-space gold cannot see: recall counts them as false negatives.
  const tp = onOcr.recall * goldOcrEntities;
  const recallAll = tp / (goldOcrEntities + totals.untouched);
  Object.assign(report, {
    checkpoint: values.checkpoint,
    f1GroundTruthWords: { f1: r4(onGt.f1), precision: r4(onGt.precision), recall: r4(onGt.recall), entities: onGt.trueEntities },
    f1OcrWords: { f1: r4(onOcr.f1), precision: r4(onOcr.precision), recall: r4(onOcr.recall), entities: onOcr.trueEntities },
    f1OcrWordsCountingUntouched: { f1: r4((2 * onOcr.precision * recallAll) / Math.max(1e-12, onOcr.precision + recallAll)), recall: r4(recallAll), untouchedEntities: totals.untouched },
  });
}
console.log(JSON.stringify(report, null, 2));
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(report, null, 2) + "\n");
