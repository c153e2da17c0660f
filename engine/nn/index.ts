// nn: modules whose attribute paths are their checkpoint keys.
export { Module, type StateDict } from "./module.ts";
export { Linear, LayerNorm, Embedding, Dropout, GELU, Sequential, type Layer } from "./layers.ts";
