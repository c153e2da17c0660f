// Feature detection by validating tiny modules: SIMD128, and relaxed-SIMD (for fused multiply-add).
import { setFlagsFromString } from "node:v8";
import { encodeModule, Code } from "./module.ts";
import { Simd, ValType } from "./opcodes.ts";

/** A function returning v128, optionally through relaxed_madd. */
function probe(relaxed: boolean): Uint8Array {
  const c = new Code([], [ValType.v128]);
  c.v128Zero();
  if (relaxed) c.v128Zero().v128Zero().simd(Simd.f32x4RelaxedMadd);
  return encodeModule({ probe: c }, false);
}

export const hasWasmSimd = (): boolean => typeof WebAssembly === "object" && WebAssembly.validate(probe(false));

let relaxed: boolean | undefined;

/**
 * Node 20's V8 implements relaxed-SIMD behind a flag; we turn the flag on when the runtime rejects the
 * probe (AETNET_WASM_RELAXED=0 opts out) and keep plain mul+add if it still does not validate.
 */
export function hasRelaxedSimd(): boolean {
  if (relaxed !== undefined) return relaxed;
  relaxed = WebAssembly.validate(probe(true));
  if (!relaxed && process.env.AETNET_WASM_RELAXED !== "0") {
    try { setFlagsFromString("--experimental-wasm-relaxed-simd"); } catch { /* flag unknown to this V8 */ }
    relaxed = WebAssembly.validate(probe(true));
  }
  return relaxed;
}
