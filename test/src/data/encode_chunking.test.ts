// The official code's chunking (preprocess_*.py seg_file, max_len 510): consecutive chunks of whole words of at most
// maxLength-2 sub-words, no overlap, compared with a line-by-line port of seg_file on random documents.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { encodeDocument, type Box, type Document, type WordTokenizer } from "../../../src/data/index.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("encode: reference chunking");

/** One sub-token per 2 characters; "" has none. */
const fake: WordTokenizer = {
  encodeWord: (w) => Array.from({ length: Math.ceil(w.length / 2) }, (_, k) => 100 * (k + 1) + w.length),
  specialId: (name) => ({ bos: 0, pad: 1, eos: 2 })[name],
};
const doc = (words: string[]): Document => ({ id: "d", words, boxes: words.map((_, i): Box => [i, i, i + 1, i + 1]), width: 10, height: 10 });

/** seg_file of the official preprocessing, on word indices; over-long lone words are cut later by the processor. */
function segFile(words: readonly string[], maxLen: number): number[][] {
  const chunks: number[][] = [[]];
  let counter = 0;
  words.forEach((w, i) => {
    const n = fake.encodeWord(w).length;
    if (n === 0) return;
    if (counter + n > maxLen) { chunks.push([i]); counter = n; return; }
    counter += n;
    chunks.at(-1)!.push(i);
  });
  const nonEmpty = chunks.filter((c) => c.length > 0);
  return nonEmpty.length > 0 ? nonEmpty : [[]];
}

t("chunks are the official seg_file chunks: whole words, consecutive, within maxLength with <s> and </s>", () => {
  fc.assert(fc.property(
    fc.array(fc.string({ minLength: 0, maxLength: 9 }), { maxLength: 40 }), fc.integer({ min: 3, max: 14 }),
    (words, maxLength) => {
      const windows = encodeDocument(doc(words), fake, { maxLength, chunking: "reference" });
      const got = windows.map((w) => [...new Set(w.wordIds.filter((id): id is number => id !== null))]);
      assert.equal(got, segFile(words, maxLength - 2));
      for (const w of windows) {
        assert.ok(w.inputIds.length <= maxLength && w.inputIds[0] === 0 && w.inputIds.at(-1) === 2);
        // a chunk starts at a word's first sub-token: no word is split between chunks
        if (w.wordIds.length > 2) assert.ok(w.isFirst[1]);
      }
    }), { numRuns: RUNS * 5 });
});

t("512 tokens with <s></s> hold 510 sub-words; a longer document continues in the next chunk, no tail dropped", () => {
  const words = Array.from({ length: 300 }, () => "abcd"); // 2 sub-words each: 600 in all
  const windows = encodeDocument(doc(words), fake, { maxLength: 512, chunking: "reference" });
  assert.equal(windows.map((w) => w.inputIds.length), [512, 92]);
  assert.is(windows.flatMap((w) => w.wordIds.filter((id) => id !== null)).length, 600);
});

t.run();
