// The engine's public surface: tensors, ops, autograd, nn, optim, io, testing — PyTorch-shaped.
export { Tensor, tensor, zeros, ones, full, zerosLike, onesLike, fullLike, arange, eye, type TensorLike, type TensorOptions } from "./tensor.ts";
export type { DType } from "./dtype.ts";
export { noGrad, enableGrad, isGradEnabled, setDebugNaN, type BackwardOptions } from "./autograd.ts";
export { Generator, manualSeed, defaultGenerator, type GeneratorState } from "./random.ts";
export { rand, randn, randint, randperm, normal, uniform, skipInit, type RandomOptions } from "./ops/random.ts";
export {
  add, sub, mul, div, pow, neg, exp, log, sqrt, rsqrt, abs, sign, tanh, sigmoid, relu, erf, gelu, clamp,
  maximum, minimum, eq, ne, lt, le, gt, ge, where, maskedFill,
} from "./ops/elementwise.ts";
export { sum, mean, amax, amin, variance as var, logsumexp, argmax, argmin } from "./ops/reduce.ts";
export { reshape, flatten, unsqueeze, squeeze, permute, transpose, expand, slice, narrow, split, chunk, cat, stack, clone } from "./ops/movement.ts";
export { indexSelect, gather, scatterAdd } from "./ops/indexing.ts";
export { matmul } from "./ops/matmul.ts";
export { softmax, logSoftmax } from "./ops/softmax.ts";
export { EngineError, ShapeError, DTypeError, IndexError, AutogradError, NonFiniteError, FormatError } from "./errors.ts";
export { gradcheck } from "./testing/gradcheck.ts";
export * as F from "./functional.ts";
export * as nn from "./nn/index.ts";
export * as optim from "./optim/index.ts";
export * as io from "./io/index.ts";
export { tidy, keep } from "./memory.ts";
export {
  setBackend, setBackendFromEnv, setThreads, backendInfo, BACKEND_NAMES,
  type BackendName, type BackendInfo, type BackendOptions, type BackendChoice,
} from "./backends/registry.ts";
export { importOptional, MissingDependencyError } from "./optional_dependency.ts";
