// Emits the float32 row kernels that read each row once from memory and finish it while it sits in L1:
// softmax and log-softmax forward and backward, and cross-entropy (log-softmax + NLL) forward and backward.
// Rows of any length: whole vectors first, then a scalar tail, so nothing is read or written past a row.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";
import { emitExp } from "./math.ts";

const { i32, f32, v128 } = ValType;

/** Shared locals and loops of one row kernel. */
class Rows {
  readonly c: Code;
  readonly row: number;
  readonly jb: number;
  readonly cb: number;
  readonly c4b: number;
  readonly tmp: { n: number; r: number; y: number };
  readonly v: number;

  constructor(params: number) {
    this.c = new Code(new Array<ValType>(params).fill(i32));
    const c = this.c;
    [this.row, this.jb, this.cb, this.c4b] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
    this.tmp = { n: c.local(v128), r: c.local(v128), y: c.local(v128) };
    this.v = c.local(v128);
  }

  /** cb = cols·4 (a row's bytes), c4b = the bytes of its whole vectors. */
  sizes(cols: number): void {
    this.c.get(cols).i32(4).op(Op.i32Mul).set(this.cb);
    this.c.get(cols).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(this.c4b);
  }

  eachRow(rows: number, body: () => void): void { this.c.for(this.row, () => this.c.i32(0), () => this.c.get(rows), 1, body); }
  /** Over the whole vectors of a row: local jb is the byte offset. */
  vectors(body: () => void): void { this.c.for(this.jb, () => this.c.i32(0), () => this.c.get(this.c4b), 16, body); }
  /** Over the remaining 0–3 elements. */
  tail(body: () => void): void { this.c.for(this.jb, () => this.c.get(this.c4b), () => this.c.get(this.cb), 4, body); }
  /** Pushes the address base + jb. */
  at(base: number): Code { return this.c.get(base).get(this.jb).op(Op.i32Add); }

  /** Pushes f32x4 exp of the v128 on the stack. */
  expV(): void { this.c.set(this.v); emitExp(this.c, this.v, this.tmp); }
  /** Pushes f32 exp of the f32 on the stack (through lane 0 of the vector exp). */
  expS(): void { this.c.simd(Simd.f32x4Splat); this.expV(); this.c.simd(Simd.f32x4ExtractLane, 0); }

  /** Pushes the f32 reduction of the lanes of local v by op (f32Add, f32Max). */
  lanes(v: number, op: number): void {
    this.c.get(v).simd(Simd.f32x4ExtractLane, 0);
    for (let l = 1; l < 4; l++) this.c.get(v).simd(Simd.f32x4ExtractLane, l).op(op);
  }

  /**
   * local m (f32) = the row max of x, 0 for an all −∞ row (as the reference: exp stays finite). The vector
   * loop uses pmax (one instruction; f32x4.max's NaN handling is a long sequence on x64), which may skip a NaN:
   * that row's outputs are NaN all the same, through exp(NaN − m) in its sum.
   */
  rowMax(x: number, m: number): void {
    const c = this.c;
    const mx = c.local(v128);
    c.f32x4Hoisted(-Infinity).set(mx);
    this.vectors(() => { c.get(mx); this.at(x).v128Load().simd(Simd.f32x4Pmax).set(mx); });
    this.lanes(mx, Op.f32Max); c.set(m);
    this.tail(() => { c.get(m); this.at(x).f32Load().op(Op.f32Max).set(m); });
    c.if(() => c.get(m).f32(-Infinity).op(Op.f32Eq), () => { c.f32(0).set(m); });
  }
}

/**
 * Pushes ln(s) for an f32 local s ≥ 0 (−∞ at 0, NaN and +∞ pass through): s = 2ᵉ·m with m in [√½, √2),
 * ln m = 2·atanh((m−1)/(m+1)) by its series to z⁹ (|z| < 0.172: error below 1e-9).
 */
