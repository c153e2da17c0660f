// nn: modules whose attribute paths are their checkpoint keys.
export { Module, parameterCount, type StateDict, type LoadResult } from "./module.ts";
export { Linear, Conv2d, LayerNorm, Embedding, Dropout, GELU, ReLU } from "./layers.ts";
export { ModuleList, Sequential, type Layer } from "./container.ts";
export { MultiheadAttention, type MultiheadAttentionOptions, type AttentionInputs } from "./attention.ts";
export { TransformerEncoderLayer, TransformerEncoder, type TransformerEncoderLayerOptions, type EncoderInputs } from "./transformer.ts";
