// relativePositionBucket reads distances within its table's reach from a table and computes the rest: both
// ways agree across the table's edge (the PyTorch goldens cover -1100..1100 in layoutlmv3_golden.test.ts).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor } from "../../../engine/index.ts";
import { relativePositionBucket } from "../../../src/models/relative_position.ts";

const t = suite("relativePositionBucket table");

t("distances across the table's edge (±4096) and far past it land in the last bucket of their half", () => {
  const far = [4000, 4095, 4096, 4097, 5000, 1_000_000];
  const rel = tensor(Int32Array.from([...far, ...far.map((v) => -v)]), [2 * far.length]);
  for (const [buckets, max] of [[32, 128], [64, 256], [32, 1_000_000]] as const) {
    const got = Array.from(relativePositionBucket(rel, true, buckets, max).storage);
    if (max === 1_000_000) {
      // Not saturated: buckets must not decrease with distance on either side of the edge.
      for (let i = 1; i < far.length; i++) assert.ok(got[i] >= got[i - 1] && got[far.length + i] >= got[far.length + i - 1], `${got}`);
    } else {
      assert.equal(got, [...far.map(() => buckets - 1), ...far.map(() => buckets / 2 - 1)]);
    }
  }
});

t.run();
