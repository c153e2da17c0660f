// The gpu backend's kernel table: the KernelTable contract over device buffers, each entry one call into
// the kernel library (kernels.ts) with its outputs bound to buffers the op reserved. Kernels it lacks
// (gathers and scatters, strided accumulation, int32 and float64 work) run on the CPU backend: registry.ts
// sends those ops to the host.
import type { KernelName, KernelTable, Operands } from "../backend.ts";
import type { DeviceExec } from "../registry.ts";
import { DeviceError } from "../../errors.ts";
import type { GpuBuffer, GpuDevice } from "./device.ts";
import { MAX_ELEMENTS } from "./kernels/runtime.ts";

export interface GpuOperands extends Operands { array: GpuBuffer; float: GpuBuffer }

export function gpuKernels(dev: GpuDevice): Partial<KernelTable<GpuOperands>> {
  return {
    unary: (op, x, out) => dev.call("unary", [op, x, out.length], [out]),
    binary: (op, a, sa, b, sb, shape, out) => dev.call("binary", [op, a, sa, b, sb, shape], [out]),
    stridedCopy: (src, offset, strides, shape, out) => dev.call("stridedCopy", [src, offset, strides, shape], [out]),
    clamp: (x, lo, hi, out) => dev.call("clamp", [x, out.length, lo, hi], [out]),
    where: (cond, a, b, out) => dev.call("where", [cond, a, b, out.length], [out]),
    reduceRows: (op, x, rowLength, out) => dev.call("reduceRows", [op, x, out.length, rowLength], [out]),
    sumAxis: (x, outer, size, inner, out) => dev.call("sumAxis", [x, outer, size, inner], [out]),
    matmul: (a, b, out, batch, m, k, n, transA, transB) => dev.call("matmul", [a, b, batch, m, k, n, transA, transB], [out]),
    softmax: (x, cols, out, log) => dev.call("softmax", [x, out.length / cols, cols, log], [out]),
    softmaxBackward: (y, g, cols, out, log) => dev.call("softmaxBackward", [y, g, out.length / cols, cols, log], [out]),
    layerNorm: (x, cols, weight, bias, eps, out, mean, rstd) =>
      dev.call("layerNorm", [x, mean.length, cols, weight, bias, eps], [out, mean, rstd]),
    layerNormBackward: (x, g, cols, weight, mean, rstd, dx, dw, db) =>
      dev.call("layerNormBackward", [x, g, mean.length, cols, weight, mean, rstd, dw !== null || db !== null], [dx, dw, db]),
    gelu: (x, out) => dev.call("gelu", [x, out.length], [out]),
    geluBackward: (x, g, out) => dev.call("geluBackward", [x, g, out.length], [out]),
    attention: (q, k, v, dims, bias, keyMask, drop, probs, out) => {
      // Ops check onDevice() first and run the composed form (dropout included) on the device instead.
      if (drop) throw new DeviceError("gpu attention", "the device kernels have no attention dropout");
      dev.call("attention", [q, k, v, dims, bias, keyMask], [probs, out]);
    },
    attentionBackward: (q, k, v, probs, g, dims, keyMask, drop, dScores, dq, dk, dv) => {
      if (drop) throw new DeviceError("gpu attentionBackward", "the device kernels have no attention dropout");
      dev.call("attentionBackward", [q, k, v, probs, g, dims, keyMask], [dScores, dq, dk, dv]);
    },
    // In place: the outputs are the buffers p, m, v themselves (rebound to the new data).
    adamw: (p, g, m, v, step) => dev.call("adamw", [p, g, m, v, p.length, step], [p, m, v]),
  };
}

/** The device as registry.ts dispatches to it. */
export function gpuBackend(dev: GpuDevice): DeviceExec {
  const table = gpuKernels(dev);
  return {
    kernels: table as KernelTable<GpuOperands>,
    onDevice: true,
    has: (kernel: KernelName) => table[kernel] !== undefined,
    fits: (n) => n <= MAX_ELEMENTS,
    // The device holds float32: a condition or mask of another dtype is converted on the way up.
    arg: (t) => (t.dtype === "float32" ? t : t.to("float32")).buf.deviceBuffer(dev),
    mut: (t) => t.buf.deviceBufferForWrite(dev),
    out: (dtype, n) => {
      if (dtype !== "float32") throw new DeviceError("gpu", `asked for a ${dtype} output; the device computes float32 only`);
      return dev.alloc(n);
    },
    sync: () => {
      const probe = dev.upload(new Float32Array(1)); // answered only after everything queued before it
      dev.readSync(probe);
      dev.free(probe);
    },
  };
}
