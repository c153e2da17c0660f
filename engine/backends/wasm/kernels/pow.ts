// pow on float32 lanes, to match the reference (float64 Math.pow rounded to float32): each pair of lanes is
// promoted to float64 and 2^(b·log2|a|) computed there, log2 from fdlibm's log of the mantissa (frexp by
// exponent bits, s = f/(2+f), its degree-14 polynomial in s) plus the exponent, and 2^y as 2^k·e^(r·ln 2) with
// a degree-13 Taylor polynomial, so the double is within ~3e-14 relative of the true power and rounds to the
// reference's float32 except where the true value lies that close to a rounding tie. b = 2 and b = 3 take exact
// products (a·a, a·a·a in double), so exact ties such as 4097² round as the reference does. Every special case
// of Math.pow is a lane mask over the result:
// ±0, ±∞ and NaN operands, negative bases (odd/even integer and non-integer exponents), b = 0, |a| = 1 with
// b = ±∞. Every constant is hoisted (Code.f64x2Hoisted and kin): V8 would rebuild an inline one at every use.
import type { Code } from "../emit/module.ts";
import { Simd, ValType } from "../emit/opcodes.ts";

const { v128 } = ValType;
/** fdlibm's log: log(1+f) = f − f²/2 + s·(f²/2 + R(s²)), R with these coefficients. */
const LG = [6.666666666666735130e-01, 3.999999999940941908e-01, 2.857142874366239149e-01, 2.222219843214978396e-01,
  1.818357216161805012e-01, 1.531383769920937332e-01, 1.479819860511658591e-01];
/** b·log2|a| is clamped here: beyond, the float32 result is 0 or ∞ anyway (below 2⁻¹⁵⁰, above 2¹²⁸). */
const [Y_MIN, Y_MAX] = [-160, 140];

/**
 * Allocates the locals once per function and returns an emitter that pushes pow(a, b) of two f32x4 locals
 * (the reference's float32 result, lane by lane).
 */
