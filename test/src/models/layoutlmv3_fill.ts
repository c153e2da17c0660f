// Deterministic parameter/input fill shared with test/golden/gen_layoutlmv3.py (integer LCG seeded by FNV-1a of the name).
import { Tensor, nn, noGrad } from "../../../engine/index.ts";

function fnv1a(s: string): number {
  let h = 2166136261;
  for (const byte of new TextEncoder().encode(s)) h = Math.imul(h ^ byte, 16777619) >>> 0;
  return h;
}

/** base + amp·u with u uniform in [-1, 1), bit-identical to det_values() in the golden script. */
export function detValues(name: string, n: number, amp = 1, base = 0): Float64Array {
  let state = fnv1a(name);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = base + amp * ((state / 4294967296) * 2 - 1);
  }
  return out;
}

/** A float32 tensor filled by detValues. */
export const detTensor = (name: string, shape: number[], amp = 1): Tensor =>
  new Tensor(Float32Array.from(detValues(name, shape.reduce((a, b) => a * b, 1), amp)), shape);

/** (base, amplitude) by parameter name, as param_amp() in the golden script. */
function paramAmp(name: string): [number, number] {
  const low = name.toLowerCase();
  if (low.endsWith("norm.weight")) return [1, 0.2];
  if (low.endsWith(".bias")) return [0, 0.1];
  if (low.includes("rel_pos")) return [0, 1.5];
  if (low.includes("embed") || low.endsWith("cls_token")) return [0, 0.5];
  return [0, 0.15];
}

/** Fills every parameter of module (named with prefix) as the golden script does. */
export function detFill(module: nn.Module, prefix = ""): void {
  noGrad(() => {
    for (const [name, p] of module.namedParameters(prefix)) {
      const [base, amp] = paramAmp(name);
      p.storage.set(detValues(name, p.numel, amp, base));
    }
  });
}
