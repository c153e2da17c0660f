// The datasets the CLI trains on: FUNSD, SROIE and CORD (entity labelling) and RVL-CDIP-style document classes from
// disk, or synthetic forms generated in memory.
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Document } from "../data/document.ts";
import { CORD_LABELS, loadCord } from "../data/cord.ts";
import { DataError } from "../data/errors.ts";
import { readDataText } from "../data/read_file.ts";
import { FUNSD_LABELS, loadFunsd } from "../data/funsd.ts";
import { RVL_CDIP_CLASSES, loadRvlCdipFolders, loadRvlCdipLabelFile } from "../data/rvl_cdip.ts";
import { SROIE_LABELS, loadSroie } from "../data/sroie.ts";
import { dataRoot } from "../data/paths.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";
import { SYNTHETIC_LABELS, syntheticForms } from "../data/synthetic_forms.ts";
import { CORD_WEIGHTS, type LossWeights } from "../losses/index.ts";
import type { TaskKind } from "../train/run_types.ts";

export const TASKS = ["funsd", "sroie", "cord", "rvlcdip", "synthetic"] as const;
export type TaskName = (typeof TASKS)[number];

export interface TaskData {
  task: TaskName;
  /** "token": a BIO label per word, scored by entity F1; "sequence": one class per document, scored by accuracy. */
  kind: TaskKind;
  /** BIO labels (token tasks) or class names in label-id order (classification). */
  labels: readonly string[];
  train: Document[];
  eval: Document[];
  /** Where the data came from, for logs. */
  source: string;
  /** Pages held in memory (synthetic forms). */
  pageOf?: (doc: Document) => RgbImage | undefined;
  /** task / ita / pita weights when they differ from the default 1 : 1 : 1 (CORD: the official 0.8 / 1.2 / 0.4). */
  lossWeights?: LossWeights;
}

/** A missing or unusable dataset folder: main prints the message without a stack trace and exits with status 1. */
export class MissingDataError extends Error {
  constructor(message: string) { super(message); this.name = "MissingDataError"; }
}

/** The default folder of a task's data: $AETNET_DATA/<task> or ../shared/data/<task>. */
export const defaultDataDir = (task: Exclude<TaskName, "synthetic">): string => join(dataRoot(), task);

function checkDir(task: string, dir: string, marker: string): void {
  if (!existsSync(join(dir, marker))) {
    throw new MissingDataError(`${task} data not found: ${resolve(dir, marker)} does not exist. Pass --data DIR (the folder holding ${marker}), set AETNET_DATA to the folder holding ${task.toLowerCase()}/, or try --task synthetic, which needs no download.`);
  }
}

export interface LoadTaskOptions {
  dataDir?: string;
  split?: "train" | "test" | "both";
  trainDocs?: number;
  evalDocs?: number;
  syntheticSeed?: number;
  /** Classification: the class list of the model being evaluated (default: read from the data). */
  classes?: readonly string[];
}

type PickSplits = (load: (s: "train" | "test") => Document[]) => [Document[], Document[]];

/** Train split and held-out split (FUNSD, SROIE, RVL-CDIP: their test splits; CORD: test, else dev; synthetic: forms from another seed). */
export function loadTask(task: TaskName, options: LoadTaskOptions = {}): TaskData {
  const split = options.split ?? "both";
  const cut = (docs: Document[], n: number | undefined): Document[] => (n === undefined ? docs : docs.slice(0, n));
  const pick: PickSplits = (load) => [
    split === "test" ? [] : cut(load("train"), options.trainDocs),
    split === "train" ? [] : cut(load("test"), options.evalDocs),
  ];
  switch (task) {
    case "funsd": {
      const dir = options.dataDir ?? defaultDataDir("funsd");
      checkDir("FUNSD", dir, "training_data");
      const [train, evalDocs] = pick((s) => loadFunsd(dir, s, { skipBad: true }).docs);
      return { task, kind: "token", labels: FUNSD_LABELS, train, eval: evalDocs, source: resolve(dir) };
    }
    case "sroie": {
      const dir = options.dataDir ?? defaultDataDir("sroie");
      checkDir("SROIE", dir, "train.txt");
      const [train, evalDocs] = pick((s) => loadSroie(dir, s, { skipBad: true }).docs);
      return { task, kind: "token", labels: SROIE_LABELS, train, eval: evalDocs, source: resolve(dir) };
    }
    case "cord": {
      const dir = options.dataDir ?? defaultDataDir("cord");
      checkDir("CORD", dir, join("train", "json"));
      const held = existsSync(join(dir, "test", "json")) ? "test" : "dev";
      const [train, evalDocs] = pick((s) => loadCord(dir, s === "test" ? held : s, { skipBad: true }).docs);
      return { task, kind: "token", labels: CORD_LABELS, train, eval: evalDocs, source: `${resolve(dir)} (held out: ${held}/)`, lossWeights: CORD_WEIGHTS };
    }
    case "rvlcdip": return loadRvlCdipTask(options.dataDir ?? defaultDataDir("rvlcdip"), pick, options.classes);
    case "synthetic": {
      const seed = options.syntheticSeed ?? 1;
      const train = split === "test" ? [] : syntheticForms(options.trainDocs ?? 64, seed);
      const held = split === "train" ? [] : syntheticForms(options.evalDocs ?? 16, seed + 1_000_000);
      const pages = new Map([...train, ...held].map((f) => [f.doc, f.image] as const));
      return { task, kind: "token", labels: SYNTHETIC_LABELS, train: train.map((f) => f.doc), eval: held.map((f) => f.doc), source: `synthetic forms (seed ${seed})`, pageOf: (d) => pages.get(d) };
    }
    default: return task satisfies never;
  }
}

