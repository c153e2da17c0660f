// Emits the float32 layer-norm kernels (forward, and the one-pass backward from the saved mean/rstd) and the
// GELU maps, on f32x4 lanes with scalar tails. Weight and bias are always given: the caller passes ones and
// zeros for absent ones, so one body serves every case.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";
import { emitExp } from "./math.ts";

const { i32, f32, v128 } = ValType;

/** Loops of one row kernel over byte offsets: whole vectors, then the 0–3 element tail. */
function rowLoops(c: Code, cols: number): { jb: number; vectors: (b: () => void) => void; tail: (b: () => void) => void } {
  const [jb, cb, c4b] = [c.local(i32), c.local(i32), c.local(i32)];
  c.get(cols).i32(4).op(Op.i32Mul).set(cb);
  c.get(cols).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(c4b);
  return {
    jb,
    vectors: (b) => c.for(jb, () => c.i32(0), () => c.get(c4b), 16, b),
    tail: (b) => c.for(jb, () => c.get(c4b), () => c.get(cb), 4, b),
  };
}

const hsum = (c: Code, v: number): void => {
  c.get(v).simd(Simd.f32x4ExtractLane, 0);
  for (let l = 1; l < 4; l++) c.get(v).simd(Simd.f32x4ExtractLane, l).op(Op.f32Add);
};

/**
 * layerNormRows(x, w, b, out, mean, rstd, rows, cols, epsBits): per row mean μ, rstd = 1/√(var + eps)
 * (biased variance, from the centred values), out = (x − μ)·rstd·w + b.
 */
function layerNormRows(): Code {
  const c = new Code(new Array<ValType>(9).fill(i32));
  const [X, W, B, OUT, MEAN, RSTD, ROWS, COLS, EPS] = c.params.map((_, i) => i);
  const { jb, vectors, tail } = rowLoops(c, COLS);
  const at = (base: number): Code => c.get(base).get(jb).op(Op.i32Add);
  const [row, mu, rs, d] = [c.local(i32), c.local(f32), c.local(f32), c.local(f32)];
  const [acc, muv, rsv, dv] = [c.local(v128), c.local(v128), c.local(v128), c.local(v128)];
  const n = c.local(f32);
  c.get(COLS).op(Op.f32ConvertI32S).set(n);
  c.for(row, () => c.i32(0), () => c.get(ROWS), 1, () => {
    c.v128Zero().set(acc);
    vectors(() => { c.get(acc); at(X).v128Load().simd(Simd.f32x4Add).set(acc); });
    hsum(c, acc); c.set(mu);
    tail(() => { c.get(mu); at(X).f32Load().op(Op.f32Add).set(mu); });
    c.get(mu).get(n).op(Op.f32Div).set(mu);
    c.get(mu).simd(Simd.f32x4Splat).set(muv);
    c.v128Zero().set(acc);
    vectors(() => { at(X).v128Load().get(muv).simd(Simd.f32x4Sub).set(dv); c.get(acc).get(dv).get(dv).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(acc); });
    hsum(c, acc); c.set(rs);
    tail(() => { at(X).f32Load().get(mu).op(Op.f32Sub).set(d); c.get(rs).get(d).get(d).op(Op.f32Mul).op(Op.f32Add).set(rs); });
    c.f32(1).get(rs).get(n).op(Op.f32Div).get(EPS).op(Op.f32ReinterpretI32).op(Op.f32Add).op(Op.f32Sqrt).op(Op.f32Div).set(rs);
    c.get(MEAN).get(mu).f32Store();
    c.get(RSTD).get(rs).f32Store();
    c.get(rs).simd(Simd.f32x4Splat).set(rsv);
    vectors(() => {
      at(OUT); at(X).v128Load().get(muv).simd(Simd.f32x4Sub).get(rsv).simd(Simd.f32x4Mul);
      at(W).v128Load().simd(Simd.f32x4Mul); at(B).v128Load().simd(Simd.f32x4Add).v128Store();
    });
    tail(() => {
      at(OUT); at(X).f32Load().get(mu).op(Op.f32Sub).get(rs).op(Op.f32Mul);
      at(W).f32Load().op(Op.f32Mul); at(B).f32Load().op(Op.f32Add).f32Store();
    });
    c.inc(X, () => c.get(COLS).i32(4).op(Op.i32Mul)).inc(OUT, () => c.get(COLS).i32(4).op(Op.i32Mul)).inc(MEAN, 4).inc(RSTD, 4);
  });
  return c;
}

