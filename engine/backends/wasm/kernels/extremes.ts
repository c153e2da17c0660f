// Emits the float32 row max / min / argmax / argmin kernels (f32x4 lanes), with the reference's semantics to the
// last bit: the first NaN of a row wins, ties and -0/+0 keep the first element.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";

const { i32, f32, v128 } = ValType;

/**
 * The reference loop over the row at address local x of cb bytes: best = the first NaN, else the first
 * strictly greatest (least) element; at = its byte offset. Once best is NaN nothing replaces it, as the
 * reference's break does.
 */
function firstExtreme(c: Code, x: number, cb: number, wantMax: boolean, best: number, at: number): void {
  const [jb, v] = [c.local(i32), c.local(f32)];
  c.get(x).f32Load().set(best);
  c.i32(0).set(at);
  c.for(jb, () => c.i32(4), () => c.get(cb), 4, () => {
    c.get(x).get(jb).op(Op.i32Add).f32Load().set(v);
    c.if(() => {
      c.get(best).get(best).op(Op.f32Eq);
      c.get(v).get(v).op(Op.f32Ne).get(v).get(best).op(wantMax ? Op.f32Gt : Op.f32Lt).op(Op.i32Or);
      c.op(Op.i32And);
    }, () => { c.get(v).set(best); c.get(jb).set(at); });
  });
}

/**
 * maxRows(x, out, rows, cols) / minRows: out[r] = the extreme of row r (cols ≥ 1); argmaxRows / argminRows: int32
 * out[r] = its index. Lanes keep their first strict extreme (pmax / pmin) and note NaNs; a row with a NaN or a zero
 * extreme (where -0 and +0 differ in bits, so which came first matters) is redone by the reference loop. Else the
 * index is that of the first element equal to the extreme: away from zero, equal values have equal bits.
 */
function extremeRows(wantMax: boolean, arg: boolean): Code {
  const c = new Code(new Array<ValType>(4).fill(i32));
  const [X, OUT, ROWS, COLS] = [0, 1, 2, 3];
  const [row, jb, cb, c4b, at] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  const [m, l] = [c.local(f32), c.local(f32)];
  const [mv, xv, nan] = [c.local(v128), c.local(v128), c.local(v128)];
  const [pick, scalar] = wantMax ? [Simd.f32x4Pmax, Op.f32Max] : [Simd.f32x4Pmin, Op.f32Min];
  c.get(COLS).i32(4).op(Op.i32Mul).set(cb);
  c.get(COLS).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(c4b);
  c.for(row, () => c.i32(0), () => c.get(ROWS), 1, () => {
    c.f32x4Hoisted(wantMax ? -Infinity : Infinity).set(mv);
    c.v128Zero().set(nan);
    c.for(jb, () => c.i32(0), () => c.get(c4b), 16, () => {
      c.get(X).get(jb).op(Op.i32Add).v128Load().set(xv);
      c.get(mv).get(xv).simd(pick).set(mv);
      c.get(nan).get(xv).get(xv).simd(Simd.f32x4Ne).simd(Simd.v128Or).set(nan);
    });
    // Lanes hold no NaN and, away from zero, equal values have equal bits: any order of combining them will do.
    c.get(mv).simd(Simd.f32x4ExtractLane, 0).set(m);
    for (let i = 1; i < 4; i++) c.get(m).get(mv).simd(Simd.f32x4ExtractLane, i).op(scalar).set(m);
    c.for(jb, () => c.get(c4b), () => c.get(cb), 4, () => {
      c.get(m).get(X).get(jb).op(Op.i32Add).f32Load().op(scalar).set(m);
    });
    c.if(() => {
      c.get(nan).simd(Simd.v128AnyTrue).get(m).get(m).op(Op.f32Ne).op(Op.i32Or);
      c.get(m).f32(0).op(Op.f32Eq).op(Op.i32Or);
    }, () => { firstExtreme(c, X, cb, wantMax, l, at); c.get(l).set(m); }, arg ? () => {
      // The first element equal to m (m is in the row, so the scan ends inside it).
      c.i32(0).set(at);
      c.op(Op.block, 0x40, Op.loop, 0x40);
      c.get(X).get(at).op(Op.i32Add).f32Load().get(m).op(Op.f32Eq).op(Op.brIf, 1);
      c.inc(at, 4).op(Op.br, 0, Op.end, Op.end);
    } : undefined);
    if (arg) c.get(OUT).get(at).i32(2).op(Op.i32ShrU).mem(Op.i32Store, 2);
    else c.get(OUT).get(m).f32Store();
    c.inc(X, () => c.get(cb)).inc(OUT, 4);
  });
  return c;
}

export function extremeFunctions(): Record<string, Code> {
  return {
    maxRows: extremeRows(true, false), minRows: extremeRows(false, false),
    argmaxRows: extremeRows(true, true), argminRows: extremeRows(false, true),
  };
}
