// F: the neural-network functions (torch.nn.functional), composed from the primitive ops.
export { softmax, logSoftmax } from "./ops/softmax.ts";
export { relu, gelu, sigmoid, tanh } from "./ops/elementwise.ts";
export { linear, layerNorm, embedding, dropout, type LinearOptions } from "./ops/nn_basic.ts";
export { normalize, cosineSimilarity } from "./ops/normalize.ts";
export { oneHot } from "./ops/one_hot.ts";
export { crossEntropy, nllLoss, mseLoss, type CrossEntropyOptions, type NllLossOptions, type Reduction } from "./ops/losses.ts";
export { conv2d, type Conv2dOptions } from "./ops/conv.ts";
export { avgPool2d } from "./ops/pooling.ts";
export { scaledDotProductAttention, type AttentionOptions } from "./ops/attention.ts";
