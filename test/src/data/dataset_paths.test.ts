// Names read from a dataset's list files stay inside the dataset folder: a SROIE split file or an RVL-CDIP label
// file naming ../../../../etc/hostname (or an absolute path, or a NUL byte) is a DataError naming the list file,
// and nothing outside is read.
import { join, relative } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { DataError, loadRvlCdipLabelFile, loadSroie, loadSroieDocument } from "../../../src/data/index.ts";
import { jpegBytes, pngBytes, tempDir, writeFile } from "./fixtures.ts";

const t = suite("dataset paths stay in the dataset folder");
const refused = (file: string) => (e: unknown) => e instanceof DataError && e.message.includes(file) && /not a (receipt name|path inside)/.test(e.message);

t("SROIE: a split-file name with a folder in it is refused, with or without skipBad", () => {
  const root = tempDir("sroie-paths");
  writeFile(join(root, "images/000.jpg"), jpegBytes(8, 8, () => [1, 1, 1]));
  // The escape target exists, so only the check stands between the loader and the file.
  const outside = tempDir("sroie-outside");
  writeFile(join(outside, "x.csv"), "1,1,2,1,2,2,1,2,hello\n");
  for (const name of ["../../../../etc/hostname", relative(join(root, "box"), join(outside, "x")), "/etc/hostname", "a\\b", "a\0b"]) {
    writeFile(join(root, "train.txt"), `000\n${name}\n`);
    assert.throws(() => loadSroie(root, "train"), refused("train.txt"), name);
    assert.throws(() => loadSroie(root, "train", { skipBad: true, onSkip: () => {} }), refused("train.txt"), name);
    assert.throws(() => loadSroieDocument(root, name), refused(root), name);
  }
});

t("RVL-CDIP: a label-file path that leaves the image folder is refused", () => {
  const root = tempDir("rvl-paths");
  writeFile(join(root, "images/a/1.png"), pngBytes(4, 4));
  writeFile(join(root, "outside.png"), pngBytes(4, 4));
  for (const path of ["../outside.png", "a/../../outside.png", join(root, "outside.png"), "../../../../etc/hostname", "a/1\0.png"]) {
    writeFile(join(root, "labels.txt"), `a/1.png 0\n${path} 1\n`);
    assert.throws(() => loadRvlCdipLabelFile(join(root, "labels.txt"), join(root, "images")), refused("labels.txt"), path);
  }
  writeFile(join(root, "labels.txt"), "a/1.png 0\n./a/../a/1.png 1\n"); // dot segments that stay inside are fine
  assert.is(loadRvlCdipLabelFile(join(root, "labels.txt"), join(root, "images")).docs.length, 2);
});

t.run();
