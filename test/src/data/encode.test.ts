import { suite } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { IGNORE_INDEX, collate, encodeDocument, labelMaps, mergeWindowPredictions, type Box, type Document, type WordTokenizer } from "../../../src/data/index.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("encode");

/** A fake tokenizer: one sub-token per 2 characters, id = 100·(k+1) + word length (so tests can read ids). */
const fake: WordTokenizer = {
  encodeWord: (w) => Array.from({ length: Math.ceil(w.length / 2) }, (_, k) => 100 * (k + 1) + w.length),
  specialId: (name) => ({ bos: 0, pad: 1, eos: 2 })[name],
};
const maps = labelMaps(["O", "B-Q", "I-Q"]);

function doc(words: string[], labels?: string[]): Document {
  const boxes = words.map((_, i): Box => [i, i, i + 10, i + 10]);
  return { id: "d", words, boxes, labels, width: 100, height: 100 };
}

t("first sub-token carries the label, the rest -100; specials get box 0 and -100", () => {
  const [w] = encodeDocument(doc(["abc", "d", "efgh"], ["B-Q", "I-Q", "O"]), fake, { labelToId: maps.labelToId });
  assert.equal(w.inputIds, [0, 103, 203, 101, 104, 204, 2]);
  assert.equal(w.labels, [IGNORE_INDEX, 1, IGNORE_INDEX, 2, 0, IGNORE_INDEX, IGNORE_INDEX]);
  assert.equal(w.bbox, [[0, 0, 0, 0], [0, 0, 10, 10], [0, 0, 10, 10], [1, 1, 11, 11], [2, 2, 12, 12], [2, 2, 12, 12], [0, 0, 0, 0]]);
  assert.equal(w.wordIds, [null, 0, 0, 1, 2, 2, null]);
  const [unlabelled] = encodeDocument(doc(["abc"]), fake);
  assert.equal(unlabelled.labels, [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX]);
  assert.throws(() => encodeDocument(doc(["a"], ["B-X"]), fake, { labelToId: maps.labelToId }), /label "B-X" outside the label list/);
});

t("long documents split into overlapping windows of maxLength", () => {
  const words = Array.from({ length: 10 }, (_, i) => "x".repeat(1 + (i % 3)));
  const windows = encodeDocument(doc(words), fake, { maxLength: 6, stride: 2 }); // 4 content tokens, step 2
  const total = words.reduce((a, w) => a + Math.ceil(w.length / 2), 0);
  assert.ok(windows.every((w) => w.inputIds.length <= 6 && w.inputIds[0] === 0 && w.inputIds[w.inputIds.length - 1] === 2));
  assert.equal(windows.length, Math.ceil((total - 4) / 2) + 1);
  assert.equal(windows[1].wordIds.slice(1, 3), windows[0].wordIds.slice(3, 5)); // 2 tokens of overlap
});

t("merging window predictions gives every word exactly one prediction, from its most central window", () => {
  fc.assert(fc.property(
    fc.array(fc.string({ minLength: 1, maxLength: 7 }), { minLength: 0, maxLength: 40 }),
    fc.integer({ min: 3, max: 12 }), fc.integer({ min: 0, max: 5 }),
    (words, maxLength, strideRaw) => {
      const stride = Math.min(strideRaw, maxLength - 3);
      const windows = encodeDocument(doc(words), fake, { maxLength, stride });
      // Predict "window k, token t" so the merge's choice is visible.
      const preds = windows.map((w, k) => w.inputIds.map((_, tok) => `${k}:${tok}`));
      const merged = mergeWindowPredictions(windows, preds, words.length, "none");
      return merged.every((p, wi) => {
        if (p === "none") return false;
        const [k, tok] = p.split(":").map(Number);
        const win = windows[k];
        if (win.wordIds[tok] !== wi || !win.isFirst[tok]) return false;
        const margin = Math.min(tok, win.inputIds.length - 1 - tok);
        // no other window holds this word's first sub-token more centrally
        return windows.every((other) => other.wordIds.every((w2, t2) => w2 !== wi || !other.isFirst[t2] || Math.min(t2, other.inputIds.length - 1 - t2) <= margin));
      });
    }), { numRuns: RUNS * 5 });
});

t("collate pads with id 1, box 0, mask 0, label -100 into int32 tensors", () => {
  const a = encodeDocument(doc(["abc", "d"], ["B-Q", "I-Q"]), fake, { labelToId: maps.labelToId })[0];
  const b = encodeDocument(doc(["x"], ["O"]), fake, { labelToId: maps.labelToId })[0];
  const batch = collate([a, b]);
  assert.equal(batch.inputIds.shape, [2, 5]);
  assert.equal(batch.bbox.shape, [2, 5, 4]);
  assert.equal([batch.inputIds.dtype, batch.bbox.dtype, batch.labels.dtype, batch.attentionMask.dtype], ["int32", "int32", "int32", "float32"]);
  assert.equal(batch.inputIds.tolist(), [[0, 103, 203, 101, 2], [0, 101, 2, 1, 1]]);
  assert.equal(batch.attentionMask.tolist(), [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]);
  assert.equal(batch.labels.tolist(), [[-100, 1, -100, 2, -100], [-100, 0, -100, -100, -100]]);
  assert.equal((batch.bbox.tolist() as number[][][])[1][3], [0, 0, 0, 0]);
  assert.equal(collate([b], { padTo: 8 }).inputIds.shape, [1, 8]);
  assert.throws(() => collate([a], { padTo: 3 }), /padTo 3 is shorter/);
});

t.run();
