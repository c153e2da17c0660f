import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withOverrides } from "../../../src/config.ts";
import { labelMaps, type Document } from "../../../src/data/document.ts";
import { emptyImage, type RgbImage } from "../../../src/data/image/rgb_image.ts";
import { trainBpe } from "../../../src/data/tokenizer/train_bpe.ts";
import { LayoutLMv3ForSequenceClassification } from "../../../src/models/heads.ts";
import { makeBatch, prepareDocs, windowRefs } from "../../../src/train/batches.ts";
import { Trainer, defaultSettings } from "../../../src/train/trainer.ts";
import { micro } from "./fixtures.ts";

const t = suite("trainer: document classification");
const quiet = { progress: null, print: () => {} } as const;
const CLASSES = ["dark", "light"];

/** n pages per class held in memory: uniform dark or light squares; one page per class has two OCR words. */
function setup(n: number, overrides: Parameters<typeof defaultSettings>[2] = {}) {
  const pages = new Map<Document, RgbImage>();
  const docs = (split: string, count: number): Document[] => CLASSES.flatMap((cls, c) => Array.from({ length: count }, (_, i): Document => {
    const words = i === 0 ? ["TOTAL", "due"] : [];
    const doc: Document = { id: `${split}-${cls}-${i}`, words, boxes: words.map(() => [100, 100, 300, 150]), labels: [cls], width: 32, height: 32 };
    pages.set(doc, emptyImage(32, 32, c === 0 ? 0.1 : 0.95));
    return doc;
  }));
  const [train, held] = [docs("train", n), docs("test", 1)];
  const tokenizer = trainBpe(train.flatMap((d) => d.words), { vocabSize: 300 });
  const settings = defaultSettings("rvlcdip", CLASSES, { kind: "sequence", epochs: 2, batchSize: 2, maxLength: 16, stride: 4, lr: 1e-3, seed: 5, ...overrides });
  const prep = { tokenizer, labelToId: labelMaps(CLASSES).labelToId, imageSize: micro.imageSize, maxLength: 16, stride: 4, pageOf: (d: Document) => pages.get(d), kind: "sequence" as const };
  return { tokenizer, settings, train: prepareDocs(train, prep), eval: prepareDocs(held, prep) };
}

t("a classification batch: one window per document, (B) class ids, documents with and without words padded together", () => {
  const s = setup(2);
  assert.ok(s.train.every((d) => d.windows.length === 1));
  assert.equal(s.train.map((d) => d.label), [0, 0, 1, 1]);
  assert.equal(s.train.map((d) => d.windows[0].inputIds.length), [4, 2, 4, 2]); // <s> TOTAL due </s>, or <s></s>
  const batch = makeBatch(windowRefs(s.train).slice(0, 2), s.train, micro, null, "sequence");
  assert.equal(batch.labels.shape, [2]);
  assert.equal(Array.from(batch.labels.storage), [0, 0]);
  assert.equal(batch.inputIds.shape, [2, 4]);
});

t("fit with the sequence head (fusion only): task loss, document accuracy per epoch, best by accuracy", () => {
  const s = setup(2);
  const trainer = new Trainer({ config: withOverrides(micro, { align: false }), ...s, ...quiet });
  assert.ok(trainer.model.fusion_model instanceof LayoutLMv3ForSequenceClassification);
  const r = trainer.fit();
  assert.is(r.steps.length, 4);
  assert.equal(Object.keys(r.steps[0].terms), ["task"]);
  assert.ok(r.steps.every((x) => Number.isFinite(x.loss)));
  assert.is(r.evals.length, 2);
  for (const e of r.evals) assert.ok(e.documentAccuracy !== undefined && [0, 0.5, 1].includes(e.documentAccuracy) && e.f1 === undefined);
  assert.is(r.best?.documentAccuracy, Math.max(...r.evals.map((e) => e.documentAccuracy ?? -1)));
  assert.ok(r.lastEval !== null && "accuracy" in r.lastEval && r.lastEval.gold.length === 2);
});

t("resume refuses a checkpoint of the other kind", () => {
  const s = setup(1);
  const out = mkdtempSync(join(tmpdir(), "aetnet-cls-"));
  new Trainer({ config: micro, ...s, outDir: out, stopAfter: 1, ...quiet }).fit();
  assert.throws(() => new Trainer({ config: micro, ...s, settings: { ...s.settings, kind: "token" }, outDir: out, resume: true, ...quiet }), /settings differ \(kind: "sequence" then, "token" now\)/);
});

t.run();
