// Learning-rate schedules as multipliers of step, and LRScheduler applying one to each group's base lr (HF LambdaLR style).
import { ShapeError } from "../errors.ts";

/** The step counts of a warmup-then-decay schedule. */
export interface WarmupDecay {
  warmupSteps: number;
  totalSteps: number;
}

/** 0 → 1 linearly over warmupSteps, then linearly to 0 at totalSteps (HF get_linear_schedule_with_warmup). */
export function linearWarmupDecay(step: number, { warmupSteps, totalSteps }: WarmupDecay): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
}

/**
 * Linear warmup, then half a cosine from 1 down to minRatio at totalSteps (HF
 * get_cosine_schedule_with_warmup; with minRatio, get_cosine_with_min_lr_schedule_with_warmup).
 * Differs from HF: progress is clamped at 1, so steps past totalSteps stay at minRatio instead of rising.
 */
export function cosineWarmupDecay(step: number, { warmupSteps, totalSteps, minRatio = 0 }: WarmupDecay & { minRatio?: number }): number {
  if (step < warmupSteps) return step / Math.max(1, warmupSteps);
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
  const cosine = 0.5 * (1 + Math.cos(Math.PI * progress));
  return Math.max(0, cosine * (1 - minRatio) + minRatio);
}

/** Anything with parameter groups carrying an lr (every Optimizer). */
export interface HasParamGroups { paramGroups: { lr: number }[] }

/** What LRScheduler saves in a checkpoint: the last step and the groups' base learning rates. */
export interface LRSchedulerState { lastStep: number; baseLrs: number[] }

/**
 * Sets each group's lr to baseLr · multiplier(step). Construction applies step 0; call step()
 * after each optimizer.step(), as torch's LambdaLR / HF schedules.
 */
export class LRScheduler {
  lastStep = 0;
  baseLrs: number[];

  constructor(readonly optimizer: HasParamGroups, readonly multiplier: (step: number) => number) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.#apply();
  }

  step(): void {
    this.lastStep += 1;
    this.#apply();
  }

  /** The lr of each group as last set. */
  getLastLr(): number[] { return this.optimizer.paramGroups.map((g) => g.lr); }

  stateDict(): LRSchedulerState { return { lastStep: this.lastStep, baseLrs: [...this.baseLrs] }; }

  loadStateDict(state: LRSchedulerState): void {
    if (state.baseLrs.length !== this.optimizer.paramGroups.length) {
      throw new ShapeError("LRScheduler.loadStateDict", `checkpoint has ${state.baseLrs.length} base lrs, the optimizer ${this.optimizer.paramGroups.length} groups`);
    }
    this.lastStep = state.lastStep;
    this.baseLrs = [...state.baseLrs];
    this.#apply();
  }

  #apply(): void {
    const m = this.multiplier(this.lastStep);
    this.optimizer.paramGroups.forEach((g, i) => { g.lr = this.baseLrs[i] * m; });
  }
}
