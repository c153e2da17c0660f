// Jump-ahead for the xoshiro128** stream (engine/random.ts), so threads can each draw their own range of one
// stream: the state transition is linear over GF(2), so k steps are the 128×128 bit matrix M^k, applied as
// the product of the precomputed squares M^(2^i) for the set bits of k.

const BITS = 128;
type Matrix = Uint32Array; // column j (the image of state bit j) at words 4j..4j+3

/** One transition of the state words in place (the output is not needed here). */
function step(s: Uint32Array): void {
  const t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t;
  s[3] = (s[3] << 11) | (s[3] >>> 21);
}

/** m·v over GF(2): the XOR of the columns whose bit is set in v. */
function apply(m: Matrix, v: Uint32Array): Uint32Array {
  const out = new Uint32Array(4);
  for (let j = 0; j < BITS; j++) {
    if (((v[j >>> 5] >>> (j & 31)) & 1) === 0) continue;
    out[0] ^= m[4 * j]; out[1] ^= m[4 * j + 1]; out[2] ^= m[4 * j + 2]; out[3] ^= m[4 * j + 3];
  }
  return out;
}

/** powers[i] = M^(2^i), grown on demand. */
const powers: Matrix[] = [];

function power(i: number): Matrix {
  if (powers.length === 0) {
    const m = new Uint32Array(4 * BITS);
    for (let j = 0; j < BITS; j++) {
      const e = new Uint32Array(4);
      e[j >>> 5] = 1 << (j & 31);
      step(e);
      m.set(e, 4 * j);
    }
    powers.push(m);
  }
  while (powers.length <= i) {
    const m = powers[powers.length - 1];
    const sq = new Uint32Array(4 * BITS);
    for (let j = 0; j < BITS; j++) sq.set(apply(m, m.subarray(4 * j, 4 * j + 4)), 4 * j);
    powers.push(sq);
  }
  return powers[i];
}

/** The state k draws after `state` (k a non-negative integer below 2^53). */
export function jumped(state: Uint32Array, k: number): Uint32Array {
  let s: Uint32Array = Uint32Array.from(state);
  for (let i = 0; k > 0; i++, k = Math.floor(k / 2)) if (k % 2 === 1) s = apply(power(i), s);
  return s;
}
