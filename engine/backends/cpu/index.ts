// The complete reference kernel table: plain TypeScript, the fallback for every other backend.
import type { Backend, KernelTable } from "../backend.ts";
import { binary, clamp, unary, where } from "./elementwise.ts";
import { matmul } from "./matmul.ts";
import { gather, indexAdd, indexSelect, scatterAdd, stridedAccumulate, stridedCopy } from "./movement.ts";
import { reduceRows, sumAxis } from "./reduce.ts";
import { gelu, geluBackward, layerNorm, layerNormBackward, linear, softmaxBackward } from "./fused.ts";
import { softmax } from "./softmax.ts";
import { attentionWith } from "./attention.ts";
import { adamw } from "./adamw.ts";
import { bernoulliMask } from "./random.ts";
import { crossEntropy, crossEntropyBackward } from "./cross_entropy.ts";

const { attention, attentionBackward } = attentionWith({ matmul, softmax, softmaxBackward });

export const cpuKernels: KernelTable = { unary, binary, clamp, where, stridedCopy, stridedAccumulate, reduceRows, sumAxis, matmul, linear, softmax, softmaxBackward, crossEntropy, crossEntropyBackward, layerNorm, layerNormBackward, gelu, geluBackward, attention, attentionBackward, adamw, bernoulliMask, indexSelect, indexAdd, gather, scatterAdd };

export const cpuBackend: Backend = { name: "cpu", kernels: cpuKernels };
