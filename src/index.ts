// AETNet's public surface: configuration, model, losses.
export * from "./config.ts";
export * from "./losses/index.ts";
export { VisionTransformer, type VisionTransformerOutput } from "./models/vit.ts";
export { RobertaModel, RobertaTextEncoder, RobertaEmbeddings, paddingPositionIds, type RobertaOutput } from "./models/roberta.ts";
export { AETNet, parameterCounts, TEMP_RANGE, type AETNetOptions, type AETNetInputs, type AETNetOutput, type ParameterCounts } from "./models/aetnet.ts";
export { loadPretrained, mapStateDict, deitKey, robertaKey, layoutlmv3Key, aetKey, type PretrainedPaths, type LoadReport, type KeyMap } from "./models/weights.ts";
export { MomentumPair } from "./alignment/momentum.ts";
export { FeatureQueue } from "./alignment/feature_queue.ts";
