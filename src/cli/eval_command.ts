// `aetnet eval`: a checkpoint on a dataset split — entity precision / recall / F1 (seqeval) and word accuracy for
// token-labelling checkpoints, document accuracy for classification (rvlcdip) checkpoints.
import { prepareDocs } from "../train/batches.ts";
import type { PreparedDoc } from "../train/run_types.ts";
import { evaluate, evaluateDocuments } from "../train/evaluate.ts";
import type { TrainingState } from "../train/checkpoint.ts";
import type { AETNet } from "../models/aetnet.ts";
import { choice, num, parse, str } from "./args.ts";
import { openCheckpoint } from "./checkpoint_model.ts";
import { DEFAULT_CACHE_DIR, prepareOptions } from "./prepare_options.ts";
import { loadTask, TASKS, type TaskName } from "./tasks.ts";

export const EVAL_HELP = `aetnet eval — score a trained checkpoint on a dataset split

Usage: aetnet eval --checkpoint DIR [--data DIR] [--split test|train] [--json]

The checkpoint says its task: token-labelling tasks (funsd, sroie, cord, synthetic) report per-type and micro
entity precision / recall / F1 and word accuracy; rvlcdip reports document accuracy and per-class counts.

Options:
  --checkpoint DIR   a run folder (uses checkpoints/best) or a checkpoint folder holding state.json
  --data DIR         dataset folder (default: the task's default folder; layouts in "aetnet train --help")
  --split NAME       test (default; CORD: test/, else dev/) or train
  --eval-docs N      score only the first N documents
  --cache DIR        shrunk-page cache folder (default runs/.page-cache)
  --json             print the full report as JSON
  -h, --help         this text`;

const OPTIONS = { checkpoint: { type: "string" }, data: { type: "string" }, split: { type: "string" }, "eval-docs": { type: "string" }, cache: { type: "string" }, json: { type: "boolean" } } as const;

interface Scored { dir: string; state: TrainingState; model: AETNet; docs: PreparedDoc[]; task: TaskName; split: string; json: boolean }

export function evalCommand(argv: readonly string[]): number | null {
  const p = parse(argv, OPTIONS, EVAL_HELP);
  if (p.help) { console.log(EVAL_HELP); return null; }
  const path = str(p, "checkpoint", EVAL_HELP, true);
  const split = choice<"test" | "train">(p, "split", EVAL_HELP, ["test", "train"], "test");
  const limit = p.values["eval-docs"] === undefined ? undefined : num(p, "eval-docs", EVAL_HELP, 0, { min: 1, integer: true });
  const { dir, state, model, tokenizer } = openCheckpoint(path);
  const task = choice<TaskName>({ values: { task: state.settings.task }, help: false }, "task", EVAL_HELP, TASKS, "funsd");
  const kind = state.settings.kind ?? "token";
  const data = loadTask(task, { dataDir: str(p, "data", EVAL_HELP), split, trainDocs: limit, evalDocs: limit, ...(kind === "sequence" ? { classes: state.settings.labels } : {}) });
  const docs = prepareDocs(split === "test" ? data.eval : data.train, prepareOptions(state.settings, state.config, tokenizer, { pageOf: data.pageOf, cacheDir: str(p, "cache", EVAL_HELP) ?? DEFAULT_CACHE_DIR, skipBad: true }));
  const scored: Scored = { dir, state, model, docs, task, split, json: p.values.json === true };
  return kind === "sequence" ? reportDocuments(scored) : reportEntities(scored);
}

function reportEntities({ dir, state, model, docs, task, split, json }: Scored): number {
  const r = evaluate(model, docs, state.settings.labels, state.settings.batchSize).report;
  if (json) {
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

function reportDocuments({ dir, state, model, docs, task, split, json }: Scored): number {
  const r = evaluateDocuments(model, docs, state.settings.labels, state.settings.batchSize);
  const perClass = Object.fromEntries(state.settings.labels.map((c) => {
    const gold = r.gold.flatMap((g, i) => (g === c ? [i] : []));
    return [c, { correct: gold.filter((i) => r.predicted[i] === c).length, support: gold.length, predicted: r.predicted.filter((x) => x === c).length }];
  }));
  if (json) {
    console.log(JSON.stringify({ checkpoint: dir, task, split, documents: docs.length, documentAccuracy: r.accuracy, perClass }, null, 2));
  } else {
    console.log(`checkpoint ${dir} (step ${state.step}), ${task} ${split} split, ${docs.length} documents`);
    console.log(`${"class".padEnd(24)} ${"correct".padStart(8)} ${"support".padStart(8)} ${"predicted".padStart(9)}`);
    for (const [c, s] of Object.entries(perClass)) if (s.support > 0 || s.predicted > 0) console.log(`${c.padEnd(24)} ${String(s.correct).padStart(8)} ${String(s.support).padStart(8)} ${String(s.predicted).padStart(9)}`);
    console.log(`document accuracy ${r.accuracy.toFixed(4)}`);
  }
  return r.accuracy;
}
