// Fuzzing the dataset parsers a user's files reach: FUNSD annotation JSON, SROIE box CSV + key labels + split
// list, CORD JSON, RVL-CDIP label files and OCR sidecars. Random and damaged inputs must give a valid document
// (0–1000 integer boxes, one per word, one label per word) or a typed one-line error (harness.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Document } from "../../src/data/document.ts";
import { loadCordDocument, loadFunsdDocument, loadRvlCdipLabelFile, loadSroie, loadSroieDocument } from "../../src/data/index.ts";
import { cordReceipt, jpegBytes, pngBytes, tempDir, writeFile } from "../src/data/fixtures.ts";
import { assertContract, fuzz, mutatedText, randomJsonText } from "./harness.ts";

const t = suite("fuzz: dataset files");
const dir = tempDir("fuzz-data");

/** A loaded document must be internally consistent; a loader that returns garbage is as bad as one that crashes. */
function checkDocument(d: Document, perWordLabels = true): void {
  if (d.boxes.length !== d.words.length) throw new Error(`${d.words.length} words but ${d.boxes.length} boxes`);
  if (perWordLabels && d.labels !== undefined && d.labels.length !== d.words.length) throw new Error(`${d.words.length} words but ${d.labels.length} labels`);
  for (const b of d.boxes) {
    if (b.length !== 4 || !b.every((v) => Number.isInteger(v) && v >= 0 && v <= 1000) || b[2] < b[0] || b[3] < b[1]) throw new Error(`bad box ${JSON.stringify(b)}`);
  }
  if (!(Number.isFinite(d.width) && d.width > 0 && Number.isFinite(d.height) && d.height > 0)) throw new Error(`bad page size ${d.width}×${d.height}`);
}

const funsdImage = writeFile(join(dir, "funsd.png"), pngBytes(100, 80));
const FUNSD_VALID = JSON.stringify({ form: [
  { id: 0, label: "question", words: [{ text: "Name:", box: [5, 5, 40, 15] }], box: [5, 5, 40, 15], linking: [[0, 1]] },
  { id: 1, label: "answer", words: [{ text: "Ada", box: [45, 5, 70, 15] }, { text: "Lovelace", box: [72, 5, 99, 15] }], linking: [] },
  { id: 2, label: "other", words: [{ text: " ", box: [1, 1, 2, 2] }] },
] });

t("FUNSD annotation JSON", () => {
  const path = join(dir, "funsd.json");
  fuzz(fc.property(fc.oneof(mutatedText(FUNSD_VALID), randomJsonText), fc.constantFrom("segment", "word") as fc.Arbitrary<"segment" | "word">, (text, boxes) => {
    writeFileSync(path, text);
    assertContract(() => checkDocument(loadFunsdDocument(path, funsdImage, { boxes })));
  }));
});

const sroie = tempDir("fuzz-sroie");
writeFile(join(sroie, "images/000.jpg"), jpegBytes(100, 200, () => [250, 250, 250]));
const SROIE_BOX = "10,10,90,10,90,20,10,20,SHOP SDN BHD\n10,22,90,22,90,30,10,30,NO 1, JALAN X\n10,50,50,50,50,60,10,60,TOTAL 9.00\n";
const SROIE_LABELS = "0\tcompany\n1\taddress\n2\ttotal\n";

t("SROIE box CSV and key labels", () => {
  fuzz(fc.property(fc.oneof(mutatedText(SROIE_BOX), fc.string({ unit: "binary", maxLength: 80 })), mutatedText(SROIE_LABELS), (box, labels) => {
    writeFile(join(sroie, "box/000.csv"), box);
    writeFile(join(sroie, "labels/000.tsv"), labels);
    assertContract(() => checkDocument(loadSroieDocument(sroie, "000")));
  }));
});

t("SROIE split list (names)", () => {
  writeFile(join(sroie, "box/000.csv"), SROIE_BOX);
  writeFile(join(sroie, "labels/000.tsv"), SROIE_LABELS);
  const name = fc.oneof(fc.constantFrom("000", "..", "../000", "/etc/hostname", "images/../000", "000\r", "a\0b", "__proto__"), fc.string({ unit: "binary", maxLength: 12 }));
  fuzz(fc.property(fc.array(name, { maxLength: 4 }), fc.boolean(), (names, skipBad) => {
    writeFile(join(sroie, "train.txt"), names.join("\n"));
    assertContract(() => loadSroie(sroie, "train", { skipBad, onSkip: () => {} }).docs.forEach((d) => checkDocument(d)));
  }));
});

const CORD_VALID = JSON.stringify(cordReceipt());

t("CORD annotation JSON", () => {
  const path = join(dir, "cord.json");
  fuzz(fc.property(fc.oneof(mutatedText(CORD_VALID), randomJsonText), (text) => {
    writeFileSync(path, text);
    assertContract(() => checkDocument(loadCordDocument(path)));
  }));
});

const rvl = tempDir("fuzz-rvl");
writeFile(join(rvl, "images/a/1.png"), pngBytes(30, 40));
writeFile(join(rvl, "images/b/2.png"), pngBytes(50, 20));
const RVL_LABELS = "a/1.png 11\nb/2.png memo\n";
const RVL_OCR = JSON.stringify({ words: ["hi", "there"], boxes: [[5, 2, 25, 10], [26, 2, 49, 10]] });

t("RVL-CDIP label file and OCR sidecar", () => {
  fuzz(fc.property(fc.oneof(mutatedText(RVL_LABELS), fc.string({ unit: "binary", maxLength: 60 })), fc.oneof(mutatedText(RVL_OCR), randomJsonText), (labels, ocr) => {
    writeFile(join(rvl, "labels.txt"), labels);
    writeFile(join(rvl, "images/b/2.ocr.json"), ocr);
    assertContract(() => loadRvlCdipLabelFile(join(rvl, "labels.txt"), join(rvl, "images"), { skipBad: false }).docs.forEach((d) => checkDocument(d, false)));
  }));
});

t("the valid inputs themselves load (the fuzzers start from real files)", () => {
  writeFileSync(join(dir, "funsd.json"), FUNSD_VALID);
  assert.is(loadFunsdDocument(join(dir, "funsd.json"), funsdImage).words.length, 3);
  writeFileSync(join(dir, "cord.json"), CORD_VALID);
  assert.is(loadCordDocument(join(dir, "cord.json")).words.length, 4); // the blank word is dropped
  writeFile(join(rvl, "labels.txt"), RVL_LABELS);
  writeFile(join(rvl, "images/b/2.ocr.json"), RVL_OCR);
  assert.is(loadRvlCdipLabelFile(join(rvl, "labels.txt"), join(rvl, "images")).docs.length, 2);
});

t.run();
