// `aetnet train`: fine-tune AETNet (or the --no-align fusion baseline) on FUNSD, SROIE, CORD, synthetic forms
// (entity labelling) or RVL-CDIP-style document classes.
import { join } from "node:path";
import { presets, withOverrides, type AETNetConfig, type PresetName } from "../config.ts";
import { CHUNKINGS, type Chunking } from "../data/encode.ts";
import { trainBpe } from "../data/tokenizer/train_bpe.ts";
import { prepareDocs } from "../train/batches.ts";
import { openResumeCheckpoint, tokenizerFromState } from "../train/checkpoint.ts";
import { bestScore } from "../train/run_types.ts";
import { Trainer, defaultSettings, BEST_DIR, LAST_DIR } from "../train/trainer.ts";
import { choice, num, parse, str, UsageError } from "./args.ts";
import { DEFAULT_CACHE_DIR, prepareOptions } from "./prepare_options.ts";
import { loadTask, TASKS, type TaskName } from "./tasks.ts";

export const TRAIN_HELP = `aetnet train — fine-tune AETNet (entity labelling or document classes) and evaluate it every epoch

Usage: aetnet train [--task funsd|sroie|cord|rvlcdip|synthetic] [--config cpu|tiny|small|base] [options]

Options:
  --task NAME        funsd (default), sroie, cord: a label per word, scored by entity F1 (seqeval);
                     rvlcdip: one class per document, scored by document accuracy;
                     synthetic: generated forms, no download (entity F1)
  --config NAME      model preset: cpu (default; sized for CPU runs), tiny, small, base
  --data DIR         dataset folder (default: $AETNET_DATA/<task> or ../shared/data/<task>); layouts below
  --epochs N         epochs over the training windows (default 5)
  --batch-size N     windows per step; must divide the config's queue size (default 4)
  --lr X             peak learning rate of the linear warmup + decay (default 5e-4)
  --max-length N     tokens per window including <s> and </s> (default 256; 512 with --config base; at most
                     what the preset's position table holds: 128 with --config tiny);
                     rvlcdip keeps the first window only
  --chunking MODE    how a long document is cut into windows: overlap (default: windows sharing 32 tokens,
                     predictions merged) or reference (as the official preprocessing: consecutive chunks of
                     whole words, up to max-length - 2 sub-words each, no overlap; default with --config base)
  --seed N           weights, dropout, shuffling and augmentation seed (default 42)
  --no-align         the fusion-only baseline: no alignment encoders and no alignment losses
  --out DIR          run folder (default runs/<task>-<config>[-noalign]-s<seed>). A folder already holding a
                     run's checkpoint is refused without --resume: its log.jsonl and best/ are never overwritten
  --resume           continue from <out>/checkpoints/last with the tokenizer saved there (never retrained);
                     refused, with the reason, when there is no checkpoint or when the data files, tokenizer,
                     options or model config differ from the checkpoint's
  --force            with --resume: continue even though the data or options differ (the reason is printed)
  --max-bad-steps N  stop after N steps in a row with a NaN/Inf loss or gradient norm (default 5); such steps
                     are skipped (no update) and counted in the log
  --save-every N     also checkpoint every N steps (default: epoch ends only)
  --train-docs N     use only the first N training documents
  --eval-docs N      use only the first N held-out documents
  --cache DIR        shrunk-page cache folder (default runs/.page-cache)
  -h, --help         this text

Data layouts (--data DIR):
  funsd     DIR/training_data/{annotations,images}/, DIR/testing_data/...   (the FUNSD release)
  sroie     DIR/{train,test}.txt (document names), DIR/images/NAME.jpg, DIR/box/NAME.csv, DIR/labels/NAME.tsv
  cord      DIR/{train,test}/json/NAME.json + DIR/{train,test}/image/NAME.png|jpg   (clovaai CORD v2;
            held out: test/, or dev/ when there is no test/); loss weights 0.8 / 1.2 / 0.4 as the official script
  rvlcdip   either label files: DIR/train.txt, DIR/test.txt, lines "relative/path.png label" (paths relative to
            DIR; label a 0-based class id, or a class name without spaces), class names in id order in
            DIR/classes.txt (optional; default the 16 RVL-CDIP classes, ids 0-15);
            or class folders: DIR/train/<class>/*.png|jpg and DIR/test/<class>/... (classes: sorted folder names)
            Images are PNG or JPEG (convert RVL-CDIP's TIFFs). There is no OCR: words come from an optional
            NAME.ocr.json beside each image ({"words": [...], "boxes": [[x0,y0,x1,y1] pixels]}); without it the
            text side is just <s></s> and the class is learnt from the page image. Loss: the class's
            cross-entropy plus the alignment losses, 1 : 1 : 1 (the official RVL-CDIP script trains the class alone).

Writes <out>/log.jsonl, <out>/plot.svg, <out>/checkpoints/{last,best}/{model.safetensors,state.json};
best is the epoch with the best held-out entity F1 (rvlcdip: document accuracy). Each checkpoint is a complete
folder switched in atomically (last and best point at last.vN/ and best.vN/; the previous version is kept): a
crash or kill at any moment leaves the last completed checkpoint, which --resume continues from.`;

