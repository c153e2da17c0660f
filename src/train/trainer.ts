// The fine-tuning loop: AdamW with decay / no-decay groups, linear warmup + decay, clipping, momentum update and
// enqueue per step, evaluation every epoch, best and last checkpoints, exact resume, JSONL log and SVG plot.
import { existsSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Generator, defaultGenerator, io, manualSeed, optim, tidy } from "../../engine/index.ts";
import type { AETNetConfig } from "../config.ts";
import { AETNet } from "../models/aetnet.ts";
import { FUNSD_WEIGHTS } from "../losses/index.ts";
import type { ByteLevelBPE } from "../data/tokenizer/bpe.ts";
import { IGNORE_INDEX } from "../data/encode.ts";
import { epochBatches, makeBatch, tokenCount, windowRefs } from "./batches.ts";
import { openResumeCheckpoint, saveTrainingCheckpoint, tokenizerState, CHECKPOINT_FORMAT, type TrainingState } from "./checkpoint.ts";
import { DivergedError, TrainerError } from "./errors.ts";
import { resumeMismatch, runFingerprint } from "./fingerprint.ts";
import { bestOf, bestScore, type EvalRecord, type PreparedDoc, type RunFingerprint, type RunSettings, type StepRecord } from "./run_types.ts";
import type { DocumentEvalResult, EvalResult } from "./evaluate.ts";
import { JsonlLog, type LogRecord } from "./logging.ts";
import { trainingPlotSvg } from "./plot_svg.ts";
import { Progress, type ProgressStream } from "./progress.ts";
import { taskKind, type TaskKindSpec } from "./task_kind.ts";

export interface TrainerOptions {
  config: AETNetConfig;
  settings: RunSettings;
  tokenizer: ByteLevelBPE;
  train: PreparedDoc[];
  eval: PreparedDoc[];
  /** Run folder: checkpoints/last, checkpoints/best, log.jsonl, plot.svg. None: nothing is written. */
  outDir?: string;
  /**
   * Continue from outDir/checkpoints/last; a TrainerError when there is none, or when it was written for other
   * data, tokenizer, settings or config. Without it, an outDir already holding a checkpoint is refused.
   */
  resume?: boolean;
  /** Resume even though the data, tokenizer, settings or config differ from the checkpoint's (--force). */
  force?: boolean;
  /** Stop with a DivergedError after this many steps in a row with a non-finite loss or gradient norm (default 5). */
  maxBadSteps?: number;
  /** Also save checkpoints/last every this many steps (0: only at epoch ends). */
  saveEvery?: number;
  /** Stop after this many optimizer steps in total (saving first): simulates an interrupted run in tests. */
  stopAfter?: number;
  /** Where the progress bar goes; null = silent. */
  progress?: ProgressStream | null;
  /** Plain status lines (epoch summaries); default console.log. */
  print?: (line: string) => void;
}

export interface TrainResult {
  model: AETNet;
  steps: StepRecord[];
  evals: EvalRecord[];
  best: TrainingState["best"];
  /** The last held-out evaluation: entity scores (token tasks) or document accuracy (classification). */
  lastEval: EvalResult | DocumentEvalResult | null;
  /** True when training stopped early at stopAfter. */
  stopped: boolean;
  seconds: number;
}

export const LAST_DIR = "checkpoints/last";
export const BEST_DIR = "checkpoints/best";

/** Defaults for CPU fine-tuning from scratch (docs/TRAINING.md explains the departures from the official 1e-4 cosine). */
export function defaultSettings(task: string, labels: readonly string[], overrides: Partial<RunSettings> = {}): RunSettings {
  return {
    task, labels: [...labels], epochs: 5, batchSize: 4, lr: 5e-4, weightDecay: 0.02, warmupRatio: 0.1, maxGradNorm: 1,
    maxLength: 256, stride: 32, chunking: "overlap", seed: 42, lossWeights: { ...FUNSD_WEIGHTS }, ...overrides,
  };
}

