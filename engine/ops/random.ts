// Random tensors drawn from the global seeded generator or a per-call one.
import { allocate, type DType, type TypedArray } from "../dtype.ts";
import { ShapeError } from "../errors.ts";
import { defaultGenerator, forEachUniform, type Generator } from "../random.ts";
import { checkShape, numelOf } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";

/** Options of the random constructors: the generator to draw from, the dtype and requiresGrad. */
export interface RandomOptions { generator?: Generator; dtype?: DType; requiresGrad?: boolean }

let skipping = false;

/**
 * Builds modules without drawing their initial weights: inside fn every random tensor is zeros and the
 * generator does not advance (torch.nn.utils.skip_init's role). For models whose weights are loaded
 * right after, or only counted — a base-size AETNet otherwise spends most of its construction in the RNG.
 */
export function skipInit<T>(fn: () => T): T {
  const prev = skipping;
  skipping = true;
  try { return fn(); } finally { skipping = prev; }
}

/** A tensor of `shape` whose elements `draw` writes from the generator (zeros, drawing nothing, under skipInit). */
function fill(shape: readonly number[], opts: RandomOptions, draw: (g: Generator, data: TypedArray) => void, fallback: DType = "float32"): Tensor {
  checkShape("random", shape);
  const g = opts.generator ?? defaultGenerator;
  const data = allocate(opts.dtype ?? fallback, numelOf(shape));
  if (!skipping) draw(g, data);
  const t = fromStorage(data, shape);
  return opts.requiresGrad ? t.requiresGrad_() : t;
}

/** data[i] = f(u_i) for successive uniforms u_i: the stream of g.random(), drawn in bulk. */
const mapUniform = (f: (u: number) => number) => (g: Generator, data: TypedArray): void =>
  forEachUniform(g.streamState(), data.length, (u, at) => { for (let j = 0; j < u.length; j++) data[at + j] = f(u[j]); });

/** Uniform in [0, 1). */
export const rand = (shape: readonly number[], opts: RandomOptions = {}): Tensor => fill(shape, opts, mapUniform((u) => u));
/** Standard normal. */
export const randn = (shape: readonly number[], opts: RandomOptions = {}): Tensor =>
  fill(shape, opts, (g, data) => { for (let i = 0; i < data.length; i++) data[i] = g.normal(); });

/** Uniform integers in [low, high), int32. */
export function randint(low: number, high: number, shape: readonly number[], opts: RandomOptions = {}): Tensor {
  if (!(high > low)) throw new ShapeError("randint", `expected low < high, got ${low} and ${high}`);
  return fill(shape, opts, mapUniform((u) => low + Math.floor(u * (high - low))), "int32");
}

/** A random permutation of 0..n-1 (Fisher–Yates), int32. */
export function randperm(n: number, opts: RandomOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  const data = new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) { const j = g.int(0, i + 1); [data[i], data[j]] = [data[j], data[i]]; }
  return fromStorage(data, [n]);
}

/** Draws from N(mean, std²). */
export function normal(shape: readonly number[], mean: number, std: number, opts: RandomOptions = {}): Tensor {
  return fill(shape, opts, (g, data) => { for (let i = 0; i < data.length; i++) data[i] = mean + std * g.normal(); });
}
/** Draws uniformly from [low, high). */
export function uniform(shape: readonly number[], low: number, high: number, opts: RandomOptions = {}): Tensor {
  return fill(shape, opts, mapUniform((u) => low + (high - low) * u));
}