function emitLog(c: Code, s: number): void {
  const [bits, e, m, z, z2] = [c.local(i32), c.local(f32), c.local(f32), c.local(f32), c.local(f32)];
  c.get(s).op(Op.i32ReinterpretF32).set(bits);
  c.get(bits).i32(23).op(Op.i32ShrU).i32(127).op(Op.i32Sub).op(Op.f32ConvertI32S).set(e);
  c.get(bits).i32(0x7fffff).op(Op.i32And).i32(0x3f800000).op(Op.i32Or).op(Op.f32ReinterpretI32).set(m);
  c.if(() => c.get(m).f32(Math.SQRT2).op(Op.f32Gt), () => {
    c.get(m).f32(0.5).op(Op.f32Mul).set(m);
    c.get(e).f32(1).op(Op.f32Add).set(e);
  });
  c.get(m).f32(1).op(Op.f32Sub).get(m).f32(1).op(Op.f32Add).op(Op.f32Div).set(z);
  c.get(z).get(z).op(Op.f32Mul).set(z2);
  // e·ln2 + 2z·(1 + z²/3 + z⁴/5 + z⁶/7 + z⁸/9)
  c.f32(1 / 9);
  for (const k of [1 / 7, 1 / 5, 1 / 3, 1]) c.get(z2).op(Op.f32Mul).f32(k).op(Op.f32Add);
  c.get(z).op(Op.f32Mul).f32(2).op(Op.f32Mul).get(e).f32(Math.LN2).op(Op.f32Mul).op(Op.f32Add);
  // s = 0 → −∞; NaN, +∞ → s
  c.f32(-Infinity).get(s).get(s).f32(0).op(Op.f32Eq).op(Op.select);
  c.get(s).f32(0).op(Op.f32Gt).get(s).f32(Infinity).op(Op.f32Lt).op(Op.i32And).op(Op.select);
}

/**
 * softmaxRows(x, out, rows, cols) / logSoftmaxRows: out = exp(x − max)/Σ, or x − max − ln Σ, per row;
 * max is taken as 0 for an all −∞ row, as the reference does.
 */
function softmaxRows(log: boolean): Code {
  const k = new Rows(4);
  const { c } = k;
  const [X, OUT, ROWS, COLS] = [0, 1, 2, 3];
  const [m, s, e] = [c.local(f32), c.local(f32), c.local(f32)];
  const [mv, sum, ev] = [c.local(v128), c.local(v128), c.local(v128)];
  k.sizes(COLS);
  k.eachRow(ROWS, () => {
    k.rowMax(X, m);
    c.get(m).simd(Simd.f32x4Splat).set(mv);
    c.v128Zero().set(sum);
    k.vectors(() => {
      k.at(X).v128Load().get(mv).simd(Simd.f32x4Sub); k.expV(); c.set(ev);
      if (!log) { k.at(OUT).get(ev).v128Store(); }
      c.get(sum).get(ev).simd(Simd.f32x4Add).set(sum);
    });
    k.lanes(sum, Op.f32Add); c.set(s);
    k.tail(() => {
      k.at(X).f32Load().get(m).op(Op.f32Sub); k.expS(); c.set(e);
      if (!log) { k.at(OUT).get(e).f32Store(); }
      c.get(s).get(e).op(Op.f32Add).set(s);
    });
    if (log) {
      // out = x − (max + ln Σ)
      c.get(m); emitLog(c, s); c.op(Op.f32Add).set(s);
      c.get(s).simd(Simd.f32x4Splat).set(mv);
      k.vectors(() => { k.at(OUT); k.at(X).v128Load().get(mv).simd(Simd.f32x4Sub).v128Store(); });
      k.tail(() => { k.at(OUT); k.at(X).f32Load().get(s).op(Op.f32Sub).f32Store(); });
    } else {
      c.f32(1).get(s).op(Op.f32Div).set(s);
      c.get(s).simd(Simd.f32x4Splat).set(mv);
      k.vectors(() => { k.at(OUT); k.at(OUT).v128Load().get(mv).simd(Simd.f32x4Mul).v128Store(); });
      k.tail(() => { k.at(OUT); k.at(OUT).f32Load().get(s).op(Op.f32Mul).f32Store(); });
    }
    c.inc(X, () => c.get(k.cb)).inc(OUT, () => c.get(k.cb));
  });
  return c;
}

