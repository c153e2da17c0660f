// Emits the remaining float32 unary maps (neg, abs, sqrt, rsqrt, relu, sign, step, log, tanh) and clamp
// and where, all on f32x4 lanes. log is Cephes logf (frexp by exponent bits, degree-8 polynomial on
// [√½, √2)); tanh is Cephes tanhf (odd polynomial below 0.625, 1 − 2/(e^{2|x|} + 1) above): a few ulp.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";
import { emitExp, map } from "./math.ts";

const { i32, v128 } = ValType;

const simple = (emit: (c: Code, x: number) => void): Code => map((c, x, out) => { emit(c, x); c.set(out); });

/** log(x): NaN below 0 and for NaN, −inf at ±0, +inf at +inf; denormals scaled by 2²³ first. */
const logMap = (): Code => map((c, x, out) => {
  const [xs, den, e, m, lo, z, y] = [c.local(v128), c.local(v128), c.local(v128), c.local(v128), c.local(v128), c.local(v128), c.local(v128)];
  // Denormals: scale into the normal range and remember the 23.
  c.get(x).f32x4Hoisted(1.1754943508222875e-38).simd(Simd.f32x4Lt).set(den);
  c.get(x).f32x4Hoisted(8388608).simd(Simd.f32x4Mul).get(x).get(den).simd(Simd.v128Bitselect).set(xs);
  // exponent e with the mantissa m in [0.5, 1)
  c.get(xs).i32(23).simd(Simd.i32x4ShrU);
  c.i32x4Hoisted(126).simd(Simd.i32x4Sub);
  c.i32x4Hoisted(23).get(den).simd(Simd.v128And).simd(Simd.i32x4Sub).set(e);
  c.get(xs);
  c.i32x4Hoisted(0x807fffff).simd(Simd.v128And);
  c.i32x4Hoisted(0x3f000000).simd(Simd.v128Or).set(m);
  // m < √½: e −= 1, f = 2m − 1; else f = m − 1
  c.get(m).f32x4Hoisted(Math.SQRT1_2).simd(Simd.f32x4Lt).set(lo);
  c.get(e).get(lo).simd(Simd.i32x4Add).simd(Simd.f32x4ConvertI32x4S).set(e);
  c.get(m).f32x4Hoisted(1).simd(Simd.f32x4Sub).get(m).get(lo).simd(Simd.v128And).simd(Simd.f32x4Add).set(m);
  c.get(m).get(m).simd(Simd.f32x4Mul).set(z);
  const P = [7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1];
  c.f32x4Hoisted(P[0]).set(y);
  for (const k of P.slice(1)) c.get(y).get(m).simd(Simd.f32x4Mul).f32x4Hoisted(k).simd(Simd.f32x4Add).set(y);
  // y·f·z + e·(−2.12e−4) − z/2 + f + e·0.693359375 (ln 2 split in two)
  c.get(y).get(m).simd(Simd.f32x4Mul).get(z).simd(Simd.f32x4Mul)
    .get(e).f32x4Hoisted(-2.12194440e-4).simd(Simd.f32x4Mul).simd(Simd.f32x4Add)
    .get(z).f32x4Hoisted(0.5).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub)
    .get(m).simd(Simd.f32x4Add)
    .get(e).f32x4Hoisted(0.693359375).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(out);
  c.f32x4Hoisted(NaN).get(out).get(x).v128Zero().simd(Simd.f32x4Lt).get(x).get(x).simd(Simd.f32x4Ne).simd(Simd.v128Or)
    .simd(Simd.v128Bitselect).set(out);
  c.f32x4Hoisted(Infinity).get(out).get(x).f32x4Hoisted(Infinity).simd(Simd.f32x4Eq).simd(Simd.v128Bitselect).set(out);
  c.f32x4Hoisted(-Infinity).get(out).get(x).v128Zero().simd(Simd.f32x4Eq).simd(Simd.v128Bitselect).set(out);
});

