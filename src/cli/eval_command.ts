// `aetnet eval`: entity precision / recall / F1 (seqeval) and word accuracy of a checkpoint on a dataset split.
import { labelMaps } from "../data/document.ts";
import { prepareDocs } from "../train/batches.ts";
import { evaluate } from "../train/evaluate.ts";
import { join } from "node:path";
import { choice, num, parse, str } from "./args.ts";
import { openCheckpoint } from "./checkpoint_model.ts";
import { loadTask, TASKS, type TaskName } from "./tasks.ts";

export const EVAL_HELP = `aetnet eval — score a trained checkpoint on a dataset split

Usage: aetnet eval --checkpoint DIR [--data DIR] [--split test|train] [--json]

Options:
  --checkpoint DIR   a run folder (uses checkpoints/best) or a checkpoint folder holding state.json
  --data DIR         dataset folder (default: the task's default folder)
  --split NAME       test (default) or train
  --eval-docs N      score only the first N documents
  --json             print the full report as JSON
  -h, --help         this text`;

const OPTIONS = { checkpoint: { type: "string" }, data: { type: "string" }, split: { type: "string" }, "eval-docs": { type: "string" }, json: { type: "boolean" } } as const;

export function evalCommand(argv: readonly string[]): number | null {
  const p = parse(argv, OPTIONS, EVAL_HELP);
  if (p.help) { console.log(EVAL_HELP); return null; }
  const path = str(p, "checkpoint", EVAL_HELP, true);
  const split = choice<"test" | "train">(p, "split", EVAL_HELP, ["test", "train"], "test");
  const limit = p.values["eval-docs"] === undefined ? undefined : num(p, "eval-docs", EVAL_HELP, 0, { min: 1, integer: true });
  const { dir, state, model, tokenizer } = openCheckpoint(path);
  const task = choice<TaskName>({ values: { task: state.settings.task }, help: false }, "task", EVAL_HELP, TASKS, "funsd");
  const data = loadTask(task, { dataDir: str(p, "data", EVAL_HELP), split, trainDocs: limit, evalDocs: limit });
  const docs = split === "test" ? data.eval : data.train;
  const prepared = prepareDocs(docs, { tokenizer, labelToId: labelMaps(state.settings.labels).labelToId, imageSize: state.config.imageSize, maxLength: state.settings.maxLength, stride: state.settings.stride, pageOf: data.pageOf, cacheDir: join("runs", ".page-cache") });
  const result = evaluate(model, prepared, state.settings.labels, state.settings.batchSize);
  const r = result.report;
  if (p.values.json) {
    console.log(JSON.stringify({ checkpoint: dir, task, split, documents: docs.length, precision: r.precision, recall: r.recall, f1: r.f1, accuracy: r.accuracy, perType: r.perType }, null, 2));
  } else {
    console.log(`checkpoint ${dir} (step ${state.step}), ${task} ${split} split, ${docs.length} documents`);
    console.log(`${"type".padEnd(10)} ${"precision".padStart(9)} ${"recall".padStart(9)} ${"f1".padStart(9)} ${"support".padStart(8)}`);
    for (const [type, s] of Object.entries(r.perType)) console.log(`${type.padEnd(10)} ${s.precision.toFixed(4).padStart(9)} ${s.recall.toFixed(4).padStart(9)} ${s.f1.toFixed(4).padStart(9)} ${String(s.support).padStart(8)}`);
    console.log(`${"micro".padEnd(10)} ${r.precision.toFixed(4).padStart(9)} ${r.recall.toFixed(4).padStart(9)} ${r.f1.toFixed(4).padStart(9)} ${String(r.trueEntities).padStart(8)}`);
    console.log(`entity F1 ${r.f1.toFixed(4)}, word accuracy ${r.accuracy.toFixed(4)}`);
  }
  return r.f1;
}
