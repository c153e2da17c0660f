// Emits the float32 map kernels: exp/erf/sigmoid, all on
// f32x4 lanes with a polynomial exp (Cephes expf: range reduction by ln 2, degree-6 polynomial), within 1 ulp.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";

const { i32, v128 } = ValType;
const EXP_HI = 89; // above ln(FLT_MAX) ≈ 88.7228 (so the result overflows to +inf), n stays ≤ 128
const EXP_LO = -104; // below ln(2⁻¹⁵⁰) ≈ −103.972 (so the result underflows to 0), n stays ≥ −150
const MAGIC = 1.5 * 2 ** 23; // t + MAGIC rounds t to an integer held in the low mantissa bits
const MAGIC_BITS = 0x4b400000;
const ONE_BITS = 0x3f800000;

/**
 * Pushes f32x4 exp(local x). NaN stays NaN, −∞ gives 0, +∞ gives +∞. Every constant is hoisted
 * (Code.f32x4Hoisted) and each step is one x64 instruction: pmax/pmin clamp (NaN passes through), n by the
 * 1.5·2²³ rounding trick, whose bits also give 2ⁿ's exponent (no float→int conversion), and no out-of-range
 * fix-up: the clamp keeps n in [−150, 128], where the two-factor scaling over- or underflows by itself exactly
 * where exp does.
 */
export function emitExp(c: Code, x: number, tmp: { n: number; r: number; y: number }): void {
  const { n, r, y } = tmp;
  const K = (v: number): Code => c.f32x4Hoisted(v);
  const [mul, add, sub] = [Simd.f32x4Mul, Simd.f32x4Add, Simd.f32x4Sub];
  // t = clamp(x)·log2 e + MAGIC (t's bits hold n = round(clamp(x)·log2 e)); r = x − n·ln2 (ln 2 split in two)
  c.get(x); K(EXP_LO).simd(Simd.f32x4Pmax); K(EXP_HI).simd(Simd.f32x4Pmin).set(r);
  c.get(r); K(Math.LOG2E).simd(mul); K(MAGIC).simd(add).set(n);
  c.get(n); K(MAGIC).simd(sub).set(y);
  c.get(r).get(y); K(0.693359375).simd(mul).simd(sub).get(y); K(-2.12194440e-4).simd(mul).simd(sub).set(r);
  K(1.9875691500e-4).set(y);
  for (const k of [1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1]) {
    c.get(y).get(r).simd(mul); K(k).simd(add).set(y);
  }
  // y·r² + r + 1, times 2ⁿ as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), each factor's bits ((k << 23) + bits(1)) from n's: each
  // stays a normal float for n in [−150, 128], so results near FLT_MAX and in the denormal range come out right.
  c.get(y).get(r).simd(mul).get(r).simd(mul).get(r).simd(add); K(1).simd(add);
  c.get(n); c.i32x4Hoisted(MAGIC_BITS).simd(Simd.i32x4Sub).set(n);
  c.get(n).i32(1).simd(Simd.i32x4ShrS).set(r);
  c.get(r).i32(23).simd(Simd.i32x4Shl); c.i32x4Hoisted(ONE_BITS).simd(Simd.i32x4Add).simd(mul);
  c.get(n).get(r).simd(Simd.i32x4Sub).i32(23).simd(Simd.i32x4Shl);
  c.i32x4Hoisted(ONE_BITS).simd(Simd.i32x4Add).simd(mul);
}

/** map(src, dst, n): dst[i] = f(src[i]) four lanes at a time; n is rounded up to 4 (the caller pads). */
export function map(body: (c: Code, x: number, out: number) => void): Code {
  const c = new Code([i32, i32, i32]);
  const [SRC, DST, N] = [0, 1, 2];
  const [i, x, out] = [c.local(i32), c.local(v128), c.local(v128)];
  c.for(i, () => c.i32(0), () => c.get(N), 4, () => {
    c.get(SRC).v128Load().set(x);
    body(c, x, out);
    c.get(DST).get(out).v128Store();
    c.inc(SRC, 16).inc(DST, 16);
  });
  return c;
}

