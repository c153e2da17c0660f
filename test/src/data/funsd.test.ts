import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataError, FUNSD_LABELS, loadFunsd, loadFunsdDocument } from "../../../src/data/index.ts";
import { pngBytes, realData, tempDir, writeFile } from "./fixtures.ts";
import { skipWhen } from "../../skip.ts";

const t = suite("funsd");
const word = (text: string, box: number[]) => ({ text, box });
const form = {
  form: [
    { id: 0, label: "header", text: "Big Title", box: [10, 5, 90, 15], linking: [], words: [word("Big", [10, 5, 40, 15]), word("Title", [50, 6, 90, 14])] },
    { id: 1, label: "question", text: "Name:", box: [10, 30, 60, 40], linking: [[1, 2]], words: [word("Name:", [10, 30, 60, 40]), word(" ", [61, 30, 62, 40])] },
    { id: 2, label: "answer", text: "", box: [70, 30, 80, 40], linking: [], words: [word("", [70, 30, 80, 40])] },
    { id: 3, label: "other", text: "a b", box: [0, 80, 199, 99], linking: [], words: [word("a", [0, 80, 20, 99]), word("b", [100, 80, 199, 99])] },
  ],
};

function makeCorpus(): string {
  const root = tempDir("funsd");
  writeFile(join(root, "training_data/annotations/f1.json"), JSON.stringify(form));
  writeFile(join(root, "training_data/images/f1.png"), pngBytes(200, 100));
  return root;
}

t("words, BIO labels and 0–1000 segment boxes", () => {
  const root = makeCorpus();
  const doc = loadFunsdDocument(join(root, "training_data/annotations/f1.json"), join(root, "training_data/images/f1.png"));
  assert.equal(doc.id, "f1");
  assert.equal([doc.width, doc.height], [200, 100]);
  assert.equal(doc.words, ["Big", "Title", "Name:", "a", "b"]); // blank words and the all-blank answer are dropped
  assert.equal(doc.labels, ["B-HEADER", "I-HEADER", "B-QUESTION", "O", "O"]);
  // segment box = union of the entity's word boxes, int(1000·x/W): x 10..90 of 200, y 5..15 of 100
  assert.equal(doc.boxes[0], [50, 50, 450, 150]);
  assert.equal(doc.boxes[1], [50, 50, 450, 150]);
  assert.equal(doc.boxes[3], [0, 800, 995, 990]);
  const byWord = loadFunsdDocument(join(root, "training_data/annotations/f1.json"), join(root, "training_data/images/f1.png"), { boxes: "word" });
  assert.equal(byWord.boxes[1], [250, 60, 450, 140]);
  assert.equal(byWord.boxes[4], [500, 800, 995, 990]);
});

t("label list", () => {
  assert.equal([...FUNSD_LABELS], ["O", "B-HEADER", "I-HEADER", "B-QUESTION", "I-QUESTION", "B-ANSWER", "I-ANSWER"]);
});

function expectDataError(fn: () => unknown, file: string, problem: RegExp): void {
  try { fn(); } catch (err) {
    assert.ok(err instanceof DataError, `expected DataError, got ${String(err)}`);
    assert.ok(err.message.includes(file), `message should name ${file}: ${err.message}`);
    assert.match(err.message, problem);
    return;
  }
  assert.unreachable("no error thrown");
}

t("malformed input names the file and the problem", () => {
  const root = makeCorpus();
  const img = join(root, "training_data/images/f1.png");
  const notFunsd = writeFile(join(root, "bad/notfunsd.json"), JSON.stringify({ documents: [] }));
  expectDataError(() => loadFunsdDocument(notFunsd, img), "notfunsd.json", /not a FUNSD annotation/);
  const badJson = writeFile(join(root, "bad/broken.json"), "{\"form\": [");
  expectDataError(() => loadFunsdDocument(badJson, img), "broken.json", /invalid JSON/);
  const outside = writeFile(join(root, "bad/outside.json"), JSON.stringify({ form: [{ label: "other", words: [word("x", [150, 10, 260, 20])] }] }));
  expectDataError(() => loadFunsdDocument(outside, img), "outside.json", /outside the 200×100 page/);
  const badLabel = writeFile(join(root, "bad/label.json"), JSON.stringify({ form: [{ label: "key", words: [] }] }));
  expectDataError(() => loadFunsdDocument(badLabel, img), "label.json", /unknown label "key"/);
  const full = pngBytes(200, 100);
  const truncated = writeFile(join(root, "bad/cut.png"), full.subarray(0, full.length - 20));
  expectDataError(() => loadFunsdDocument(join(root, "training_data/annotations/f1.json"), truncated), "cut.png", /truncated PNG/);
  expectDataError(() => loadFunsdDocument(join(root, "training_data/annotations/f1.json"), join(root, "nope.png")), "nope.png", /missing/);
});

t("skipBad loads the good forms and reports the bad ones", () => {
  const root = makeCorpus();
  writeFile(join(root, "training_data/annotations/f2.json"), JSON.stringify(form)); // its image is missing
  assert.throws(() => loadFunsd(root, "train"), (e: unknown) => e instanceof DataError && e.message.includes("f2.png"));
  const seen: string[] = [];
  const corpus = loadFunsd(root, "train", { skipBad: true, onSkip: (file) => seen.push(file) });
  assert.equal(corpus.docs.map((d) => d.id), ["f1"]);
  assert.equal(corpus.skipped.length, 1);
  assert.ok(corpus.skipped[0].file.endsWith("f2.png") && /missing/.test(corpus.skipped[0].problem));
  assert.equal(seen.length, 1);
});

const funsd = realData("funsd");
skipWhen(t, funsd.missing)("real FUNSD: counts, labels and box ranges", () => {
  const dir = funsd.dir!;
  const train = loadFunsd(dir, "train"), test = loadFunsd(dir, "test");
  assert.equal([train.docs.length, test.docs.length], [149, 50]);
  const words = (c: typeof train) => c.docs.reduce((a, d) => a + d.words.length, 0);
  // README: 22,512 / 8,973 words including 890 blank ones, which are dropped (624 in train, 266 in test).
  assert.equal([words(train), words(test)], [22512 - 624, 8973 - 266]);
  const labels = new Set(FUNSD_LABELS);
  for (const d of [...train.docs, ...test.docs]) {
    assert.equal(d.boxes.length, d.words.length);
    assert.ok(d.labels!.every((l) => labels.has(l)));
    assert.ok(d.boxes.every((b) => b.every((v) => Number.isInteger(v) && v >= 0 && v <= 1000) && b[0] <= b[2] && b[1] <= b[3]));
  }
  assert.ok(readFileSync(train.docs[0].imagePath!).length > 0);
});

t.run();