/** tanh(x): the Cephes odd polynomial for |x| < 0.625, else sign(x)·(1 − 2/(exp(2|x|) + 1)); NaN stays NaN. */
const tanhMap = (): Code => map((c, x, out) => {
  const [ax, z, s, big] = [c.local(v128), c.local(v128), c.local(v128), c.local(v128)];
  const tmp = { n: c.local(v128), r: c.local(v128), y: c.local(v128) };
  c.get(x).simd(Simd.f32x4Abs).set(ax);
  c.get(x).get(x).simd(Simd.f32x4Mul).set(z);
  const P = [-5.70498872745e-3, 2.06390887954e-2, -5.37397155531e-2, 1.33314422036e-1, -3.33332819422e-1];
  c.f32x4Hoisted(P[0]).set(s);
  for (const k of P.slice(1)) c.get(s).get(z).simd(Simd.f32x4Mul).f32x4Hoisted(k).simd(Simd.f32x4Add).set(s);
  c.get(s).get(z).simd(Simd.f32x4Mul).get(x).simd(Simd.f32x4Mul).get(x).simd(Simd.f32x4Add).set(s);
  c.get(ax).get(ax).simd(Simd.f32x4Add).set(big);
  emitExp(c, big, tmp);
  c.set(big);
  c.f32x4Hoisted(1).f32x4Hoisted(2).get(big).f32x4Hoisted(1).simd(Simd.f32x4Add).simd(Simd.f32x4Div)
    .simd(Simd.f32x4Sub).set(big);
  // copy the sign of x onto the large branch
  c.get(big);
  c.i32x4Hoisted(0x7fffffff).simd(Simd.v128And).get(x);
  c.i32x4Hoisted(0x80000000).simd(Simd.v128And).simd(Simd.v128Or).set(big);
  c.get(s).get(big).get(ax).f32x4Hoisted(0.625).simd(Simd.f32x4Lt).simd(Simd.v128Bitselect).set(out);
});

/** The unary maps by UnaryOp name (exp, erf and sigmoid are in math.ts). */
export function mapFunctions(): Record<string, Code> {
  return {
    neg: simple((c, x) => { c.get(x).simd(Simd.f32x4Neg); }),
    abs: simple((c, x) => { c.get(x).simd(Simd.f32x4Abs); }),
    sqrt: simple((c, x) => { c.get(x).simd(Simd.f32x4Sqrt); }),
    rsqrt: simple((c, x) => { c.f32x4Hoisted(1).get(x).simd(Simd.f32x4Sqrt).simd(Simd.f32x4Div); }),
    // x > 0 ? x : 0 (NaN and −0 give +0, as the reference)
    relu: simple((c, x) => { c.get(x).get(x).v128Zero().simd(Simd.f32x4Gt).simd(Simd.v128And); }),
    sign: simple((c, x) => {
      c.f32x4Hoisted(1).get(x).v128Zero().simd(Simd.f32x4Gt).simd(Simd.v128And);
      c.f32x4Hoisted(-1).get(x).v128Zero().simd(Simd.f32x4Lt).simd(Simd.v128And).simd(Simd.v128Or);
    }),
    step: simple((c, x) => { c.f32x4Hoisted(1).get(x).v128Zero().simd(Simd.f32x4Gt).simd(Simd.v128And); }),
    log: logMap(),
    tanh: tanhMap(),
    clamp: clampMap(),
    whereI32: whereMap(true),
    whereF32: whereMap(false),
  };
}

/** clamp(src, dst, n, loBits, hiBits): min(max(x, lo), hi), NaN-propagating as Math.min/Math.max. */
function clampMap(): Code {
  const c = new Code([i32, i32, i32, i32, i32]);
  const [SRC, DST, N, LO, HI] = [0, 1, 2, 3, 4];
  const [i, lo, hi] = [c.local(i32), c.local(v128), c.local(v128)];
  c.get(LO).simd(Simd.i32x4Splat).set(lo);
  c.get(HI).simd(Simd.i32x4Splat).set(hi);
  c.for(i, () => c.i32(0), () => c.get(N), 4, () => {
    c.get(DST).get(SRC).v128Load().get(lo).simd(Simd.f32x4Max).get(hi).simd(Simd.f32x4Min).v128Store();
    c.inc(SRC, 16).inc(DST, 16);
  });
  return c;
}

/** where(cond, a, b, dst, n): cond ≠ 0 ? a : b, cond read as int32 or float32 lanes (NaN counts as nonzero). */
function whereMap(intCond: boolean): Code {
  const c = new Code([i32, i32, i32, i32, i32]);
  const [COND, A, B, DST, N] = [0, 1, 2, 3, 4];
  const i = c.local(i32);
  c.for(i, () => c.i32(0), () => c.get(N), 4, () => {
    c.get(DST).get(A).v128Load().get(B).v128Load().get(COND).v128Load().v128Zero();
    c.simd(intCond ? Simd.i32x4Ne : Simd.f32x4Ne).simd(Simd.v128Bitselect).v128Store();
    c.inc(COND, 16).inc(A, 16).inc(B, 16).inc(DST, 16);
  });
  return c;
}
