import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor } from "../../../engine/index.ts";
import { FeatureQueue } from "../../../src/alignment/feature_queue.ts";

const t = suite("feature_queue");
const feats = (b: number, d: number, start: number) => tensor(Float32Array.from({ length: b * d }, (_, i) => start + i), [b, d]);

t("columns start at unit length", () => {
  const q = new FeatureQueue(8, 12);
  assert.equal(q.image.shape, [8, 12]);
  for (let c = 0; c < 12; c++) {
    let s = 0;
    for (let d = 0; d < 8; d++) s += q.text.storage[d * 12 + c] ** 2;
    assert.ok(Math.abs(s - 1) < 1e-5);
  }
});

t("enqueue writes transposed features at [ptr, ptr+B) and the pointer wraps", () => {
  const q = new FeatureQueue(3, 4);
  q.enqueue(feats(2, 3, 0), feats(2, 3, 100));
  assert.is(q.pointer, 2);
  // column 1 of the image queue = row 1 of the batch
  assert.equal([0, 1, 2].map((d) => q.image.storage[d * 4 + 1]), [3, 4, 5]);
  assert.equal([0, 1, 2].map((d) => q.text.storage[d * 4 + 0]), [100, 101, 102]);
  q.enqueue(feats(2, 3, 10), feats(2, 3, 110));
  assert.is(q.pointer, 0);
  assert.equal([0, 1, 2].map((d) => q.image.storage[d * 4 + 3]), [13, 14, 15]);
  q.enqueue(feats(2, 3, 20), feats(2, 3, 120));
  assert.is(q.pointer, 2);
  assert.equal([0, 1, 2].map((d) => q.image.storage[d * 4 + 0]), [20, 21, 22]);
});

t("queue size not a multiple of the batch: clear error", () => {
  const q = new FeatureQueue(3, 5);
  assert.throws(() => q.enqueue(feats(2, 3, 0), feats(2, 3, 0)), /queue size 5 must be a multiple of the batch size 2/);
  assert.throws(() => new FeatureQueue(3, 4).enqueue(feats(2, 2, 0), feats(2, 2, 0)), /must be \[B=2, D=3\]/);
});

t.run();