export class Trainer {
  readonly model: AETNet;
  /** Token labelling or document classification (settings.kind): batch labels, metric, best checkpoint. */
  readonly kind: TaskKindSpec;
  readonly optimizer: optim.AdamW;
  readonly scheduler: optim.LRScheduler;
  /** Draws the momentum branch's augmentations (dropout uses the engine's global generator). */
  readonly augment: Generator;
  readonly stepsPerEpoch: number;
  step = 0;
  epoch = 0;
  batchInEpoch = 0;
  steps: StepRecord[] = [];
  evals: EvalRecord[] = [];
  best: TrainingState["best"] = null;
  /** Steps skipped for a non-finite loss or gradient norm: in all, and in a row right now. */
  skipped = { total: 0, inRow: 0 };
  readonly fingerprint: RunFingerprint;
  readonly #log: JsonlLog | null;
  readonly #print: (line: string) => void;

  constructor(readonly options: TrainerOptions) {
    const s = options.settings;
    if (options.train.length === 0) throw new TrainerError("no training documents");
    const refs = windowRefs(options.train).length;
    if (refs < s.batchSize) throw new TrainerError(`${refs} training windows is fewer than one batch of ${s.batchSize}`);
    this.kind = taskKind(s.kind);
    if (!hasTargets(options.train)) {
      throw new TrainerError(`the ${options.train.length} training documents hold no labelled ${this.kind.name === "token" ? "words" : "class"}: there is nothing to learn (empty documents?)`);
    }
    manualSeed(s.seed); // weight init and dropout draw from the global generator
    this.model = new AETNet(options.config, { task: this.kind.name, numLabels: s.labels.length, lossWeights: s.lossWeights });
    // temp is 0-d, so it lands in the no-decay group; differs from ref, where it is decayed (notes §6.8).
    this.optimizer = new optim.AdamW(optim.paramGroupsNoDecay(this.model, s.weightDecay), { lr: s.lr });
    this.stepsPerEpoch = Math.floor(refs / s.batchSize);
    const totalSteps = s.epochs * this.stepsPerEpoch;
    const warmupSteps = Math.round(s.warmupRatio * totalSteps);
    this.scheduler = new optim.LRScheduler(this.optimizer, (step) => optim.linearWarmupDecay(step, { warmupSteps, totalSteps }));
    this.augment = new Generator(s.seed + 1);
    this.#log = options.outDir === undefined ? null : new JsonlLog(join(options.outDir, "log.jsonl"));
    this.#print = options.print ?? ((line) => console.log(line));
    this.fingerprint = runFingerprint(options.tokenizer, options.train, options.eval);
    if (options.outDir !== undefined && options.resume) this.#restore(join(options.outDir, LAST_DIR));
    else {
      if (options.outDir !== undefined) this.#claimOutDir(options.outDir);
      this.#log?.reset([{ type: "start", settings: s, config: options.config.name, align: options.config.align, stepsPerEpoch: this.stepsPerEpoch }]);
    }
  }

