// Seeded pseudo-random numbers: one global generator (manualSeed) and optional per-call generators.

/**
 * xoshiro128** (Blackman & Vigna): fast, 128-bit state, good statistical quality.
 * The state is plain numbers so a checkpoint can save and restore it exactly.
 */
export class Generator {
  #s = new Uint32Array(4);
  #spareNormal: number | null = null;

  constructor(seed = 0) { this.manualSeed(seed); }

  manualSeed(seed: number): this {
    // SplitMix32 expands one seed into four well-mixed state words (never all zero).
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.#s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    this.#spareNormal = null;
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
    const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 11);
    return r;
  }

  /** Uniform in [0, 1). */
  random(): number { return this.nextUint32() / 4294967296; }

  /** Fills `out` with the next out.length values random() would return, in order (xoshiroUniforms). */
  randomInto(out: Float64Array): void { xoshiroUniforms(this.#s, out); }

  /**
   * The live state words, for kernels that draw from this stream in bulk (backend.ts: bernoulliMask): a kernel
   * that takes n numbers must leave them exactly as n calls of random() would.
   */
  streamState(): Uint32Array { return this.#s; }

  /** Standard normal (Box–Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== null) { const v = this.#spareNormal; this.#spareNormal = null; return v; }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Uniform integer in [low, high). */
  int(low: number, high: number): number { return low + Math.floor(this.random() * (high - low)); }

  /** JSON-safe state, so checkpoints can resume the exact random stream. */
  getState(): GeneratorState { return { words: [...this.#s], spareNormal: this.#spareNormal }; }
  setState(state: GeneratorState): void {
    for (let i = 0; i < 4; i++) this.#s[i] = state.words[i] >>> 0;
    this.#spareNormal = state.spareNormal;
  }
}

/**
 * Writes the next out.length uniforms of the xoshiro128** stream with state words `s` (advanced past them):
 * the values Generator.random() returns, without a method call per number, the state held in int32 locals.
 */
export function xoshiroUniforms(s: Uint32Array, out: Float64Array): void {
  let s0 = s[0] | 0, s1 = s[1] | 0, s2 = s[2] | 0, s3 = s[3] | 0;
  for (let i = 0; i < out.length; i++) {
    const m = Math.imul(s1, 5);
    out[i] = (Math.imul((m << 7) | (m >>> 25), 9) >>> 0) / 4294967296;
    const t = s1 << 9;
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
  }
  s[0] = s0; s[1] = s1; s[2] = s2; s[3] = s3;
}

const CHUNK = 4096;
const chunk = new Float64Array(CHUNK);

/**
 * Draws n uniforms from a generator's state words (Generator.streamState) in chunks and hands each chunk to
 * `each(u, at)` (u[j] is draw number at + j; only u.length of the chunk is valid). The chunk is reused: `each`
 * must not keep it.
 */
export function forEachUniform(state: Uint32Array, n: number, each: (u: Float64Array, at: number) => void): void {
  for (let at = 0; at < n; at += CHUNK) {
    const u = n - at >= CHUNK ? chunk : chunk.subarray(0, n - at);
    xoshiroUniforms(state, u);
    each(u, at);
  }
}

/** A generator's state, to save and restore with getState / setState. */
export interface GeneratorState { words: number[]; spareNormal: number | null }

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** The generator random ops draw from unless given another; manualSeed reseeds it. */
export const defaultGenerator = new Generator(0);

/** Makes every later random draw reproducible, as torch.manual_seed. */
export function manualSeed(seed: number): void { defaultGenerator.manualSeed(seed); }
