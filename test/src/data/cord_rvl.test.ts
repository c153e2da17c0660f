import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { CORD_LABELS, DataError, RVL_CDIP_CLASSES, loadCord, loadCordDocument, loadRvlCdipFolders, loadRvlCdipLabelFile } from "../../../src/data/index.ts";
import { cordReceipt, pngBytes, tempDir, writeFile } from "./fixtures.ts";

const t = suite("cord and rvl_cdip");

t("CORD v2: valid_line words, quads (reversed ones swapped), segment boxes and BIO", () => {
  const root = tempDir("cord");
  const receipt = cordReceipt();
  writeFile(join(root, "train/json/receipt_00000.json"), JSON.stringify(receipt));
  writeFile(join(root, "train/image/receipt_00000.png"), pngBytes(200, 400));
  const { docs } = loadCord(root, "train");
  const d = docs[0];
  assert.equal(d.words, ["ICE", "TEA", "12,000", "12,000"]);
  assert.equal(d.labels, ["B-MENU.NM", "I-MENU.NM", "B-MENU.PRICE", "B-TOTAL.TOTAL_PRICE"]);
  assert.equal(d.boxes[0], [50, 25, 400, 55]); // union of [10,10,40,20] and swapped [50,12,80,22]
  assert.equal(d.boxes[1], d.boxes[0]);
  assert.ok(CORD_LABELS.includes("I-TOTAL.TOTAL_PRICE") && CORD_LABELS.length === 61);

  writeFile(join(root, "dev/json/x.json"), JSON.stringify({ valid_line: [], meta: {} }));
  assert.throws(() => loadCordDocument(join(root, "dev/json/x.json")), (e: unknown) => e instanceof DataError && e.message.includes("x.json") && /image_size/.test(e.message));
  writeFile(join(root, "test/json/y.json"), JSON.stringify(receipt));
  const skipped = loadCord(root, "test", { skipBad: true, onSkip: () => {} });
  assert.equal(skipped.skipped.length, 1);
  assert.match(skipped.skipped[0].problem, /image file is missing/);
});

t("RVL-CDIP from a label file (ids or names) and from class folders", () => {
  const root = tempDir("rvl");
  writeFile(join(root, "images/a/1.png"), pngBytes(30, 40));
  writeFile(join(root, "images/b/2.png"), pngBytes(50, 20));
  writeFile(join(root, "images/b/2.ocr.json"), JSON.stringify({ words: ["hi"], boxes: [[5, 2, 25, 10]] }));
  writeFile(join(root, "labels/train.txt"), "a/1.png 11\nb/2.png memo\n");
  const c = loadRvlCdipLabelFile(join(root, "labels/train.txt"), join(root, "images"));
  assert.equal(c.docs.map((d) => d.labels), [["invoice"], ["memo"]]);
  assert.equal([c.docs[0].width, c.docs[0].height], [30, 40]);
  assert.equal(c.docs[1].words, ["hi"]);
  assert.equal(c.docs[1].boxes, [[100, 100, 500, 500]]);
  assert.equal(RVL_CDIP_CLASSES.length, 16);
  writeFile(join(root, "labels/bad.txt"), "a/1.png 99\n");
  assert.throws(() => loadRvlCdipLabelFile(join(root, "labels/bad.txt"), join(root, "images")), (e: unknown) => e instanceof DataError && /bad\.txt: line 1/.test(e.message));

  writeFile(join(root, "folders/memo/m.png"), pngBytes(4, 4));
  writeFile(join(root, "folders/letter/l.png"), pngBytes(4, 4));
  writeFile(join(root, "folders/letter/broken.png"), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
  const f = loadRvlCdipFolders(join(root, "folders"), { skipBad: true, onSkip: () => {} });
  assert.equal(f.classes, ["letter", "memo"]);
  assert.equal(f.docs.map((d) => d.labels![0]), ["letter", "memo"]);
  assert.equal(f.skipped.length, 1);
  assert.match(f.skipped[0].problem, /truncated PNG/);
});

t.run();
