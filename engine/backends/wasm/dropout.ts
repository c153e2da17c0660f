// The attention dropout on wasm: out = x ⊙ keep · scale with the byte keep-mask, split over the worker pool
// (the mask is copied in; x and out are read and written in place where they live in the heap). Below `min`
// elements, or off float32, the reference loop runs.
import type { FloatArray } from "../../dtype.ts";
import type { AttentionDropout } from "../backend.ts";
import { applyDropout } from "../cpu/attention.ts";
import { f32Bits } from "./emit/encoding.ts";
import type { WasmRuntime } from "./runtime.ts";
import { isF32, splitJobs, threadsFor } from "./split.ts";

/** Elements below which the reference loop is as fast; elements per thread below which a split does not pay. */
export const dropoutTuning = { min: 4096, splitElements: 1 << 16 };

export function applyDropoutWith(rt: () => WasmRuntime, x: FloatArray, drop: AttentionDropout, out: FloatArray): void {
  const n = x.length;
  if (!isF32(x, out) || n < dropoutTuning.min) return applyDropout(x, drop, out);
  const r = rt();
  const ops = [{ read: x as Float32Array }, { scratch: n }, { write: out as Float32Array }];
  const addrs = r.layout(ops);
  const [xa, ka, oa] = addrs;
  new Uint8Array(r.f32.buffer, ka, n).set(drop.keep.subarray(0, n));
  const scale = f32Bits(drop.scale);
  const threads = threadsFor(r, n, dropoutTuning.splitElements);
  r.parallel(splitJobs(threads, n, (s, e) => ["dropoutU8", [xa + 4 * s, ka + s, oa + 4 * s, e - s, scale]]));
  r.writeBack(ops, addrs);
}
