// How ops reach the gpu device: each op that has a device kernel asks gpuFor(...) first and, when the gpu
// backend is active and every operand is float32, calls the kernel on device buffers; otherwise it runs
// its CPU path (counted as a fallback by record() when the gpu backend is active).
import { gpuDevice } from "../registry.ts";
import { Storage } from "../../storage.ts";
import { Tensor, fromStorage } from "../../tensor.ts";
import type { GpuBuffer, GpuDevice } from "./device.ts";
import { MAX_ELEMENTS } from "./kernels/runtime.ts";

/** Whether a tensor of n elements can live on the device (GL backends index in float32: below 2^24). */
const fits = (n: number): boolean => n <= MAX_ELEMENTS;

/**
 * The active gpu device when every given tensor can live on it (float32, not too large); null sends the
 * op to the CPU backend. Ops whose result is larger than their inputs name its size with gpuForOutput.
 */
export function gpuFor(...tensors: (Tensor | null | undefined)[]): GpuDevice | null {
  const d = gpuDevice();
  if (!d) return null;
  for (const t of tensors) if (t && (t.dtype !== "float32" || !fits(t.numel))) return null;
  return d;
}

export const gpuForOutput = (outputElements: number, ...tensors: (Tensor | null | undefined)[]): GpuDevice | null =>
  (fits(outputElements) ? gpuFor(...tensors) : null);

/** The tensor's buffer on the device (uploaded on first use, then kept until a host write). */
export const on = (t: Tensor, d: GpuDevice): GpuBuffer => t.buf.deviceBuffer(d) as GpuBuffer;
export const onOrNull = (t: Tensor | null | undefined, d: GpuDevice): GpuBuffer | null => (t ? on(t, d) : null);

export const deviceTensor = (b: GpuBuffer, shape: readonly number[]): Tensor => fromStorage(Storage.onDevice(b), shape);

/** One kernel call with one output of `shape`. */
export function run1(d: GpuDevice, method: string, args: readonly unknown[], shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n === 0) return fromStorage(new Float32Array(0), shape); // nothing to launch
  return deviceTensor(d.call(method, args, [n])[0]!, shape);
}
