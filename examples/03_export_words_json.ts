// Writes the OCR words of a FUNSD form as the words.json `aetnet predict` reads: text + segment box in pixels.
// Run: npx tsx examples/03_export_words_json.ts ../shared/data/funsd/testing_data/annotations/82092117.json words.json
import { writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { loadFunsdDocument } from "../src/data/funsd.ts";
import { toPixels } from "../src/train/page_svg.ts";

const [annotation, out = "words.json"] = process.argv.slice(2);
if (annotation === undefined) {
  console.error("usage: npx tsx examples/03_export_words_json.ts <funsd annotation .json> [words.json]");
  process.exit(2);
}
const image = join(dirname(annotation), "..", "images", `${basename(annotation, ".json")}.png`);
const doc = loadFunsdDocument(annotation, image); // segment boxes, as training uses
writeFileSync(out, JSON.stringify(doc.words.map((text, i) => ({ text, box: toPixels(doc.boxes[i], doc.width, doc.height) }))));
console.log(`${doc.words.length} words of ${doc.id} → ${out}; page image: ${image}`);