/**
 * layerNormBackwardRows(x, g, w, mean, rstd, dx, dw, db, rows, cols): with ĝ = g·w and x̂ = (x − μ)·rstd,
 * dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)); dw += Σ_rows g·x̂ and db += Σ_rows g (this call's rows only).
 */
function layerNormBackwardRows(): Code {
  const c = new Code(new Array<ValType>(10).fill(i32));
  const [X, G, W, MEAN, RSTD, DX, DW, DB, ROWS, COLS] = c.params.map((_, i) => i);
  const { jb, vectors, tail } = rowLoops(c, COLS);
  const at = (base: number): Code => c.get(base).get(jb).op(Op.i32Add);
  const [row, mu, rs, sg, sgx, h, gw, n] = Array.from({ length: 8 }, (_, i) => c.local(i === 0 ? i32 : f32));
  const [muv, rsv, sgv, sgxv, hv, gv, gwv] = Array.from({ length: 7 }, () => c.local(v128));
  c.get(COLS).op(Op.f32ConvertI32S).set(n);
  c.for(row, () => c.i32(0), () => c.get(ROWS), 1, () => {
    c.get(MEAN).f32Load().set(mu);
    c.get(RSTD).f32Load().set(rs);
    c.get(mu).simd(Simd.f32x4Splat).set(muv);
    c.get(rs).simd(Simd.f32x4Splat).set(rsv);
    c.v128Zero().set(sgv);
    c.v128Zero().set(sgxv);
    vectors(() => {
      at(G).v128Load().set(gv);
      c.get(gv); at(W).v128Load().simd(Simd.f32x4Mul).set(gwv);
      at(X).v128Load().get(muv).simd(Simd.f32x4Sub).get(rsv).simd(Simd.f32x4Mul).set(hv);
      c.get(sgv).get(gwv).simd(Simd.f32x4Add).set(sgv);
      c.get(sgxv).get(gwv).get(hv).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(sgxv);
      at(DW); at(DW).v128Load().get(gv).get(hv).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).v128Store();
      at(DB); at(DB).v128Load().get(gv).simd(Simd.f32x4Add).v128Store();
    });
    hsum(c, sgv); c.set(sg);
    hsum(c, sgxv); c.set(sgx);
    tail(() => {
      at(G).f32Load(); at(W).f32Load().op(Op.f32Mul).set(gw);
      at(X).f32Load().get(mu).op(Op.f32Sub).get(rs).op(Op.f32Mul).set(h);
      c.get(sg).get(gw).op(Op.f32Add).set(sg);
      c.get(sgx).get(gw).get(h).op(Op.f32Mul).op(Op.f32Add).set(sgx);
      at(DW); at(DW).f32Load(); at(G).f32Load().get(h).op(Op.f32Mul).op(Op.f32Add).f32Store();
      at(DB); at(DB).f32Load(); at(G).f32Load().op(Op.f32Add).f32Store();
    });
    c.get(sg).get(n).op(Op.f32Div).set(sg);
    c.get(sgx).get(n).op(Op.f32Div).set(sgx);
    c.get(sg).simd(Simd.f32x4Splat).set(sgv);
    c.get(sgx).simd(Simd.f32x4Splat).set(sgxv);
    vectors(() => {
      at(X).v128Load().get(muv).simd(Simd.f32x4Sub).get(rsv).simd(Simd.f32x4Mul).set(hv);
      at(DX); at(G).v128Load(); at(W).v128Load().simd(Simd.f32x4Mul).get(sgv).simd(Simd.f32x4Sub)
        .get(hv).get(sgxv).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).get(rsv).simd(Simd.f32x4Mul).v128Store();
    });
    tail(() => {
      at(X).f32Load().get(mu).op(Op.f32Sub).get(rs).op(Op.f32Mul).set(h);
      at(DX); at(G).f32Load(); at(W).f32Load().op(Op.f32Mul).get(sg).op(Op.f32Sub)
        .get(h).get(sgx).op(Op.f32Mul).op(Op.f32Sub).get(rs).op(Op.f32Mul).f32Store();
    });
    const rowBytes = (): void => { c.get(COLS).i32(4).op(Op.i32Mul); };
    c.inc(X, rowBytes).inc(G, rowBytes).inc(DX, rowBytes).inc(MEAN, 4).inc(RSTD, 4);
  });
  return c;
}

/**
 * Pushes f32x4 Φ(x) = (1 + erf(x/√2))/2 and leaves exp(−x²/2) in local ez: the odd Taylor series of erf for
 * |z| < 0.5, and erfc by Abramowitz–Stegun 7.1.26 above, used directly on the negative side (relative accuracy).
 */
