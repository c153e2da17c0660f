// The demo model the browser page can build: the same seed gives the same weights and tokenizer, another seed
// other weights, and it runs the whole path from words to entities.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { demoEntityModel } from "../../../src/extract/demo_model.ts";
import { extractEntities } from "../../../src/extract/extract_entities.ts";
import { syntheticForm } from "../../../src/data/synthetic_forms.ts";
import { toPixels } from "../../../src/train/page_svg.ts";

const t = suite("extract: demo model");

const weights = (seed: number): number[] => {
  const state = demoEntityModel(seed).model.stateDict();
  const firstValues = (k: string): number[] =>
    Array.from(state[k].contiguous().storage.slice(0, 4) as ArrayLike<number>);
  return Object.keys(state).sort().flatMap(firstValues);
};

t("seeded: the same seed gives the same model, another seed another one", () => {
  assert.equal(weights(0), weights(0));
  assert.not.equal(weights(0), weights(1));
  const m = demoEntityModel(0);
  assert.equal(m.labels, ["O", "B-HEADER", "I-HEADER", "B-QUESTION", "I-QUESTION", "B-ANSWER", "I-ANSWER"]);
  assert.is(m.model.training, false);
});

t("runs a page: entities made of the page's words", () => {
  const { doc, image } = syntheticForm(0, 5);
  const words = doc.words.map((text, i) => {
    const box = toPixels(doc.boxes[i], doc.width, doc.height) as [number, number, number, number];
    return { text, box, segment: box };
  });
  const document = { path: "form", pages: [{ page: 1, image, words, source: "given" as const }], loadMs: 0 };
  const result = extractEntities(demoEntityModel(0), document);
  assert.ok(result.entities.length > 0);
  for (const e of result.entities) assert.ok(e.words.every((w) => w >= 0 && w < words.length) && e.text.length > 0);
});

t.run();
