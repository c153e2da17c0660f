// Emits float32 binary maps with general broadcasting over any rank, for every BinaryOp (pow in float64 lanes,
// kernels/pow.ts). The caller collapses the broadcast to rows: out is contiguous rows of n2 elements; along a
// row each operand advances one element, repeats one (a 0 stride: a column broadcast) or steps by its own
// stride (a transposed operand, gathered four lanes at a time); from row to row the operands step through the
// outer dims by an odometer kept in memory, so one call covers any number of dims.
// Comparisons write int32 0/1. Each lane is one IEEE operation or an exact select, so results equal the reference's;
// pow equals it but for rare near-ties (see pow.ts).
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";
import { i32x4Const } from "./maps.ts";
import { powLanes } from "./pow.ts";

const { i32, f32, v128 } = ValType;
export type LaneOp = "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export const LANE_OPS: readonly LaneOp[] = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
const ARITH: Partial<Record<LaneOp, [number, number]>> = {
  add: [Simd.f32x4Add, Op.f32Add], sub: [Simd.f32x4Sub, Op.f32Sub], mul: [Simd.f32x4Mul, Op.f32Mul], div: [Simd.f32x4Div, Op.f32Div],
};
const COMPARE: Partial<Record<LaneOp, [number, number]>> = {
  eq: [Simd.f32x4Eq, Op.f32Eq], ne: [Simd.f32x4Ne, Op.f32Ne], lt: [Simd.f32x4Lt, Op.f32Lt],
  le: [Simd.f32x4Le, Op.f32Le], gt: [Simd.f32x4Gt, Op.f32Gt], ge: [Simd.f32x4Ge, Op.f32Ge],
};

/** Pushes op(a, b) of two v128 locals. maximum: a ≥ b or a is NaN ? a : b (the reference's select, bit-exact). */
function vector(c: Code, op: Exclude<LaneOp, "pow">, a: number, b: number): void {
  const arith = ARITH[op], cmp = COMPARE[op];
  if (arith) { c.get(a).get(b).simd(arith[0]); return; }
  if (cmp) { c.get(a).get(b).simd(cmp[0]); i32x4Const(c, 1).simd(Simd.v128And); return; }
  c.get(a).get(b).get(a).get(b).simd(op === "maximum" ? Simd.f32x4Ge : Simd.f32x4Le).get(a).get(a).simd(Simd.f32x4Ne).simd(Simd.v128Or).simd(Simd.v128Bitselect);
}

/** Pushes op(a, b) of two f32 locals: an f32 (arithmetic, max/min) or an i32 (comparisons). */
function scalar(c: Code, op: Exclude<LaneOp, "pow">, a: number, b: number): void {
  const arith = ARITH[op], cmp = COMPARE[op];
  if (arith) { c.get(a).get(b).op(arith[1]); return; }
  if (cmp) { c.get(a).get(b).op(cmp[1]); return; }
  c.get(a).get(b).get(a).get(b).op(op === "maximum" ? Op.f32Ge : Op.f32Le).get(a).get(a).op(Op.f32Ne).op(Op.i32Or).op(Op.select);
}

/** Bytes of one outer dim in the descriptor: size, a step, b step, a wrap, b wrap (i32 each, steps in bytes). */
export const DIM_BYTES = 20;

/**
 * `bcast_${op}`(a, b, out, rows, n2, aIn, bIn, dims, k, idx): for each of `rows` rows, out[j] = a[j·aIn] ∘
 * b[j·bIn] for j < n2 (aIn, bIn: byte strides, 4 to advance, 0 to repeat, else gathered); then out advances n2
 * elements and a, b step through the k outer dims described at `dims` (innermost first, DIM_BYTES each), their
 * current index kept at `idx` (k i32, where the first row starts): the first dim whose index does not wrap adds
 * its step; each dim that wraps is reset, its wrap subtracted.
 */
