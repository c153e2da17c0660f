import { suite } from "uvu";
import * as assert from "uvu/assert";
import { SYNTHETIC_LABELS, syntheticForm, syntheticForms } from "../../../src/data/synthetic_forms.ts";
import { getEntities } from "../../../src/train/seqeval.ts";

const t = suite("synthetic_forms");

t("same seed → identical words, boxes, labels and pixels; another seed → another form", () => {
  const [a, b] = [syntheticForms(3, 9), syntheticForms(3, 9)];
  assert.equal(a.map((f) => f.doc), b.map((f) => f.doc));
  a.forEach((f, i) => assert.ok(Buffer.from(f.image.data.buffer).equals(Buffer.from(b[i].image.data.buffer)), `pixels of form ${i}`));
  assert.not.equal(syntheticForm(0, 10).doc.words, a[0].doc.words);
});

t("every form has a header, question/answer pairs and valid 0–1000 boxes with drawn ink inside them", () => {
  for (const { doc, image } of syntheticForms(20, 4)) {
    assert.is(doc.words.length, doc.boxes.length);
    assert.is(doc.words.length, doc.labels!.length);
    for (const l of doc.labels!) assert.ok(SYNTHETIC_LABELS.includes(l), l);
    const types = getEntities(doc.labels!).map((e) => e.type);
    assert.ok(types.includes("HEADER") && types.includes("QUESTION") && types.includes("ANSWER"), types.join());
    assert.is(types.filter((x) => x === "QUESTION").length, types.filter((x) => x === "ANSWER").length);
    for (const [x0, y0, x1, y1] of doc.boxes) assert.ok(0 <= x0 && x0 <= x1 && x1 <= 1000 && 0 <= y0 && y0 <= y1 && y1 <= 1000);
    // the first word's box holds dark pixels (text was rendered where the OCR box says)
    const [x0, y0, x1, y1] = doc.boxes[0].map((v, i) => Math.floor((v * (i % 2 === 0 ? doc.width : doc.height)) / 1000));
    let dark = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (image.data[y * image.width + x] < 0.5) dark++;
    assert.ok(dark > 0, "no ink in the first box");
  }
});

t.run();
