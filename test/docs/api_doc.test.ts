// docs/API.md is generated from the shipped declarations: it must be current, and every exported name of
// `aetnet/engine`, `aetnet/engine/testing` and `aetnet` must have a doc comment.
import { readFileSync, rmSync } from "node:fs";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { API_MD, emitDeclarations, publicEntries, render } from "../../scripts/api_doc.ts";

const t = suite("API reference");
let dts = "";
t.before(() => { dts = emitDeclarations(); });
t.after(() => { if (dts) rmSync(dts, { recursive: true, force: true }); });

t("every exported name has a doc comment", () => {
  const missing = publicEntries(dts).filter(({ entry }) => !/\S/.test(entry.doc.replace(/[/*\s]/g, "")))
    .map(({ module, entry }) => `${module} ${entry.name}`);
  assert.equal(missing, [], "exported without a doc comment");
});

t("docs/API.md is current (regenerate: npx tsx scripts/api_doc.ts)", () => {
  assert.ok(readFileSync(API_MD, "utf8") === render(dts), "docs/API.md is stale: run npx tsx scripts/api_doc.ts");
});

t.run();
