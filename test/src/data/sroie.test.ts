import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { DataError, SROIE_LABELS, loadSroie } from "../../../src/data/index.ts";
import { jpegBytes, realData, tempDir, writeFile } from "./fixtures.ts";
import { skipWhen } from "../../skip.ts";

const t = suite("sroie");

function makeSroie(): string {
  const root = tempDir("sroie");
  const quad = (x0: number, y0: number, x1: number, y1: number) => [x0, y0, x1, y0, x1, y1, x0, y1].join(",");
  writeFile(join(root, "images/000.jpg"), jpegBytes(100, 200, () => [250, 250, 250]));
  writeFile(join(root, "box/000.csv"), [
    `${quad(10, 10, 90, 20)},SHOP SDN BHD`,
    `${quad(10, 22, 90, 30)},NO 1, JALAN  X`, // a comma inside the transcript
    `${quad(10, 32, 60, 40)},KL`,
    `${quad(10, 50, 50, 60)},TOTAL`,
    `${quad(60, 50, 100, 60)},9.00`,
  ].join("\n") + "\n");
  writeFile(join(root, "labels/000.tsv"), "0\tcompany\n1\taddress\n2\taddress\n3\tother\n4\ttotal\n");
  writeFile(join(root, "train.txt"), "000\n");
  writeFile(join(root, "test.txt"), "001\n");
  return root;
}

t("lines split into words with line boxes and BIO labels", () => {
  const root = makeSroie();
  const { docs } = loadSroie(root, "train");
  const d = docs[0];
  assert.equal(d.words, ["SHOP", "SDN", "BHD", "NO", "1,", "JALAN", "X", "KL", "TOTAL", "9.00"]);
  // a multi-line address is one entity: its second line continues with I-
  assert.equal(d.labels, ["B-COMPANY", "I-COMPANY", "I-COMPANY", "B-ADDRESS", "I-ADDRESS", "I-ADDRESS", "I-ADDRESS", "I-ADDRESS", "O", "B-TOTAL"]);
  assert.equal(d.boxes[0], [100, 50, 900, 100]);
  assert.equal(d.boxes[9], [600, 250, 1000, 300]);
  assert.equal([d.width, d.height], [100, 200]);
  assert.ok(SROIE_LABELS.includes("B-DATE"));
});

t("bad receipts: missing files and label/line mismatch; skipBad", () => {
  const root = makeSroie();
  assert.throws(() => loadSroie(root, "test"), (e: unknown) => e instanceof DataError && e.message.includes("001.csv") && /missing/.test(e.message));
  writeFile(join(root, "labels/000.tsv"), "0\tcompany\n");
  assert.throws(() => loadSroie(root, "train"), (e: unknown) => e instanceof DataError && /000\.tsv: 1 label rows for 5 text lines/.test(e.message));
  const corpus = loadSroie(root, "train", { skipBad: true, onSkip: () => {} });
  assert.equal([corpus.docs.length, corpus.skipped.length], [0, 1]);
});

const sroie = realData("sroie");
skipWhen(t, sroie.missing)("real SROIE: split sizes and label counts", () => {
  const dir = sroie.dir!;
  const train = loadSroie(dir, "train"), test = loadSroie(dir, "test");
  assert.equal([train.docs.length, test.docs.length], [501, 125]);
  const totals = [...train.docs, ...test.docs].flatMap((d) => d.labels!).filter((l) => l === "B-TOTAL").length;
  assert.equal(totals, 625); // README: 625 total lines, one per receipt that has a total
  for (const d of [...train.docs, ...test.docs]) assert.ok(d.boxes.every((b) => b.every((v) => v >= 0 && v <= 1000)));
});

t.run();
