// Emits float32 binary maps with general broadcasting, for every BinaryOp but pow (no exact f32 pow on lanes).
// The caller collapses the broadcast to rows: out is contiguous rows of n2 elements; along a row each operand
// either advances one element or repeats one (a 0 stride: a column broadcast), and from row to row it steps
// by its own stride, wrapping after n1 rows (two broadcast levels, e.g. [B,1,T] against [B,H,T]).
// Comparisons write int32 0/1. Each lane is one IEEE operation or an exact select, so results equal the reference's.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";
import { i32x4Const } from "./maps.ts";

const { i32, f32, v128 } = ValType;
export type LaneOp = "add" | "sub" | "mul" | "div" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export const LANE_OPS: readonly LaneOp[] = ["add", "sub", "mul", "div", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
const ARITH: Partial<Record<LaneOp, [number, number]>> = {
  add: [Simd.f32x4Add, Op.f32Add], sub: [Simd.f32x4Sub, Op.f32Sub], mul: [Simd.f32x4Mul, Op.f32Mul], div: [Simd.f32x4Div, Op.f32Div],
};
const COMPARE: Partial<Record<LaneOp, [number, number]>> = {
  eq: [Simd.f32x4Eq, Op.f32Eq], ne: [Simd.f32x4Ne, Op.f32Ne], lt: [Simd.f32x4Lt, Op.f32Lt],
  le: [Simd.f32x4Le, Op.f32Le], gt: [Simd.f32x4Gt, Op.f32Gt], ge: [Simd.f32x4Ge, Op.f32Ge],
};

/** Pushes op(a, b) of two v128 locals. maximum: a ≥ b or a is NaN ? a : b (the reference's select, bit-exact). */
function vector(c: Code, op: LaneOp, a: number, b: number): void {
  const arith = ARITH[op], cmp = COMPARE[op];
  if (arith) { c.get(a).get(b).simd(arith[0]); return; }
  if (cmp) { c.get(a).get(b).simd(cmp[0]); i32x4Const(c, 1).simd(Simd.v128And); return; }
  c.get(a).get(b).get(a).get(b).simd(op === "maximum" ? Simd.f32x4Ge : Simd.f32x4Le).get(a).get(a).simd(Simd.f32x4Ne).simd(Simd.v128Or).simd(Simd.v128Bitselect);
}

/** Pushes op(a, b) of two f32 locals: an f32 (arithmetic, max/min) or an i32 (comparisons). */
function scalar(c: Code, op: LaneOp, a: number, b: number): void {
  const arith = ARITH[op], cmp = COMPARE[op];
  if (arith) { c.get(a).get(b).op(arith[1]); return; }
  if (cmp) { c.get(a).get(b).op(cmp[1]); return; }
  c.get(a).get(b).get(a).get(b).op(op === "maximum" ? Op.f32Ge : Op.f32Le).get(a).get(a).op(Op.f32Ne).op(Op.i32Or).op(Op.select);
}

/**
 * `bcast_${op}`(a, b, out, rows, m, n1, n2, aRow, bRow, aWrap, bWrap, aIn, bIn): for each of `rows` rows,
 * out[j] = a[j·aIn] ∘ b[j·bIn] for j < n2 (aIn, bIn: 1 to advance, 0 to repeat); then out advances n2
 * elements, a and b by aRow/bRow bytes, and when the row counter m reaches n1 it restarts at 0 and a, b
 * advance by aWrap/bWrap bytes more.
 */
function broadcast(op: LaneOp): Code {
  const c = new Code(new Array<ValType>(13).fill(i32));
  const [A, B, OUT, ROWS, M, N1, N2, AR, BR, AW, BW, AIN, BIN] = c.params.map((_, i) => i);
  const [row, jb, nb, n4b] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  const [va, vb, sa, sb] = [c.local(v128), c.local(v128), c.local(f32), c.local(f32)];
  const isCmp = COMPARE[op] !== undefined;
  const at = (base: number): Code => c.get(base).get(jb).op(Op.i32Add);
  c.get(N2).i32(4).op(Op.i32Mul).set(nb);
  c.get(N2).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(n4b);
  /** One row with each operand advancing (true) or repeated (false). */
  const rowLoop = (aAdv: boolean, bAdv: boolean): void => {
    if (!aAdv) { c.get(A).v128Splat32().set(va); c.get(A).f32Load().set(sa); }
    if (!bAdv) { c.get(B).v128Splat32().set(vb); c.get(B).f32Load().set(sb); }
    c.for(jb, () => c.i32(0), () => c.get(n4b), 16, () => {
      if (aAdv) at(A).v128Load().set(va);
      if (bAdv) at(B).v128Load().set(vb);
      at(OUT); vector(c, op, va, vb); c.v128Store();
    });
    c.for(jb, () => c.get(n4b), () => c.get(nb), 4, () => {
      if (aAdv) at(A).f32Load().set(sa);
      if (bAdv) at(B).f32Load().set(sb);
      at(OUT); scalar(c, op, sa, sb);
      if (isCmp) c.mem(Op.i32Store, 2); else c.f32Store();
    });
  };
  c.for(row, () => c.i32(0), () => c.get(ROWS), 1, () => {
    c.if(() => c.get(AIN),
      () => c.if(() => c.get(BIN), () => rowLoop(true, true), () => rowLoop(true, false)),
      () => c.if(() => c.get(BIN), () => rowLoop(false, true), () => rowLoop(false, false)));
    c.inc(OUT, () => c.get(nb)).inc(A, () => c.get(AR)).inc(B, () => c.get(BR)).inc(M, 1);
    c.if(() => c.get(M).get(N1).op(Op.i32Eq), () => { c.i32(0).set(M); c.inc(A, () => c.get(AW)).inc(B, () => c.get(BW)); });
  });
  return c;
}

export function broadcastFunctions(): Record<string, Code> {
  return Object.fromEntries(LANE_OPS.map((op) => [`bcast_${op}`, broadcast(op)]));
}
