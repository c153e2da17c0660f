// CORD as the official preprocessing reads it: boxes off the page or negative are clamped and the receipt kept
// (it used to be dropped from train and test), and the page size is the image's real size, not meta.image_size.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { loadCord } from "../../../src/data/index.ts";
import { cordQuad, cordReceipt, pngBytes, tempDir, writeFile } from "./fixtures.ts";

const t = suite("cord fidelity");

t("a negative or off-page quad is clamped onto the page and the receipt kept", () => {
  const root = tempDir("cord-clamp");
  const receipt = cordReceipt();
  receipt.valid_line[0].words[0].quad = cordQuad(-6, -3, 40, 20); // test 87 in CORD: negative corner
  receipt.valid_line[2].words[0].quad = cordQuad(150, 300, 230, 420); // past the 200×400 page
  writeFile(join(root, "train/json/r.json"), JSON.stringify(receipt));
  writeFile(join(root, "train/image/r.png"), pngBytes(200, 400));
  const { docs, skipped } = loadCord(root, "train", { skipBad: true, onSkip: () => {} });
  assert.equal(skipped, []);
  assert.is(docs.length, 1);
  assert.equal(docs[0].boxes[0], [0, 0, 400, 55]); // union of clamped [0,0,40,20] and [50,12,80,22]
  assert.equal(docs[0].boxes[3], [750, 750, 1000, 1000]);
});

t("the page size comes from the image, as the official code's Image.open(...).size", () => {
  const root = tempDir("cord-size");
  const receipt = cordReceipt(); // meta.image_size says 200×400
  writeFile(join(root, "train/json/r.json"), JSON.stringify(receipt));
  writeFile(join(root, "train/image/r.png"), pngBytes(400, 800)); // the real scan is twice that
  const [d] = loadCord(root, "train").docs;
  assert.equal([d.width, d.height], [400, 800]);
  assert.equal(d.boxes[3], [375, 375, 475, 400]); // [150,300,190,320] on 400×800
});

t.run();
