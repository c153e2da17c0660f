// F: the neural-network functions (torch.nn.functional), composed from the primitive ops.
export { softmax, logSoftmax } from "./ops/softmax.ts";
export { relu, gelu, sigmoid, tanh } from "./ops/elementwise.ts";
export { linear, layerNorm, embedding, dropout } from "./ops/nn_basic.ts";