  /**
   * A fresh run never overwrites another run's results: a folder holding a checkpoint is refused, and the log of a
   * run that died before its first checkpoint is kept beside the new one as log.N.jsonl.
   */
  #claimOutDir(out: string): void {
    const held = [LAST_DIR, BEST_DIR].find((d) => io.findCheckpoint(join(out, d)) !== null);
    if (held !== undefined) {
      throw new TrainerError(`${out} already holds a run (${held}); --resume continues it, or choose another --out (or delete the folder) to start over`);
    }
    const log = join(out, "log.jsonl");
    if (!existsSync(log)) return;
    let n = 1;
    while (existsSync(join(out, `log.${n}.jsonl`))) n++;
    renameSync(log, join(out, `log.${n}.jsonl`));
    this.#print(`${log} (a run without a checkpoint) kept as log.${n}.jsonl`);
  }

  fit(): TrainResult {
    const { settings: s, train } = this.options;
    const start = performance.now();
    const refs = windowRefs(train);
    let lastEval: TrainResult["lastEval"] = null;
    const hasMomentum = this.model.queue !== null;
    for (; this.epoch < s.epochs; this.epoch++, this.batchInEpoch = 0) {
      const batches = epochBatches(refs, s.batchSize, s.seed, this.epoch);
      const bar = this.options.progress === null ? null : new Progress(`epoch ${this.epoch + 1}/${s.epochs}`, batches.length, this.options.progress);
      this.model.train();
      for (; this.batchInEpoch < batches.length; this.batchInEpoch++) {
        const t0 = performance.now();
        const lr = this.optimizer.paramGroups[0].lr;
        // One tidy() per step frees its activations, gradients of intermediates and batch right away
        // (parameters, .grad and optimizer state are updated in place and survive).
        const done = tidy(() => {
          const inputs = makeBatch(batches[this.batchInEpoch], train, this.options.config, hasMomentum ? this.augment : null, this.kind.name);
          const out = this.model.forward(inputs);
          this.optimizer.zeroGrad();
          const loss = out.loss.item();
          if (!Number.isFinite(loss)) return { ok: false as const, loss, gradNorm: null };
          out.loss.backward();
          const gradNorm = optim.clipGradNorm(this.model.trainableParameters(), s.maxGradNorm);
          if (!Number.isFinite(gradNorm)) return { ok: false as const, loss, gradNorm };
          this.skipped.inRow = 0;
          this.optimizer.step();
          this.scheduler.step();
          this.model.afterStep(); // clamp τ, EMA of the momentum encoders, enqueue this batch's momentum features
          const terms = Object.fromEntries(Object.entries(out.terms).map(([k, v]) => [k, v.item()]));
          return { ok: true as const, loss, gradNorm, terms, tokens: tokenCount(inputs) };
        });
        if (!done.ok) { this.#skipStep(done.loss, done.gradNorm); continue; }
        this.step++;
        const { loss, gradNorm, terms } = done;
        const record: StepRecord = { step: this.step, epoch: this.epoch, loss, terms, lr, gradNorm, tokensPerSecond: done.tokens / ((performance.now() - t0) / 1000) };
        this.steps.push(record);
        this.#log?.write({ type: "step", ...record });
        bar?.update(this.batchInEpoch + 1, record);
        if (this.options.stopAfter !== undefined && this.step >= this.options.stopAfter) {
          this.batchInEpoch++;
          bar?.finish();
          this.#save(LAST_DIR);
          return this.#result(lastEval, true, start);
        }
        if (this.options.saveEvery && this.step % this.options.saveEvery === 0 && this.batchInEpoch + 1 < batches.length) {
          this.batchInEpoch++;
          this.#save(LAST_DIR);
          this.batchInEpoch--;
        }
      }
      bar?.finish();
      lastEval = this.#evaluateEpoch();
    }
    this.#log?.write({ type: "end", step: this.step, best: this.best, seconds: (performance.now() - start) / 1000 });
    return this.#result(lastEval, false, start);
  }

  /**
   * A step whose loss or gradient norm is NaN or Inf changes nothing (no optimizer, schedule or queue update); it is
   * counted and logged, and too many in a row stop the run: the weights and the checkpoints stay finite.
   */
  #skipStep(loss: number, gradNorm: number | null): void {
    this.skipped.total++;
    this.skipped.inRow++;
    const what = gradNorm === null ? `loss ${loss}` : `gradient norm ${gradNorm}`;
    this.#log?.write({ type: "skip", step: this.step, epoch: this.epoch, batch: this.batchInEpoch, reason: what });
    const limit = this.options.maxBadSteps ?? 5;
    if (this.skipped.inRow >= limit) {
      throw new DivergedError(`stopped after ${this.skipped.inRow} steps in a row with a non-finite loss or gradient norm (last: ${what} at epoch ${this.epoch + 1}, batch ${this.batchInEpoch + 1}); no weights were updated by them and no checkpoint holds them; try a lower --lr or check the training data`);
    }
  }

  #evaluateEpoch(): TrainResult["lastEval"] {
    const { settings: s } = this.options;
    const held = this.options.eval.length > 0 ? this.kind.evaluate(this.model, this.options.eval, s.labels, s.batchSize) : null;
    if (held !== null) {
      const record: EvalRecord = { step: this.step, epoch: this.epoch + 1, ...held.scores };
      this.evals.push(record);
      this.#log?.write({ type: "eval", ...record });
      const candidate = bestOf(record);
      const improved = this.best === null || bestScore(candidate) > bestScore(this.best);
      if (improved) this.best = candidate;
      this.#print(`epoch ${this.epoch + 1}/${s.epochs}: ${held.summary} on ${this.options.eval.length} held-out documents${improved ? " (best)" : ""}`);
      // the state saved under best/ says "next: epoch + 1", like last/: resuming from it continues training
      if (improved) this.#afterEpoch(BEST_DIR);
    }
    this.#afterEpoch(LAST_DIR);
    if (this.options.outDir !== undefined) writeFileSync(join(this.options.outDir, "plot.svg"), trainingPlotSvg(this.steps, this.evals, `${s.task} · ${this.options.config.name}${this.options.config.align ? "" : " · no-align"} · seed ${s.seed}`));
    return held?.result ?? null;
  }

  /** Saves as the start of the next epoch. */
  #afterEpoch(dir: string): void {
    const [epoch, batch] = [this.epoch, this.batchInEpoch];
    [this.epoch, this.batchInEpoch] = [epoch + 1, 0];
    this.#save(dir);
    [this.epoch, this.batchInEpoch] = [epoch, batch];
  }

  #result(lastEval: TrainResult["lastEval"], stopped: boolean, start: number): TrainResult {
    return { model: this.model, steps: this.steps, evals: this.evals, best: this.best, lastEval, stopped, seconds: (performance.now() - start) / 1000 };
  }

  state(): TrainingState {
    const o = this.options;
    return {
      format: CHECKPOINT_FORMAT, config: o.config, settings: o.settings, tokenizer: tokenizerState(o.tokenizer),
      step: this.step, epoch: this.epoch, batchInEpoch: this.batchInEpoch,
      optimizer: { paramGroups: [], numbers: {} }, // filled from the optimizer by saveTrainingCheckpoint
      scheduler: this.scheduler.stateDict(),
      rng: { global: defaultGenerator.getState(), augment: this.augment.getState() },
      history: { steps: this.steps, evals: this.evals }, best: this.best,
      fingerprint: this.fingerprint, skipped: { ...this.skipped },
    };
  }

  #save(sub: string): void {
    if (this.options.outDir === undefined) return;
    const dir = join(this.options.outDir, sub);
    saveTrainingCheckpoint(dir, this.state(), this.model.stateDict(), this.optimizer.stateDict());
  }

  #restore(dir: string): void {
    const { state, model, optimizer, folder, fellBack } = openResumeCheckpoint(dir);
    const s = this.options.settings;
    const mismatch = resumeMismatch(state, { fingerprint: this.fingerprint, settings: s, config: this.options.config });
    if (mismatch !== null && !this.options.force) {
      throw new TrainerError(`cannot resume from ${dir}, it was written by a different run: ${mismatch}; resume with the same data and options, use a new --out, or pass --force`);
    }
    if (mismatch !== null) this.#print(`resuming anyway (--force): ${mismatch}`);
    if (fellBack !== undefined) this.#print(`the newest checkpoint in ${dir} is unreadable (${fellBack.reason}); resuming from the previous one, ${folder}`);
    this.model.loadStateDict(model);
    this.optimizer.loadStateDict(optimizer);
    this.scheduler.loadStateDict(state.scheduler);
    defaultGenerator.setState(state.rng.global);
    this.augment.setState(state.rng.augment);
    [this.step, this.epoch, this.batchInEpoch] = [state.step, state.epoch, state.batchInEpoch];
    this.steps = [...state.history.steps];
    this.evals = [...state.history.evals];
    this.best = state.best;
    this.skipped = { ...(state.skipped ?? { total: 0, inRow: 0 }) };
    // the log is rewritten from the checkpoint's history, so it reads as one uninterrupted run
    const records: LogRecord[] = [
      { type: "start", settings: s, config: this.options.config.name, align: this.options.config.align, stepsPerEpoch: this.stepsPerEpoch },
      ...this.steps.map((r): LogRecord => ({ type: "step", ...r })),
      ...this.evals.map((r): LogRecord => ({ type: "eval", ...r })),
      { type: "resume", step: this.step, from: folder },
    ];
    this.#log?.reset(records);
    this.#print(`resumed from ${folder} at step ${this.step} (epoch ${this.epoch + 1}, batch ${this.batchInEpoch})`);
  }
}

/** Whether any training window has a target: a labelled token (token tasks) or a class (classification). */
function hasTargets(train: readonly PreparedDoc[]): boolean {
  return train.some((d) => d.label !== undefined || d.windows.some((w) => w.labels.some((l) => l !== IGNORE_INDEX)));
}
