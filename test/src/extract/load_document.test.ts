// loadDocument given the file's bytes (as a queue worker has them after its hash check) reads the same pages as from
// the file, and does not read the file again: here the path names no file at all.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { documentKind, loadDocument, type LoadedDocument } from "../../../src/extract/load_document.ts";
import type { PixelBox } from "../../../src/extract/result.ts";
import { pngBytes } from "../data/fixtures.ts";
import { syntheticPdf } from "../queue/documents.ts";

const t = suite("loadDocument from bytes");
let dir = "";
t.before(() => { dir = mkdtempSync(join(tmpdir(), "aetnet-load-bytes-")); });
t.after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

const summary = (d: LoadedDocument) =>
  d.pages.map((p) => ({ page: p.page, source: p.source, words: p.words, size: [p.image.width, p.image.height] }));

t("a PDF (text layer) and an image (words given) give the same pages from bytes, without the file", async () => {
  const pdf = await syntheticPdf(0), png = pngBytes(40, 30);
  const box: PixelBox = [2, 2, 20, 10];
  const words = [{ text: "Total", box, segment: box }];
  for (const [name, bytes, options] of [["form.pdf", pdf, {}], ["page.png", png, { words }]] as const) {
    const onDisk = join(dir, name), nowhere = join(dir, "missing", name);
    writeFileSync(onDisk, bytes);
    const fromFile = await loadDocument(onDisk, options);
    const fromBytes = await loadDocument(nowhere, { ...options, bytes });
    assert.ok(fromFile.pages.length > 0 && fromFile.pages[0].words.length > 0, name);
    assert.equal(summary(fromBytes), summary(fromFile), name);
    assert.is(fromBytes.path, nowhere);
  }
});

t("documentKind: by extension, else by the given bytes' first bytes", async () => {
  assert.is(documentKind(join(dir, "missing", "scan"), await syntheticPdf(1)), "pdf");
  assert.is(documentKind(join(dir, "missing", "scan"), pngBytes(2, 2)), "image");
  assert.is(documentKind(join(dir, "missing", "notes"), new TextEncoder().encode("hello")), null);
  assert.is(documentKind(join(dir, "missing", "notes")), null);
});

t.run();
