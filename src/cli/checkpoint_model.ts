// Opens a run folder or checkpoint folder written by the trainer and rebuilds the model and tokenizer from it.
import { readFileSync } from "node:fs";
import { io } from "../../engine/index.ts";
import { join } from "node:path";
import { AETNet } from "../models/aetnet.ts";
import type { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import { loadTrainingCheckpoint, tokenizerFromState, type TrainingState } from "../train/checkpoint.ts";
import type { TaskKind } from "../train/run_types.ts";
import { BEST_DIR, LAST_DIR } from "../train/trainer.ts";
import { MissingDataError } from "./tasks.ts";

export interface OpenedCheckpoint { dir: string; state: TrainingState; model: AETNet; tokenizer: ByteLevelBPE }

/** DIR may be a checkpoint (holding state.json) or a run folder (its checkpoints/best, else checkpoints/last). */
export function resolveCheckpointDir(path: string): string {
  // findCheckpoint also finds a complete version whose pointer a crash left unswitched
  for (const dir of [path, join(path, BEST_DIR), join(path, LAST_DIR)]) if (io.findCheckpoint(dir) !== null) return dir;
  throw new MissingDataError(`no checkpoint at ${path}: expected state.json there or in ${BEST_DIR}/ or ${LAST_DIR}/ below it (written by "aetnet train")`);
}

/** The task kind of the checkpoint at path, or null when there is none (or its state.json is unreadable); reads state.json only. */
export function checkpointKind(path: string): TaskKind | null {
  let state: unknown;
  try { state = JSON.parse(readFileSync(join(io.findCheckpoint(resolveCheckpointDir(path)) ?? "", io.STATE_FILE), "utf8")); } catch { return null; }
  const settings = typeof state === "object" && state !== null && "settings" in state ? state.settings : undefined;
  return typeof settings === "object" && settings !== null && "kind" in settings && settings.kind === "sequence" ? "sequence" : "token";
}

export function openCheckpoint(path: string): OpenedCheckpoint {
  const dir = resolveCheckpointDir(path);
  const { state, model: weights } = loadTrainingCheckpoint(dir);
  const model = new AETNet(state.config, { task: state.settings.kind ?? "token", numLabels: state.settings.labels.length, lossWeights: state.settings.lossWeights });
  model.loadStateDict(weights);
  model.eval();
  return { dir, state, model, tokenizer: tokenizerFromState(state.tokenizer) };
}
