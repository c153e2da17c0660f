// Fine-tunes a tiny AETNet on synthetic forms through the library API (no CLI), then labels a held-out form.
// Run: npx tsx examples/03_finetune_synthetic_forms.ts   (about a minute on a laptop CPU)
import { tiny } from "../src/config.ts";
import { labelMaps } from "../src/data/document.ts";
import { SYNTHETIC_LABELS, syntheticForms } from "../src/data/synthetic_forms.ts";
import { trainBpe } from "../src/data/tokenizer/train_bpe.ts";
import { prepareDocs } from "../src/train/batches.ts";
import { predictDocs } from "../src/train/evaluate.ts";
import { Trainer, defaultSettings } from "../src/train/trainer.ts";

const train = syntheticForms(24, 1), held = syntheticForms(8, 2);
const tokenizer = trainBpe(train.flatMap((f) => f.doc.words), { vocabSize: tiny.vocabSize });
const pages = new Map([...train, ...held].map((f) => [f.doc, f.image] as const));
const settings = defaultSettings("synthetic", SYNTHETIC_LABELS, { epochs: 3, batchSize: 4, maxLength: 128, lr: 1e-3 });
const prep = { tokenizer, labelToId: labelMaps(SYNTHETIC_LABELS).labelToId, imageSize: tiny.imageSize, maxLength: settings.maxLength, stride: settings.stride, pageOf: (d: (typeof train)[number]["doc"]) => pages.get(d) };
const trainer = new Trainer({ config: tiny, settings, tokenizer, train: prepareDocs(train.map((f) => f.doc), prep), eval: prepareDocs(held.map((f) => f.doc), prep) });
const result = trainer.fit();
console.log(`best entity F1 ${result.best?.f1?.toFixed(4)} after ${result.steps.length} steps (${result.seconds.toFixed(0)} s)`);

const [first] = prepareDocs([held[0].doc], prep);
const tags = predictDocs(result.model, [first], 4)[0].map((id) => SYNTHETIC_LABELS[id]);
held[0].doc.words.slice(0, 12).forEach((w, i) => console.log(`${w.padEnd(14)} gold ${held[0].doc.labels![i].padEnd(11)} predicted ${tags[i]}`));