const expMap = (): Code => map((c, x, out) => {
  const tmp = { n: c.local(v128), r: c.local(v128), y: c.local(v128) };
  emitExp(c, x, tmp);
  c.set(out);
});

/** sigmoid = 1 / (1 + exp(−x)). */
const sigmoidMap = (): Code => map((c, x, out) => {
  const nx = c.local(v128);
  const tmp = { n: c.local(v128), r: c.local(v128), y: c.local(v128) };
  c.get(x).simd(Simd.f32x4Neg).set(nx);
  c.f32x4Hoisted(1);
  emitExp(c, nx, tmp);
  c.f32x4Hoisted(1).simd(Simd.f32x4Add).simd(Simd.f32x4Div).set(out);
});

/**
 * erf: the odd Taylor series to x¹¹ for |x| < 0.5 (relative error < 2e-8) and Abramowitz–Stegun
 * 7.1.26 above (absolute error < 1.5e-7), with the sign restored.
 */
const erfMap = (): Code => map((c, x, out) => {
  const [ax, x2, t, s, nx2] = [c.local(v128), c.local(v128), c.local(v128), c.local(v128), c.local(v128)];
  const tmp = { n: c.local(v128), r: c.local(v128), y: c.local(v128) };
  c.get(x).simd(Simd.f32x4Abs).set(ax);
  c.get(x).get(x).simd(Simd.f32x4Mul).set(x2);
  // Taylor: 2/√π · x · Σ (−x²)ⁿ / (n! (2n+1)), Horner from the x¹¹ term.
  const taylor = [1, -1 / 3, 1 / 10, -1 / 42, 1 / 216, -1 / 1320];
  c.f32x4Hoisted(taylor[5]).set(s);
  for (let q = 4; q >= 0; q--) c.get(s).get(x2).simd(Simd.f32x4Mul).f32x4Hoisted(taylor[q]).simd(Simd.f32x4Add).set(s);
  c.get(s).get(ax).simd(Simd.f32x4Mul).f32x4Hoisted(2 / Math.sqrt(Math.PI)).simd(Simd.f32x4Mul).set(s);
  // A–S: 1 − t·(a1 + t(a2 + t(a3 + t(a4 + t a5))))·exp(−x²), t = 1/(1 + p|x|)
  c.f32x4Hoisted(1).get(ax).f32x4Hoisted(0.3275911).simd(Simd.f32x4Mul).f32x4Hoisted(1).simd(Simd.f32x4Add)
      .simd(Simd.f32x4Div).set(t);
  c.get(x2).simd(Simd.f32x4Neg).set(nx2);
  c.f32x4Hoisted(1.061405429).set(out);
  for (const k of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) c.get(out).get(t)
      .simd(Simd.f32x4Mul).f32x4Hoisted(k).simd(Simd.f32x4Add).set(out);
  c.get(out).get(t).simd(Simd.f32x4Mul).set(out);
  emitExp(c, nx2, tmp);
  c.get(out).simd(Simd.f32x4Mul).set(out);
  c.f32x4Hoisted(1).get(out).simd(Simd.f32x4Sub).set(out);
  // pick the series near 0, then copy the sign of x
  c.get(s).get(out).get(ax).f32x4Hoisted(0.5).simd(Simd.f32x4Lt).simd(Simd.v128Bitselect).set(out);
  c.get(out).simd(Simd.f32x4Neg).get(out).get(x).v128Zero().simd(Simd.f32x4Lt).simd(Simd.v128Bitselect).set(out);
});

export function mathFunctions(): Record<string, Code> {
  return { exp: expMap(), erf: erfMap(), sigmoid: sigmoidMap() };
}