const isDir = (path: string): boolean => existsSync(path) && statSync(path).isDirectory();

/**
 * RVL-CDIP-style classification, in one of two layouts (see TRAIN_HELP): label files DIR/train.txt and DIR/test.txt
 * (paths relative to DIR; classes from DIR/classes.txt, else the 16 RVL-CDIP classes), or class folders
 * DIR/train/<class>/ and DIR/test/<class>/ (classes: the sorted training folder names; documents taken from the
 * classes in turn, so a --train-docs cut is mixed). Bad input is an error naming the file, never skipped: a label
 * file that names a missing image is a broken dataset.
 */
function loadRvlCdipTask(dir: string, pick: PickSplits, known: readonly string[] | undefined): TaskData {
  const base = { task: "rvlcdip", kind: "sequence", source: resolve(dir) } as const;
  if (existsSync(join(dir, "train.txt")) || existsSync(join(dir, "test.txt"))) {
    const classesFile = join(dir, "classes.txt");
    const classes = known ?? (existsSync(classesFile) ? readClasses(classesFile) : RVL_CDIP_CLASSES);
    const note = known !== undefined ? "the checkpoint's classes" : existsSync(classesFile) ? `classes from ${classesFile}` : "no classes.txt, so the 16 RVL-CDIP classes, ids 0-15";
    const [train, evalDocs] = pick((s) => {
      const labelFile = join(dir, `${s}.txt`);
      if (!existsSync(labelFile)) throw new MissingDataError(`RVL-CDIP ${s} split not found: ${resolve(labelFile)} does not exist (label-file layout: DIR/train.txt and DIR/test.txt; see "aetnet train --help")`);
      try {
        return loadRvlCdipLabelFile(labelFile, dir, { classes }).docs;
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        if (err.file === labelFile) throw new DataError("rvlcdip", labelFile, `${err.problem} (${note}: ${classes.join(", ")})`);
        throw new DataError("rvlcdip", err.file, `${err.problem} (listed in ${labelFile})`);
      }
    });
    return { ...base, labels: classes, train, eval: evalDocs };
  }
  if (!isDir(join(dir, "train")) && !isDir(join(dir, "test"))) {
    throw new MissingDataError(`RVL-CDIP data not found in ${resolve(dir)}: expected label files train.txt and test.txt, or class folders train/<class>/ and test/<class>/. Pass --data DIR.`);
  }
  let classes = known;
  const [train, evalDocs] = pick((s) => {
    const root = join(dir, s);
    const corpus = loadRvlCdipFolders(root);
    classes ??= corpus.classes; // the training folders name the classes (train loads first)
    const stray = corpus.classes.find((c) => !classes!.includes(c));
    if (stray !== undefined) throw new DataError("rvlcdip", join(root, stray), `class folder "${stray}" is not one of the ${known ? "checkpoint's" : "training"} classes (${classes.join(", ")})`);
    return takeTurns(corpus.docs);
  });
  return { ...base, labels: classes ?? [], train, eval: evalDocs };
}

/** Folder documents come grouped by class; taking the classes in turn makes --train-docs / --eval-docs N a mixed subset. */
function takeTurns(docs: readonly Document[]): Document[] {
  const groups = new Map<string, Document[]>();
  for (const d of docs) {
    const cls = d.labels?.[0] ?? "";
    const group = groups.get(cls) ?? [];
    if (group.length === 0) groups.set(cls, group);
    group.push(d);
  }
  const longest = Math.max(0, ...[...groups.values()].map((g) => g.length));
  return Array.from({ length: longest }, (_, i) => [...groups.values()].flatMap((g) => (i < g.length ? [g[i]] : []))).flat();
}

/** classes.txt: one class name per line, in label-id order (blank lines ignored). */
function readClasses(path: string): string[] {
  const classes = readDataText("rvlcdip", path, "class list").split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  if (classes.length < 2) throw new DataError("rvlcdip", path, `needs at least two class names, one per line (got ${classes.length})`);
  if (new Set(classes).size !== classes.length) throw new DataError("rvlcdip", path, "a class name appears twice");
  return classes;
}