const OPTIONS = {
  task: { type: "string" }, config: { type: "string" }, data: { type: "string" }, epochs: { type: "string" },
  "batch-size": { type: "string" }, lr: { type: "string" }, "max-length": { type: "string" }, seed: { type: "string" },
  "no-align": { type: "boolean" }, out: { type: "string" }, resume: { type: "boolean" }, "save-every": { type: "string" },
  "train-docs": { type: "string" }, "eval-docs": { type: "string" }, cache: { type: "string" }, quiet: { type: "boolean" },
  chunking: { type: "string" }, force: { type: "boolean" }, "max-bad-steps": { type: "string" },
} as const;

/** The last held-out score: entity F1 (token tasks) or document accuracy (rvlcdip); null for the other kind or no eval. */
export interface TrainRun { f1: number | null; documentAccuracy: number | null; outDir: string; seconds: number }

export function trainCommand(argv: readonly string[]): TrainRun | null {
  const p = parse(argv, OPTIONS, TRAIN_HELP);
  if (p.help) { console.log(TRAIN_HELP); return null; }
  const task = choice<TaskName>(p, "task", TRAIN_HELP, TASKS, "funsd");
  const preset = choice<PresetName>(p, "config", TRAIN_HELP, ["cpu", "tiny", "small", "base"], "cpu");
  const align = p.values["no-align"] !== true;
  const config: AETNetConfig = withOverrides(presets[preset], { align });
  const faithful = preset === "base"; // the paper's sizes: the official 512-token chunks by default
  // The default never asks for more positions than the preset has (tiny's table holds 128 tokens).
  const maxPositions = config.maxPositions - config.padTokenId - 1;
  const defaultLength = Math.min(faithful ? 512 : 256, maxPositions);
  const maxLength = num(p, "max-length", TRAIN_HELP, defaultLength, { min: 8, max: maxPositions, integer: true });
  const chunking = choice<Chunking>(p, "chunking", TRAIN_HELP, CHUNKINGS, faithful ? "reference" : "overlap");
  const settingsOverrides = {
    epochs: num(p, "epochs", TRAIN_HELP, 5, { min: 1, integer: true }),
    batchSize: num(p, "batch-size", TRAIN_HELP, 4, { min: 1, integer: true }),
    lr: num(p, "lr", TRAIN_HELP, 5e-4, { min: 0 }),
    seed: num(p, "seed", TRAIN_HELP, 42, { min: 0, integer: true }),
    maxLength, chunking, stride: chunking === "reference" ? 0 : Math.min(32, Math.floor(maxLength / 4)),
  };
  const maxBadSteps = num(p, "max-bad-steps", TRAIN_HELP, 5, { min: 1, integer: true });
  const resume = p.values.resume === true;
  if (p.values.force === true && !resume) throw new UsageError("--force only applies with --resume", TRAIN_HELP);
  const trainDocs = p.values["train-docs"] === undefined ? undefined : num(p, "train-docs", TRAIN_HELP, 0, { min: 1, integer: true });
  const evalDocs = p.values["eval-docs"] === undefined ? undefined : num(p, "eval-docs", TRAIN_HELP, 0, { min: 0, integer: true });
  const saveEvery = num(p, "save-every", TRAIN_HELP, 0, { min: 0, integer: true });
  const outDir = str(p, "out", TRAIN_HELP) ?? join("runs", `${task}-${preset}${align ? "" : "-noalign"}-s${settingsOverrides.seed}`);
  // a resume without a checkpoint fails before any data is read
  const resumed = resume ? openResumeCheckpoint(join(outDir, LAST_DIR)) : null;
  const t0 = performance.now();
  const data = loadTask(task, { dataDir: str(p, "data", TRAIN_HELP), trainDocs, evalDocs });
  const settings = defaultSettings(task, data.labels, { ...settingsOverrides, kind: data.kind, ...(data.lossWeights ? { lossWeights: data.lossWeights } : {}) });
  if (config.align && config.queueSize % settings.batchSize !== 0) throw new UsageError(`--batch-size ${settings.batchSize} must divide the ${preset} queue size ${config.queueSize}`, TRAIN_HELP);
  console.log(`task ${task}: ${data.train.length} training and ${data.eval.length} held-out documents from ${data.source}`);
  console.log(`model ${preset}${align ? " (full AETNet)" : " (fusion only, --no-align)"}; ${settings.epochs} epochs, batch ${settings.batchSize}, ${chunking === "reference" ? "chunks" : "windows"} of ${maxLength} tokens, seed ${settings.seed}`);
  // a resumed run keeps the tokenizer it was trained with: retraining on changed data would remap token ids
  const tokenizer = resumed !== null ? tokenizerFromState(resumed.state.tokenizer) : trainBpe(data.train.flatMap((d) => d.words), { vocabSize: config.vocabSize });
  const prep = prepareOptions(settings, config, tokenizer, { pageOf: data.pageOf, cacheDir: str(p, "cache", TRAIN_HELP) ?? DEFAULT_CACHE_DIR, skipBad: true });
  const train = prepareDocs(data.train, prep), held = prepareDocs(data.eval, prep);
  console.log(`prepared ${train.reduce((n, d) => n + d.windows.length, 0)} training windows (tokenizer: ${tokenizer.vocabSize} BPE tokens ${resume ? "saved in the checkpoint" : "trained on the training words"}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const trainer = new Trainer({ config, settings, tokenizer, train, eval: held, outDir, resume, force: p.values.force === true, maxBadSteps, saveEvery, progress: p.values.quiet ? null : process.stderr });
  const result = trainer.fit();
  const seconds = (performance.now() - t0) / 1000;
  const last = result.lastEval === null ? undefined : result.evals.at(-1);
  const [f1, documentAccuracy] = [last?.f1 ?? null, last?.documentAccuracy ?? null];
  const metric = f1 !== null ? "entity F1" : "document accuracy";
  const [final, best] = [f1 ?? documentAccuracy, result.best === null ? null : bestScore(result.best)];
  if (final !== null) console.log(`final ${metric} on ${held.length} held-out ${task} documents: ${final.toFixed(4)} (best ${best?.toFixed(4)} at epoch ${result.best?.epoch}); ${seconds.toFixed(0)} s wall; best checkpoint in ${join(outDir, BEST_DIR)}`);
  return { f1, documentAccuracy, outDir, seconds };
}
