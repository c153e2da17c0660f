// The AETNet training objective: the paper's alignment losses, each reported separately and switchable, combined as the official code does.
// Official code: loss_ita = (GL_text + GL_image + i2t + t2i + i2i + t2t) / 6 (AET.forward); FUNSD trains on
// loss_cls + loss_ita + loss_lol, CORD on 0.8·loss_cls + 1.2·loss_ita + 0.4·loss_lol (finetune_*.py).
import { EngineError, type Tensor } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";

// The contract names only; ditc.ts's shared helpers (queueContrastive, checkTemp, ...) stay internal.
export { ditcLoss, type Temperature } from "./ditc.ts";
export { imcLoss } from "./imc.ts";
export { glitcLoss } from "./glitc.ts";
export { patchPool, patchIndex, COORD_MAX, SPANNING, type PoolOptions } from "./patch.ts";
export { pitaLoss, type PitaOptions } from "./pita.ts";

/** Which alignment losses are on (config.losses). */
export type LossSwitches = AETNetConfig["losses"];

/** Every term of the objective; alignment terms are absent when their loss is switched off. */
export interface LossTerms {
  /** Fusion-head task loss (token or sequence classification). */
  task: Tensor;
  i2t?: Tensor;
  t2i?: Tensor;
  i2i?: Tensor;
  t2t?: Tensor;
  glitcText?: Tensor;
  glitcImage?: Tensor;
  pita?: Tensor;
}

/** Weights of task, the contrastive mean (loss_ita) and PITA (loss_lol) in the total. */
export interface LossWeights { task: number; ita: number; pita: number }
/** The official FUNSD script's loss weights (all 1). */
export const FUNSD_WEIGHTS: LossWeights = { task: 1, ita: 1, pita: 1 };
/** The official CORD script's loss weights. */
export const CORD_WEIGHTS: LossWeights = { task: 0.8, ita: 1.2, pita: 0.4 };

/** The total objective and its parts, as aetnetObjective returns them. */
export interface Objective {
  /** The scalar to call backward() on. */
  total: Tensor;
  /** Mean of the enabled contrastive terms (the code's loss_ita); null when none is enabled. */
  ita: Tensor | null;
  /** The terms that entered the total (switched-off ones are dropped), for logging. */
  terms: LossTerms;
}

const ALL_ON: LossSwitches = { ditc: true, imc: true, glitc: true, pita: true };

/** The contrastive terms each switch owns, in the reference's order of the /6 mean. */
const CONTRASTIVE = { ditc: ["i2t", "t2i"], imc: ["i2i", "t2t"], glitc: ["glitcText", "glitcImage"] } as const;

/**
 * total = w.task·task + w.ita·mean(enabled contrastive terms) + w.pita·pita.
 * With every switch on the mean is the reference's /6. Switching a loss off drops its terms from the mean, so the
 * mean is over the enabled terms only (e.g. /4 without GLITC) — the remaining terms keep the reference's relative scale
 * instead of shrinking by the missing fraction. A switched-on term that is missing is an error, not a silent zero.
 */
export function alignmentLoss(terms: LossTerms, switches: LossSwitches = ALL_ON, weights: LossWeights = FUNSD_WEIGHTS): Objective {
  const kept: LossTerms = { task: terms.task };
  const contrastive: Tensor[] = [];
  for (const key of ["ditc", "imc", "glitc"] as const) {
    if (!switches[key]) continue;
    for (const name of CONTRASTIVE[key]) {
      const term = terms[name];
      if (term === undefined) throw new EngineError("alignmentLoss", `loss ${key} is switched on but term ${name} is missing`);
      kept[name] = term;
      contrastive.push(term);
    }
  }
  let total = terms.task.mul(weights.task);
  const ita = contrastive.length === 0 ? null : contrastive.reduce((a, b) => a.add(b)).div(contrastive.length);
  if (ita !== null) total = total.add(ita.mul(weights.ita));
  if (switches.pita) {
    if (terms.pita === undefined) throw new EngineError("alignmentLoss", "loss pita is switched on but term pita is missing");
    kept.pita = terms.pita;
    total = total.add(terms.pita.mul(weights.pita));
  }
  return { total, ita, terms: kept };
}