/**
 * softmaxBackwardRows(y, g, out, rows, cols): out = y·(g − Σ g·y); logSoftmaxBackwardRows: out = g − exp(y)·Σ g.
 */
function softmaxBackwardRows(log: boolean): Code {
  const k = new Rows(5);
  const { c } = k;
  const [Y, G, OUT, ROWS, COLS] = [0, 1, 2, 3, 4];
  const [d, dv, acc] = [c.local(f32), c.local(v128), c.local(v128)];
  k.sizes(COLS);
  k.eachRow(ROWS, () => {
    c.v128Zero().set(acc);
    k.vectors(() => {
      c.get(acc); k.at(G).v128Load();
      if (!log) { k.at(Y).v128Load().simd(Simd.f32x4Mul); }
      c.simd(Simd.f32x4Add).set(acc);
    });
    k.lanes(acc, Op.f32Add); c.set(d);
    k.tail(() => {
      c.get(d); k.at(G).f32Load();
      if (!log) { k.at(Y).f32Load().op(Op.f32Mul); }
      c.op(Op.f32Add).set(d);
    });
    c.get(d).simd(Simd.f32x4Splat).set(dv);
    if (log) {
      k.vectors(() => { k.at(OUT); k.at(G).v128Load(); k.at(Y).v128Load(); k.expV(); c.get(dv).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).v128Store(); });
      k.tail(() => { k.at(OUT); k.at(G).f32Load(); k.at(Y).f32Load(); k.expS(); c.get(d).op(Op.f32Mul).op(Op.f32Sub).f32Store(); });
    } else {
      k.vectors(() => { k.at(OUT); k.at(Y).v128Load(); k.at(G).v128Load().get(dv).simd(Simd.f32x4Sub).simd(Simd.f32x4Mul).v128Store(); });
      k.tail(() => { k.at(OUT); k.at(Y).f32Load(); k.at(G).f32Load().get(d).op(Op.f32Sub).op(Op.f32Mul).f32Store(); });
    }
    c.inc(Y, () => c.get(k.cb)).inc(G, () => c.get(k.cb)).inc(OUT, () => c.get(k.cb));
  });
  return c;
}

/**
 * crossEntropyRows(x, target, loss, lse, rows, cols, aBits, bBits) with a = 1 − ε and b = ε/cols as f32 bits:
 * lse = max + ln Σ exp(x − max); loss = lse − a·x[t] − b·Σ x (the smoothing term only where b ≠ 0, so −∞
 * logits stay finite without smoothing); 0 where the target t is negative (ignored).
 */
function crossEntropyRows(): Code {
  const k = new Rows(8);
  const { c } = k;
  const [X, T, LOSS, LSE, ROWS, COLS, A, B] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [m, s, sx, lse, t] = [c.local(f32), c.local(f32), c.local(f32), c.local(f32), c.local(i32)];
  const [mv, sum, sumx, xv] = [c.local(v128), c.local(v128), c.local(v128), c.local(v128)];
  k.sizes(COLS);
  k.eachRow(ROWS, () => {
    k.rowMax(X, m);
    c.get(m).simd(Simd.f32x4Splat).set(mv);
    c.v128Zero().set(sum);
    c.v128Zero().set(sumx);
    k.vectors(() => {
      k.at(X).v128Load().set(xv);
      c.get(sumx).get(xv).simd(Simd.f32x4Add).set(sumx);
      c.get(sum); c.get(xv).get(mv).simd(Simd.f32x4Sub); k.expV(); c.simd(Simd.f32x4Add).set(sum);
    });
    k.lanes(sum, Op.f32Add); c.set(s);
    k.lanes(sumx, Op.f32Add); c.set(sx);
    k.tail(() => {
      c.get(sx); k.at(X).f32Load().op(Op.f32Add).set(sx);
      c.get(s); k.at(X).f32Load().get(m).op(Op.f32Sub); k.expS(); c.op(Op.f32Add).set(s);
    });
    c.get(m); emitLog(c, s); c.op(Op.f32Add).set(lse);
    c.get(LSE).get(lse).f32Store();
    c.get(T).mem(Op.i32Load, 2).set(t);
    c.get(LOSS);
    c.if(() => c.get(t).i32(0).op(Op.i32LtS), () => { c.f32(0).set(s); }, () => {
      c.get(lse).get(B).op(Op.f32ReinterpretI32).get(sx).op(Op.f32Mul)
        .f32(0).get(B).op(Op.f32ReinterpretI32).f32(0).op(Op.f32Ne).op(Op.select).op(Op.f32Sub);
      c.get(A).op(Op.f32ReinterpretI32).get(X).get(t).i32(4).op(Op.i32Mul, Op.i32Add).f32Load().op(Op.f32Mul).op(Op.f32Sub).set(s);
    });
    c.get(s).f32Store();
    c.inc(X, () => c.get(k.cb)).inc(T, 4).inc(LOSS, 4).inc(LSE, 4);
  });
  return c;
}

