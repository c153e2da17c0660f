// optim: optimizers, gradient clipping, learning-rate schedules and parameter EMA.
export { Optimizer, type OptimizerStateDict, type ParamGroup, type ParamGroupSpec, type ParamsInput, type ParamState, type BaseHyper, type HyperValue } from "./optimizer.ts";
export { SGD, type SGDOptions, type SGDState } from "./sgd.ts";
export { AdamW, type AdamWOptions, type AdamWState } from "./adamw.ts";
export { paramGroupsNoDecay, isNoDecay } from "./param_groups.ts";
export { clipGradNorm } from "./clip_grad.ts";
export { linearWarmupDecay, cosineWarmupDecay, LRScheduler, type WarmupDecay, type LRSchedulerState, type HasParamGroups } from "./lr_schedule.ts";
export { ema } from "./ema.ts";
