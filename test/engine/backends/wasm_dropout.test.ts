// The wasm attention-dropout kernel (engine/backends/wasm/dropout.ts) against the reference loop: odd lengths
// (scalar tails), 1 and 2 threads with the split lowered so every size splits, out separate from x or x itself,
// operands in the wasm heap or in JS arrays, and NaN/∞ inputs where the mask drops them (exactly 0 there).
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { applyDropout } from "../../../engine/backends/cpu/attention.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { setWasmThreads, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { applyDropoutWith, dropoutTuning } from "../../../engine/backends/wasm/dropout.ts";
import { skipWhen } from "../../skip.ts";
import { RUNS } from "../../helpers.ts";
import { values } from "./fused_helpers.ts";

const t = suite("wasm dropout");
const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");

simd("dropoutU8 matches the reference bit for bit", () => {
  const arb = fc.record({
    n: fc.integer({ min: 1, max: 20000 }), seed: fc.integer(), p: fc.constantFrom(0.1, 0.5, 0.9),
    threads: fc.constantFrom(1, 2), inPlace: fc.boolean(), resident: fc.boolean(),
  });
  const saved = { ...dropoutTuning };
  try {
    Object.assign(dropoutTuning, { min: 1, splitElements: 64 });
    fc.assert(fc.property(arb, ({ n, seed, p, threads, inPlace, resident }) => {
      setWasmThreads(threads);
      const x = values(n, seed, 3);
      if (n > 8) x.set([NaN, Infinity, -Infinity, -0], n - 5);
      let s = seed | 0;
      const keep = Uint8Array.from({ length: n }, () => {
        s = (Math.imul(s, 1664525) + 1013904223) | 0;
        return (s >>> 0) / 2 ** 32 >= p ? 1 : 0;
      });
      const drop = { keep, scale: Math.fround(1 / (1 - p)) };
      const want = new Float32Array(n);
      applyDropout(x, drop, want);
      const rt = wasmRuntime();
      const src = resident ? rt.allocF32(n, false) ?? new Float32Array(n) : new Float32Array(n);
      src.set(x);
      const out = inPlace ? src : new Float32Array(n);
      applyDropoutWith(wasmRuntime, src, drop, out);
      const same = want.every((v, i) => Object.is(v, out[i]));
      if (rt.addressOf(src) >= 0) rt.freeF32(src);
      return same;
    }), { numRuns: RUNS });
  } finally { Object.assign(dropoutTuning, saved); }
});

t.run();
