// Reference random kernels: the dropout keep-mask from the generator's own stream, drawn in chunks.
import type { TypedArray } from "../../dtype.ts";
import { xoshiroUniforms } from "../../random.ts";

const CHUNK = 4096;

export function bernoulliMask(state: Uint32Array, p: number, keep: number, out: TypedArray | Uint8Array): void {
  const u = new Float64Array(Math.min(CHUNK, out.length));
  for (let at = 0; at < out.length; at += CHUNK) {
    const chunk = out.length - at >= CHUNK ? u : u.subarray(0, out.length - at);
    xoshiroUniforms(state, chunk);
    for (let j = 0; j < chunk.length; j++) out[at + j] = chunk[j] >= p ? keep : 0;
  }
}