function broadcast(op: LaneOp): Code {
  const c = new Code(new Array<ValType>(10).fill(i32));
  const [A, B, OUT, ROWS, N2, AIN, BIN, DIMS, K, IDX] = c.params.map((_, i) => i);
  const [row, j, n4, pa, pb, po, d, e, ix, v] = Array.from({ length: 10 }, () => c.local(i32));
  const [va, vb, sa, sb] = [c.local(v128), c.local(v128), c.local(f32), c.local(f32)];
  const isCmp = COMPARE[op] !== undefined;
  const pow = op === "pow" ? powLanes(c) : null;
  /** Pushes the result of a and b in va, vb (v128). */
  const lanes = (): void => { if (pow) pow(va, vb); else vector(c, op as Exclude<LaneOp, "pow">, va, vb); };
  c.get(N2).i32(-4).op(Op.i32And).set(n4);
  /** Loads four lanes of an operand at pointer p with byte stride `step` into vx: contiguous or gathered. */
  const load4 = (p: number, step: number, vx: number, contiguous: boolean): void => {
    if (contiguous) { c.get(p).v128Load().set(vx); return; }
    c.get(p).v128Splat32().set(vx);
    for (let l = 1; l < 4; l++) {
      c.get(vx).get(p).get(step).i32(l).op(Op.i32Mul).op(Op.i32Add).f32Load().simd(Simd.f32x4ReplaceLane, l).set(vx);
    }
  };
  /** The row's whole vectors with a and b each contiguous (4), repeated (0) or gathered (other strides). */
  const vectors = (aMode: Mode, bMode: Mode): void => {
    if (aMode === "repeat") c.get(A).v128Splat32().set(va);
    if (bMode === "repeat") c.get(B).v128Splat32().set(vb);
    c.get(A).set(pa); c.get(B).set(pb); c.get(OUT).set(po);
    c.for(j, () => c.i32(0), () => c.get(n4), 4, () => {
      if (aMode !== "repeat") load4(pa, AIN, va, aMode === "advance");
      if (bMode !== "repeat") load4(pb, BIN, vb, bMode === "advance");
      c.get(po); lanes(); c.v128Store();
      c.inc(pa, () => c.get(AIN).i32(2).op(Op.i32Shl)).inc(pb, () => c.get(BIN).i32(2).op(Op.i32Shl)).inc(po, 16);
    });
  };
  const modes = (step: number, then: (m: Mode) => void): void => {
    c.if(() => c.get(step).i32(4).op(Op.i32Eq), () => then("advance"),
      () => c.if(() => c.get(step).op(Op.i32Eqz), () => then("repeat"), () => then("gather")));
  };
  c.for(row, () => c.i32(0), () => c.get(ROWS), 1, () => {
    modes(AIN, (am) => modes(BIN, (bm) => vectors(am, bm)));
    // The tail, element by element (pa, pb, po continue where the vectors stopped).
    c.for(j, () => c.get(n4), () => c.get(N2), 1, () => {
      c.get(pa).f32Load().set(sa); c.get(pb).f32Load().set(sb);
      c.get(po);
      if (pow) { c.get(sa).simd(Simd.f32x4Splat).set(va); c.get(sb).simd(Simd.f32x4Splat).set(vb); pow(va, vb); c.simd(Simd.f32x4ExtractLane, 0); }
      else scalar(c, op as Exclude<LaneOp, "pow">, sa, sb);
      if (isCmp) c.mem(Op.i32Store, 2); else c.f32Store();
      c.inc(pa, () => c.get(AIN)).inc(pb, () => c.get(BIN)).inc(po, 4);
    });
    c.inc(OUT, () => c.get(N2).i32(2).op(Op.i32Shl));
    odometer(c, { A, B, DIMS, K, IDX, d, e, ix, v });
  });
  return c;
}

type Mode = "advance" | "repeat" | "gather";

/** Steps a and b to the next row: the odometer over the outer dims (see broadcast). */
function odometer(c: Code, l: Record<"A" | "B" | "DIMS" | "K" | "IDX" | "d" | "e" | "ix" | "v", number>): void {
  c.i32(0).set(l.d); c.get(l.DIMS).set(l.e); c.get(l.IDX).set(l.ix);
  c.op(Op.block, 0x40, Op.loop, 0x40);
  c.get(l.d).get(l.K).op(Op.i32GeS, Op.brIf, 1);
  c.inc(l.A, () => c.get(l.e).mem(Op.i32Load, 2, 4)).inc(l.B, () => c.get(l.e).mem(Op.i32Load, 2, 8));
  c.get(l.ix).mem(Op.i32Load, 2).i32(1).op(Op.i32Add).set(l.v);
  c.if(() => c.get(l.v).get(l.e).mem(Op.i32Load, 2).op(Op.i32LtS), () => { c.get(l.ix).get(l.v).mem(Op.i32Store, 2).op(Op.br, 2); });
  c.get(l.ix).i32(0).mem(Op.i32Store, 2);
  c.get(l.A).get(l.e).mem(Op.i32Load, 2, 12).op(Op.i32Sub).set(l.A);
  c.get(l.B).get(l.e).mem(Op.i32Load, 2, 16).op(Op.i32Sub).set(l.B);
  c.inc(l.d, 1).inc(l.e, DIM_BYTES).inc(l.ix, 4);
  c.op(Op.br, 0, Op.end, Op.end);
}

export function broadcastFunctions(): Record<string, Code> {
  return Object.fromEntries(LANE_OPS.map((op) => [`bcast_${op}`, broadcast(op)]));
}