export function powLanes(c: Code): (a: number, b: number) => void {
  const L = (): number => c.local(v128);
  const [ax, x, y, k, m, f, s, z, w, hf, t, p, lo, low, res, mask] = Array.from({ length: 16 }, L);
  const mulAdd = (acc: number, by: number, add: number): void => {
    c.get(acc).get(by).simd(Simd.f64x2Mul).f64x2Hoisted(add).simd(Simd.f64x2Add).set(acc);
  };

  /** 2^(y·log2 x) of the f64x2 locals x (finite, positive) and y, left in local p. */
  const powD = (): void => {
    // x = m·2^k, m in [√½, √2)
    c.get(x).i32(52).simd(Simd.i64x2ShrU).set(k);
    c.get(x).i64x2Hoisted(0x000fffffffffffffn).simd(Simd.v128And)
      .i64x2Hoisted(0x3ff0000000000000n).simd(Simd.v128Or).set(m);
    c.get(m).f64x2Hoisted(Math.SQRT2).simd(Simd.f64x2Gt).set(mask);
    c.get(m).f64x2Hoisted(0.5).simd(Simd.f64x2Mul).get(m).get(mask).simd(Simd.v128Bitselect).set(m);
    // k − mask adds 1 where m was halved; 2⁵² + k read as a double, less 2⁵² + 1023, is k unbiased.
    c.get(k).get(mask).simd(Simd.i64x2Sub).i64x2Hoisted(0x4330000000000000n).simd(Simd.v128Or)
      .f64x2Hoisted(2 ** 52 + 1023).simd(Simd.f64x2Sub).set(k);
    c.get(m).f64x2Hoisted(1).simd(Simd.f64x2Sub).set(f);
    c.get(f).get(f).f64x2Hoisted(2).simd(Simd.f64x2Add).simd(Simd.f64x2Div).set(s);
    c.get(s).get(s).simd(Simd.f64x2Mul).set(z);
    c.get(z).get(z).simd(Simd.f64x2Mul).set(w);
    // R = z·(Lg1 + w·(Lg3 + w·(Lg5 + w·Lg7))) + w·(Lg2 + w·(Lg4 + w·Lg6))
    c.f64x2Hoisted(LG[6]).set(t);
    mulAdd(t, w, LG[4]); mulAdd(t, w, LG[2]); mulAdd(t, w, LG[0]);
    c.f64x2Hoisted(LG[5]).set(p);
    mulAdd(p, w, LG[3]); mulAdd(p, w, LG[1]);
    c.get(t).get(z).simd(Simd.f64x2Mul).get(p).get(w).simd(Simd.f64x2Mul).simd(Simd.f64x2Add).set(t);
    c.get(f).get(f).simd(Simd.f64x2Mul).f64x2Hoisted(0.5).simd(Simd.f64x2Mul).set(hf);
    // log2 x = k + ln(m)·log2(e), ln m = f − (hf − s·(hf + R)); y·log2 x as y·k (exact) + y·log2 m, so a
    // power of two to an integer power comes out exact.
    c.get(f).get(hf).get(s).get(hf).get(t).simd(Simd.f64x2Add).simd(Simd.f64x2Mul).simd(Simd.f64x2Sub)
      .simd(Simd.f64x2Sub).set(lo);
    c.get(y).get(k).simd(Simd.f64x2Mul).get(y).get(lo).f64x2Hoisted(Math.LOG2E).simd(Simd.f64x2Mul)
      .simd(Simd.f64x2Mul).simd(Simd.f64x2Add);
    c.f64x2Hoisted(Y_MIN).simd(Simd.f64x2Max).f64x2Hoisted(Y_MAX).simd(Simd.f64x2Min).set(y);
    // 2^y = 2^k·e^(r·ln 2), k = nearest(y), r = y − k exactly, in [−½, ½]
    c.get(y).simd(Simd.f64x2Nearest).set(k);
    c.get(y).get(k).simd(Simd.f64x2Sub).f64x2Hoisted(Math.LN2).simd(Simd.f64x2Mul).set(f);
    c.f64x2Hoisted(1 / factorial(13)).set(p);
    for (let d = 12; d >= 0; d--) mulAdd(p, f, 1 / factorial(d));
    // 2^k from its bits: k + 2⁵² + 1023 holds k + 1023 in its low bits, shifted into the exponent field.
    c.get(p).get(k).f64x2Hoisted(2 ** 52 + 1023).simd(Simd.f64x2Add).i32(52).simd(Simd.i64x2Shl)
      .simd(Simd.f64x2Mul).set(p);
  };
  /** Pushes f32x4 of fn applied to the low and to the high pair of lanes, promoted (fn leaves its f64x2 in p). */
  const halves = (fn: (half: number) => void): void => {
    fn(0); c.get(p).simd(Simd.f32x4DemoteF64x2Zero).set(low);
    fn(1); c.get(low).get(p).simd(Simd.f32x4DemoteF64x2Zero).shuffle32([0, 1, 4, 5]);
  };
  const promote = (from: number, half: number): Code => {
    c.get(from);
    if (half) c.get(from).shuffle32([2, 3, 0, 1]);
    return c.simd(Simd.f64x2PromoteLowF32x4);
  };
  const select = (mask_: () => void, value: () => void): void => {
    value(); c.get(res); mask_(); c.simd(Simd.v128Bitselect).set(res);
  };

  return (a: number, b: number): void => {
    c.get(a).simd(Simd.f32x4Abs).set(ax);
    halves((h) => { promote(ax, h).set(x); promote(b, h).set(y); powD(); });
    c.set(res);
    // ±0, ±∞ bases and ±∞ exponents: ∞ where |a| > 1 and b > 0 agree, else 0.
    select(() => {
      c.get(ax).v128Zero().simd(Simd.f32x4Eq).get(ax).f32x4Hoisted(Infinity).simd(Simd.f32x4Eq).simd(Simd.v128Or);
      c.get(b).simd(Simd.f32x4Abs).f32x4Hoisted(Infinity).simd(Simd.f32x4Eq).simd(Simd.v128Or);
    }, () => {
      c.v128Zero().f32x4Hoisted(Infinity);
      c.get(ax).f32x4Hoisted(1).simd(Simd.f32x4Gt).get(b).v128Zero().simd(Simd.f32x4Gt).simd(Simd.v128Xor)
        .simd(Simd.v128Bitselect);
    });
    // An odd integer exponent keeps the sign of a (−0 and −∞ included): mask = b integral and b/2 not.
    c.get(b).simd(Simd.f32x4Nearest).get(b).simd(Simd.f32x4Eq).set(mask);
    c.get(b).f32x4Hoisted(0.5).simd(Simd.f32x4Mul).set(t);
    c.get(res).get(a);
    c.i32x4Hoisted(0x80000000).simd(Simd.v128And).get(mask).simd(Simd.v128And);
    c.get(t).simd(Simd.f32x4Nearest).get(t).simd(Simd.f32x4Ne).simd(Simd.v128And).simd(Simd.v128Or).set(res);
    // NaN: a finite negative base with a non-integer finite exponent; a NaN operand; |a| = 1 with b = ±∞.
    select(() => {
      c.get(a).v128Zero().simd(Simd.f32x4Lt).get(ax).f32x4Hoisted(Infinity).simd(Simd.f32x4Lt).simd(Simd.v128And)
        .get(mask).simd(Simd.v128Andnot);
      c.get(a).get(a).simd(Simd.f32x4Ne).simd(Simd.v128Or).get(b).get(b).simd(Simd.f32x4Ne).simd(Simd.v128Or);
      c.get(ax).f32x4Hoisted(1).simd(Simd.f32x4Eq).get(b).simd(Simd.f32x4Abs).f32x4Hoisted(Infinity)
        .simd(Simd.f32x4Eq).simd(Simd.v128And).simd(Simd.v128Or);
    }, () => c.f32x4Hoisted(NaN));
    // b = 2 and b = 3 exactly (as Math.pow: a·a, and a·a·a rounded once in double); b = ±0 gives 1 even for NaN a.
    select(() => c.get(b).f32x4Hoisted(2).simd(Simd.f32x4Eq), () => c.get(a).get(a).simd(Simd.f32x4Mul));
    select(() => c.get(b).f32x4Hoisted(3).simd(Simd.f32x4Eq), () => halves((h) => {
      promote(a, h).set(x);
      c.get(x).get(x).simd(Simd.f64x2Mul).get(x).simd(Simd.f64x2Mul).set(p);
    }));
    select(() => c.get(b).v128Zero().simd(Simd.f32x4Eq), () => c.f32x4Hoisted(1));
    c.get(res);
  };
}

function factorial(n: number): number {
  let r = 1;
  for (let i = 2; i <= n; i++) r *= i;
  return r;
}