export function emitPhi(c: Code, x: number, ez: number): void {
  const [z, az, z2, t, s, p, nz2] = Array.from({ length: 7 }, () => c.local(v128));
  const tmp = { n: c.local(v128), r: c.local(v128), y: c.local(v128) };
  c.get(x).f32x4Hoisted(Math.SQRT1_2).simd(Simd.f32x4Mul).set(z);
  c.get(z).simd(Simd.f32x4Abs).set(az);
  c.get(z).get(z).simd(Simd.f32x4Mul).set(z2);
  const taylor = [1, -1 / 3, 1 / 10, -1 / 42, 1 / 216, -1 / 1320];
  c.f32x4Hoisted(taylor[5]).set(s);
  for (let q = 4; q >= 0; q--) c.get(s).get(z2).simd(Simd.f32x4Mul).f32x4Hoisted(taylor[q]).simd(Simd.f32x4Add).set(s);
  // series: 0.5 + z·s/√π
  c.get(z).get(s).simd(Simd.f32x4Mul).f32x4Hoisted(1 / Math.sqrt(Math.PI)).simd(Simd.f32x4Mul)
      .f32x4Hoisted(0.5).simd(Simd.f32x4Add).set(s);
  c.f32x4Hoisted(1).get(az).f32x4Hoisted(0.3275911).simd(Simd.f32x4Mul).f32x4Hoisted(1).simd(Simd.f32x4Add)
      .simd(Simd.f32x4Div).set(t);
  c.get(z2).simd(Simd.f32x4Neg).set(nz2);
  emitExp(c, nz2, tmp); c.set(ez);
  c.f32x4Hoisted(1.061405429).set(p);
  for (const k of [-1.453152027, 1.421413741, -0.284496736, 0.254829592]) c.get(p).get(t).simd(Simd.f32x4Mul)
      .f32x4Hoisted(k).simd(Simd.f32x4Add).set(p);
  // half erfc = 0.5·t·poly·exp(−z²); Φ = z < 0 ? half : 1 − half
  c.get(p).get(t).simd(Simd.f32x4Mul).get(ez).simd(Simd.f32x4Mul).f32x4Hoisted(0.5).simd(Simd.f32x4Mul).set(p);
  c.get(p).f32x4Hoisted(1).get(p).simd(Simd.f32x4Sub).get(z).v128Zero().simd(Simd.f32x4Lt)
      .simd(Simd.v128Bitselect).set(p);
  c.get(s).get(p).get(az).f32x4Hoisted(0.5).simd(Simd.f32x4Lt).simd(Simd.v128Bitselect);
}

/** geluMap(src, dst, n): dst = x·Φ(x); n is rounded up to 4 (the caller pads). */
function geluMap(): Code {
  const c = new Code([i32, i32, i32]);
  const [SRC, DST, N] = [0, 1, 2];
  const [i, x, ez] = [c.local(i32), c.local(v128), c.local(v128)];
  c.for(i, () => c.i32(0), () => c.get(N), 4, () => {
    c.get(SRC).v128Load().set(x);
    c.get(DST);
    emitPhi(c, x, ez);
    c.get(x).simd(Simd.f32x4Mul).v128Store();
    c.inc(SRC, 16).inc(DST, 16);
  });
  return c;
}

/** geluBackwardMap(x, g, dst, n): dst = g·(Φ(x) + x·exp(−x²/2)/√(2π)). */
function geluBackwardMap(): Code {
  const c = new Code([i32, i32, i32, i32]);
  const [X, G, DST, N] = [0, 1, 2, 3];
  const [i, x, ez] = [c.local(i32), c.local(v128), c.local(v128)];
  c.for(i, () => c.i32(0), () => c.get(N), 4, () => {
    c.get(X).v128Load().set(x);
    c.get(DST);
    emitPhi(c, x, ez);
    c.get(x).get(ez).simd(Simd.f32x4Mul).f32x4Hoisted(1 / Math.sqrt(2 * Math.PI)).simd(Simd.f32x4Mul)
        .simd(Simd.f32x4Add);
    c.get(G).v128Load().simd(Simd.f32x4Mul).v128Store();
    c.inc(X, 16).inc(G, 16).inc(DST, 16);
  });
  return c;
}

export function normFunctions(): Record<string, Code> {
  return { layerNormRows: layerNormRows(), layerNormBackwardRows: layerNormBackwardRows(), gelu: geluMap(), geluBackward: geluBackwardMap() };
}
