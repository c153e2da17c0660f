// The dropout keep-mask on wasm, split over the worker pool: each thread draws its own range of the one
// stream from a state jumped ahead to the range's start (xoshiro_jump.ts), so the mask and the generator's
// state afterwards are the same for any thread count as for one random() call per element.
import type { TypedArray } from "../../dtype.ts";
import { cpuKernels } from "../cpu/index.ts";
import { f32Bits } from "./emit/encoding.ts";
import type { Operand, WasmRuntime } from "./runtime.ts";
import { share, threadsFor } from "./split.ts";
import { jumped } from "./xoshiro_jump.ts";

/** Elements below which the reference loop is as fast; elements per thread below which a split does not pay. */
export const randomTuning = { min: 4096, splitElements: 1 << 16 };

export function bernoulliMaskWith(rt: () => WasmRuntime, state: Uint32Array, p: number, keep: number, out: TypedArray | Uint8Array): void {
  const n = out.length;
  const threshold = Math.ceil(p * 2 ** 32);
  const bytes = out instanceof Uint8Array;
  if (!(bytes || out instanceof Float32Array) || n < randomTuning.min || !(threshold >= 0 && threshold < 2 ** 32)) {
    return cpuKernels.bernoulliMask(state, p, keep, out);
  }
  const r = rt();
  const threads = threadsFor(r, n, randomTuning.splitElements);
  const target: Operand = bytes ? { scratch: n } : { write: out as Float32Array };
  const ops: Operand[] = [target, { scratch: 16 * threads }];
  const [oa, sa] = r.layout(ops);
  const words = new Uint32Array(r.f32.buffer, sa, 4 * threads);
  const ranges = Array.from({ length: threads }, (_, t) => share(n, threads, t));
  ranges.forEach(([s], t) => words.set(s === 0 ? state : jumped(state, s), 4 * t));
  const keepBits = f32Bits(keep);
  r.parallel(ranges.map(([s, e], t) => [bytes ? "maskU8" : "maskF32", [sa + 16 * t, oa + s * (bytes ? 1 : 4), e - s, threshold | 0, keepBits]] as const));
  state.set(new Uint32Array(r.f32.buffer, sa + 16 * (threads - 1), 4));
  if (bytes) out.set(new Uint8Array(r.f32.buffer, oa, n));
  else r.writeBack(ops, [oa, sa]);
}