/**
 * crossEntropyBackwardRows(x, target, lse, g, out, rows, cols, aBits, bBits): out = g·(exp(x − lse) − b),
 * then out[t] −= g·a; a row with a negative (ignored) target gets zeros.
 */
function crossEntropyBackwardRows(): Code {
  const k = new Rows(9);
  const { c } = k;
  const [X, T, LSE, G, OUT, ROWS, COLS, A, B] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [t, gi, gb, lse] = [c.local(i32), c.local(f32), c.local(f32), c.local(f32)];
  const [gv, gbv, lv] = [c.local(v128), c.local(v128), c.local(v128)];
  k.sizes(COLS);
  k.eachRow(ROWS, () => {
    c.get(T).mem(Op.i32Load, 2).set(t);
    c.if(() => c.get(t).i32(0).op(Op.i32LtS), () => {
      k.vectors(() => { k.at(OUT).v128Zero().v128Store(); });
      k.tail(() => { k.at(OUT).f32(0).f32Store(); });
    }, () => {
      c.get(G).f32Load().set(gi);
      c.get(gi).get(B).op(Op.f32ReinterpretI32).op(Op.f32Mul).set(gb);
      c.get(LSE).f32Load().set(lse);
      c.get(gi).simd(Simd.f32x4Splat).set(gv);
      c.get(gb).simd(Simd.f32x4Splat).set(gbv);
      c.get(lse).simd(Simd.f32x4Splat).set(lv);
      k.vectors(() => { k.at(OUT); k.at(X).v128Load().get(lv).simd(Simd.f32x4Sub); k.expV(); c.get(gv).simd(Simd.f32x4Mul).get(gbv).simd(Simd.f32x4Sub).v128Store(); });
      k.tail(() => { k.at(OUT); k.at(X).f32Load().get(lse).op(Op.f32Sub); k.expS(); c.get(gi).op(Op.f32Mul).get(gb).op(Op.f32Sub).f32Store(); });
      // out[t] −= g·a
      c.get(OUT).get(t).i32(4).op(Op.i32Mul, Op.i32Add).set(t);
      c.get(t).get(t).f32Load().get(gi).get(A).op(Op.f32ReinterpretI32).op(Op.f32Mul).op(Op.f32Sub).f32Store();
    });
    c.inc(X, () => c.get(k.cb)).inc(OUT, () => c.get(k.cb)).inc(T, 4).inc(LSE, 4).inc(G, 4);
  });
  return c;
}

export function rowFunctions(): Record<string, Code> {
  return {
    softmaxRows: softmaxRows(false), logSoftmaxRows: softmaxRows(true),
    softmaxBackwardRows: softmaxBackwardRows(false), logSoftmaxBackwardRows: softmaxBackwardRows(true),
    crossEntropyRows: crossEntropyRows(), crossEntropyBackwardRows: crossEntropyBackwardRows(),
  };
}
