// The JSON type guards shared by the dataset loaders, the HF config reader, state.json checks and tokenizer files;
// the module must stay free of imports so browser-side readers can use it without pulling in file reading.
import { join } from "node:path";
import * as esbuild from "esbuild";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { isNumberArray, isRecord } from "../../../src/data/json_value.ts";

const t = suite("json_value");
const MODULE = join(import.meta.dirname, "../../../src/data/json_value.ts");

t("isRecord: plain objects only (not null, arrays or primitives)", () => {
  for (const v of [{}, { a: 1 }, Object.create(null), JSON.parse('{"x": [1]}')]) {
    assert.ok(isRecord(v), JSON.stringify(v));
  }
  for (const v of [null, undefined, [], [1, 2], "x", 3, true]) assert.not.ok(isRecord(v), JSON.stringify(v));
});

t("isNumberArray: exactly `length` finite numbers", () => {
  assert.ok(isNumberArray([0, 1.5, -2, 3], 4));
  assert.ok(isNumberArray([], 0));
  assert.not.ok(isNumberArray([0, 1, 2], 4), "too short");
  assert.not.ok(isNumberArray([0, 1, 2, 3, 4], 4), "too long");
  assert.not.ok(isNumberArray([0, NaN, 2, 3], 4), "NaN");
  assert.not.ok(isNumberArray([0, Infinity, 2, 3], 4), "Infinity");
  assert.not.ok(isNumberArray([0, "1", 2, 3], 4), "a string");
  assert.not.ok(isNumberArray({ length: 4 }, 4), "not an array");
});

t("the module imports nothing (bundled alone it is one input)", async () => {
  const { metafile } = await esbuild.build({
    entryPoints: [MODULE], bundle: true, write: false, metafile: true, platform: "browser", logLevel: "silent",
  });
  assert.equal(Object.keys(metafile.inputs).length, 1, Object.keys(metafile.inputs).join(", "));
});

t.run();
