// Reference random kernels: the dropout keep-mask from the generator's own stream, drawn in chunks.
import type { TypedArray } from "../../dtype.ts";
import { forEachUniform } from "../../random.ts";

export function bernoulliMask(state: Uint32Array, p: number, keep: number, out: TypedArray | Uint8Array): void {
  forEachUniform(state, out.length, (u, at) => { for (let j = 0; j < u.length; j++) out[at + j] = u[j] >= p ? keep : 0; });
}
