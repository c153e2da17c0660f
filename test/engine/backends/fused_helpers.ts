// Shared helpers of the fused-kernel tests: deterministic inputs, max difference, and a fused-vs-composed runner.
import { setFusedOps } from "../../../engine/backends/registry.ts";

/** n deterministic values in (-scale, scale) from a linear congruential generator (independent of the engine RNG). */
export function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed | 0;
  return Float32Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) | 0; return (s / 2 ** 31) * scale; });
}

export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Runs fn with fused ops off, then on, and returns both results (fused ops stay on afterwards). */
export function bothWays<T>(fn: () => T): { fused: T; composed: T } {
  setFusedOps(false);
  try { return { composed: fn(), fused: (setFusedOps(true), fn()) }; } finally { setFusedOps(true); }
}
