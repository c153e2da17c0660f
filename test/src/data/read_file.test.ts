// Files and folders of the wrong kind: a folder where a file is expected (and the reverse) is a DataError or
// TokenizerError naming it, never a raw EISDIR/ENOTDIR from node:fs.
import { mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DataError, image, loadCord, loadFunsd, loadRvlCdipFolders, loadRvlCdipLabelFile } from "../../../src/data/index.ts";
import { TokenizerError } from "../../../src/data/tokenizer/bpe.ts";
import { loadVocabMerges } from "../../../src/data/tokenizer/files.ts";
import { pngBytes, tempDir, writeFile } from "./fixtures.ts";

const t = suite("files and folders of the wrong kind");
const root = tempDir("wrong-kind");

t("a folder where a file is expected", () => {
  mkdirSync(join(root, "images/a"), { recursive: true });
  writeFile(join(root, "labels.txt"), "a 0\n");
  assert.throws(() => loadRvlCdipLabelFile(join(root, "labels.txt"), join(root, "images")), (e: unknown) => e instanceof DataError && /images\/a: image file is a folder/.test(e.message));
  assert.throws(() => image.decodeImage(join(root, "images")), (e: unknown) => e instanceof DataError && /image file is a folder/.test(e.message));
  assert.throws(() => loadVocabMerges(join(root, "images"), join(root, "labels.txt")), (e: unknown) => e instanceof TokenizerError && /images: cannot read \(EISDIR\)/.test(e.message));
});

t("a file where a folder is expected", () => {
  writeFile(join(root, "funsd/training_data/annotations"), "not a folder");
  assert.throws(() => loadFunsd(join(root, "funsd"), "train"), (e: unknown) => e instanceof DataError && /annotations: annotation folder is a file/.test(e.message));
  writeFile(join(root, "cord/train/json"), "not a folder");
  assert.throws(() => loadCord(join(root, "cord"), "train"), (e: unknown) => e instanceof DataError && /json: annotation folder is a file/.test(e.message));
  assert.throws(() => loadFunsd(join(root, "nowhere"), "train"), (e: unknown) => e instanceof DataError && /annotation folder is missing/.test(e.message));
});

t("class folders: a broken link beside them is not a class", () => {
  writeFile(join(root, "classes/memo/m.png"), pngBytes(4, 4));
  symlinkSync(join(root, "gone"), join(root, "classes/dangling"));
  assert.equal(loadRvlCdipFolders(join(root, "classes")).classes, ["memo"]);
});

t.run();
