// The datasets the CLI trains on: FUNSD and SROIE from disk, or synthetic forms generated in memory.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Document } from "../data/document.ts";
import { FUNSD_LABELS, loadFunsd } from "../data/funsd.ts";
import { SROIE_LABELS, loadSroie } from "../data/sroie.ts";
import { dataRoot } from "../data/paths.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";
import { SYNTHETIC_LABELS, syntheticForms } from "../data/synthetic_forms.ts";

export const TASKS = ["funsd", "sroie", "synthetic"] as const;
export type TaskName = (typeof TASKS)[number];

export interface TaskData {
  task: TaskName;
  labels: readonly string[];
  train: Document[];
  eval: Document[];
  /** Where the data came from, for logs. */
  source: string;
  /** Pages held in memory (synthetic forms). */
  pageOf?: (doc: Document) => RgbImage | undefined;
}

/** A missing or unusable dataset folder: main prints the message without a stack trace and exits with status 1. */
export class MissingDataError extends Error {
  constructor(message: string) { super(message); this.name = "MissingDataError"; }
}

/** The default folder of a task's data: $AETNET_DATA/<task> or ../shared/data/<task>. */
export const defaultDataDir = (task: "funsd" | "sroie"): string => join(dataRoot(), task);

function checkDir(task: string, dir: string, marker: string): void {
  if (!existsSync(join(dir, marker))) {
    throw new MissingDataError(`${task} data not found: ${resolve(dir, marker)} does not exist. Pass --data DIR (the folder holding ${marker}), set AETNET_DATA to the folder holding ${task.toLowerCase()}/, or try --task synthetic, which needs no download.`);
  }
}

export interface LoadTaskOptions { dataDir?: string; split?: "train" | "test" | "both"; trainDocs?: number; evalDocs?: number; syntheticSeed?: number }

/** Train split and held-out split (FUNSD and SROIE: their test splits; synthetic: forms from another seed). */
export function loadTask(task: TaskName, options: LoadTaskOptions = {}): TaskData {
  const split = options.split ?? "both";
  const cut = (docs: Document[], n: number | undefined): Document[] => (n === undefined ? docs : docs.slice(0, n));
  const pick = (load: (s: "train" | "test") => Document[]): [Document[], Document[]] => [
    split === "test" ? [] : cut(load("train"), options.trainDocs),
    split === "train" ? [] : cut(load("test"), options.evalDocs),
  ];
  switch (task) {
    case "funsd": {
      const dir = options.dataDir ?? defaultDataDir("funsd");
      checkDir("FUNSD", dir, "training_data");
      const [train, evalDocs] = pick((s) => loadFunsd(dir, s, { skipBad: true }).docs);
      return { task, labels: FUNSD_LABELS, train, eval: evalDocs, source: resolve(dir) };
    }
    case "sroie": {
      const dir = options.dataDir ?? defaultDataDir("sroie");
      checkDir("SROIE", dir, "train.txt");
      const [train, evalDocs] = pick((s) => loadSroie(dir, s, { skipBad: true }).docs);
      return { task, labels: SROIE_LABELS, train, eval: evalDocs, source: resolve(dir) };
    }
    case "synthetic": {
      const seed = options.syntheticSeed ?? 1;
      const train = split === "test" ? [] : syntheticForms(options.trainDocs ?? 64, seed);
      const held = split === "train" ? [] : syntheticForms(options.evalDocs ?? 16, seed + 1_000_000);
      const pages = new Map([...train, ...held].map((f) => [f.doc, f.image] as const));
      return { task, labels: SYNTHETIC_LABELS, train: train.map((f) => f.doc), eval: held.map((f) => f.doc), source: `synthetic forms (seed ${seed})`, pageOf: (d) => pages.get(d) };
    }
    default: return task satisfies never;
  }
}
