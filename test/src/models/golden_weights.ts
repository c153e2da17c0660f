// Deterministic parameter / input values shared with test/golden/gen_aetnet.py: integer hashing of (name, index), so both sides agree exactly.
import { Tensor, noGrad, tensor } from "../../../engine/index.ts";
import type { nn } from "../../../engine/index.ts";

const nameSeed = (name: string): number => {
  let s = 7;
  for (const ch of name) s = (Math.imul(s, 31) + ch.charCodeAt(0)) >>> 0;
  return s;
};

/** n values in [-1, 1), float32-exact, from an integer hash of name and position. */
export function hashUnits(name: string, n: number): Float32Array {
  const seed = nameSeed(name);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let x = (Math.imul(i, 0x9e3779b1) + seed) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b) >>> 0;
    x = (x ^ (x >>> 16)) >>> 0;
    out[i] = (x / 4294967296) * 2 - 1;
  }
  return out;
}

/** The golden script's init_value: LayerNorm gains 1 + 0.1u, biases 0.1u, embeddings 0.5u, weights 1.5u/√fan_in. */
export function initValue(name: string, shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const u = hashUnits(name, n);
  const out = new Float32Array(n);
  const embed = name.includes("embeddings") || name.endsWith("cls_token") || name.endsWith("pos_embed");
  for (let i = 0; i < n; i++) {
    const v = Math.fround(u[i]);
    if (shape.length === 1 && name.endsWith(".weight")) out[i] = 1 + 0.1 * v;
    else if (shape.length === 1) out[i] = 0.1 * v;
    else if (embed) out[i] = 0.5 * v;
    else out[i] = (1.5 / Math.sqrt(n / shape[0])) * v;
  }
  return out;
}

/** Overwrites every trainable parameter (except those in skip) with its golden value; frozen ones are left alone. */
export function fillGolden(model: nn.Module, skip: readonly string[] = []): string[] {
  const names: string[] = [];
  noGrad(() => {
    for (const [name, p] of model.namedParameters()) {
      if (skip.includes(name) || !p.requiresGrad) continue;
      p.storage.set(initValue(name, p.shape));
      names.push(name);
    }
  });
  return names;
}

export const hashTensor = (name: string, shape: number[]): Tensor => tensor(hashUnits(name, shape.reduce((a, b) => a * b, 1)), shape);

/** Relative closeness: |a − b| ≤ atol + rtol·|b| elementwise; returns the worst offender for the message. */
export function closeTo(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-5): { ok: boolean; worst: string } {
  let worst = -1;
  let msg = "";
  if (actual.length < expected.length) return { ok: false, worst: `length ${actual.length} < ${expected.length}` };
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (excess > worst) { worst = excess; msg = `index ${i}: got ${actual[i]}, expected ${expected[i]}`; }
  }
  return { ok: worst <= 0, worst: msg };
}
