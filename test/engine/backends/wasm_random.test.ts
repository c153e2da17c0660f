// The dropout keep-mask on wasm against the reference: the same mask and the same generator state afterwards
// as one random() call per element, for float32 masks (JS heap or resident) and byte masks, on 1 and 2
// threads with the split lowered; and the jump-ahead the threads start from.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { setWasmThreads, wasmKernels, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { randomTuning } from "../../../engine/backends/wasm/random.ts";
import { allocResident, freeResident } from "../../../engine/backends/wasm/tensor_memory.ts";
import { jumped } from "../../../engine/backends/wasm/xoshiro_jump.ts";
import { Generator } from "../../../engine/random.ts";
import { skipWhen } from "../../skip.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("wasm random");
const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");

t("jumping k draws ahead lands where k random() calls do", () => {
  fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 5000 }), (seed, k) => {
    const g = new Generator(seed), walked = new Generator(seed);
    for (let i = 0; i < k; i++) walked.random();
    return String(jumped(g.streamState(), k)) === String(walked.streamState());
  }), { numRuns: RUNS });
});

simd("keep-masks equal one random() draw per element, and leave the same state, on 1 and 2 threads", () => {
  const arb = fc.record({
    seed: fc.integer(), n: fc.integer({ min: 1, max: 20000 }), p: fc.constantFrom(0.1, 0.5, 0.9, 1e-9, 0.999999),
    kind: fc.constantFrom("f32", "resident", "u8"), threads: fc.constantFrom(1, 2), split: fc.constantFrom(64, 1 << 16),
  });
  const saved = { ...randomTuning };
  try {
    fc.assert(fc.property(arb, ({ seed, n, p, kind, threads, split }) => {
      setWasmThreads(threads);
      Object.assign(randomTuning, { min: 1, splitElements: split });
      const ref = new Generator(seed), g = new Generator(seed);
      const keep = kind === "u8" ? 1 : 1 / (1 - p);
      const want = kind === "u8" ? new Uint8Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i++) want[i] = ref.random() >= p ? keep : 0;
      const got = kind === "u8" ? new Uint8Array(n) : kind === "resident" ? allocResident(wasmRuntime(), n, false) ?? new Float32Array(n) : new Float32Array(n);
      try {
        wasmKernels.bernoulliMask!(g.streamState(), p, keep, got);
        const cpu = kind === "u8" ? new Uint8Array(n) : new Float32Array(n);
        cpuKernels.bernoulliMask(new Generator(seed).streamState(), p, keep, cpu);
        return want.every((v, i) => v === got[i] && v === cpu[i]) && String(g.streamState()) === String(ref.streamState());
      } finally { if (got instanceof Float32Array) freeResident(got); }
    }), { numRuns: RUNS * 2 });
  } finally { Object.assign(randomTuning, saved); setWasmThreads(1); }
});

simd("a probability whose threshold reaches 2^32 drops everything on the reference path", () => {
  const g = new Generator(1), ref = new Generator(1);
  const out = new Float32Array(5000).fill(7);
  wasmKernels.bernoulliMask!(g.streamState(), 1 - 2 ** -40, 2, out);
  for (let i = 0; i < out.length; i++) ref.random();
  assert.ok(out.every((v) => v === 0));
  assert.equal(String(g.streamState()), String(ref.streamState()));
});

t.run();
