// The run the kill-during-save test interrupts: micro model, 8 synthetic forms in batches of 2, so the saves of
// its first steps (the first save, with no previous version, and a second one, with a previous) fall in epoch 1.
import type { TrainerOptions } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "./fixtures.ts";

export function crashScenario(): Pick<TrainerOptions, "config" | "settings" | "tokenizer" | "train" | "eval"> {
  return { config: micro, ...syntheticSetup(8, 1, { epochs: 1 }) };
}
