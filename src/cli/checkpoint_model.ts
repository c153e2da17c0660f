// Opens a run folder or checkpoint folder written by the trainer and rebuilds the model and tokenizer from it.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { AETNet } from "../models/aetnet.ts";
import type { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import { loadTrainingCheckpoint, tokenizerFromState, type TrainingState } from "../train/checkpoint.ts";
import { BEST_DIR, LAST_DIR } from "../train/trainer.ts";
import { MissingDataError } from "./tasks.ts";

export interface OpenedCheckpoint { dir: string; state: TrainingState; model: AETNet; tokenizer: ByteLevelBPE }

/** DIR may be a checkpoint (holding state.json) or a run folder (its checkpoints/best, else checkpoints/last). */
export function resolveCheckpointDir(path: string): string {
  for (const dir of [path, join(path, BEST_DIR), join(path, LAST_DIR)]) if (existsSync(join(dir, "state.json"))) return dir;
  throw new MissingDataError(`no checkpoint at ${path}: expected state.json there or in ${BEST_DIR}/ or ${LAST_DIR}/ below it (written by "aetnet train")`);
}

export function openCheckpoint(path: string): OpenedCheckpoint {
  const dir = resolveCheckpointDir(path);
  const { state, model: weights } = loadTrainingCheckpoint(dir);
  const model = new AETNet(state.config, { task: "token", numLabels: state.settings.labels.length, lossWeights: state.settings.lossWeights });
  model.loadStateDict(weights);
  model.eval();
  return { dir, state, model, tokenizer: tokenizerFromState(state.tokenizer) };
}
