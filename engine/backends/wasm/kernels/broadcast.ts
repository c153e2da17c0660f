// Emits binary maps with general broadcasting over any rank: float32 for every BinaryOp (pow in float64 lanes,
// kernels/pow.ts), int32 for add, sub, maximum, minimum and the comparisons. The caller collapses the broadcast
// to rows: out is contiguous rows of n2 elements; along a row each operand advances one element, repeats one
// (a 0 stride: a column broadcast) or steps by its own stride (a transposed operand, gathered four lanes at a
// time); from row to row the operands step through the outer dims by an odometer kept in memory, so one call
// covers any number of dims.
// Comparisons write int32 0/1. Each lane is one IEEE operation, an exact select or a wrapping int32 add (as an
// Int32Array store wraps the reference's sum), so results equal the reference's; pow equals it but for rare
// near-ties (see pow.ts). int32 mul is left out: the reference rounds products past 2^53 before wrapping.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";
import { powLanes } from "./pow.ts";

const { i32, f32, v128 } = ValType;
export type LaneOp =
  "add" | "sub" | "mul" | "div" | "pow" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export const LANE_OPS: readonly LaneOp[] =
  ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];
export type IntLaneOp = "add" | "sub" | "maximum" | "minimum" | "eq" | "ne" | "lt" | "le" | "gt" | "ge";
export const INT_LANE_OPS: readonly IntLaneOp[] =
  ["add", "sub", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"];

/** One op on one dtype: pushes its lanes of two v128 locals, or its value of two scalar locals of type `elem`. */
interface Lanes { elem: ValType; vector(a: number, b: number): void; scalar(a: number, b: number): void }

/** [vector, scalar] opcodes of the ops that are one instruction each, per dtype. */
const F32_OPS: Partial<Record<LaneOp, [number, number]>> = {
  add: [Simd.f32x4Add, Op.f32Add], sub: [Simd.f32x4Sub, Op.f32Sub], mul: [Simd.f32x4Mul, Op.f32Mul], div: [Simd.f32x4Div, Op.f32Div],
  eq: [Simd.f32x4Eq, Op.f32Eq], ne: [Simd.f32x4Ne, Op.f32Ne], lt: [Simd.f32x4Lt, Op.f32Lt],
  le: [Simd.f32x4Le, Op.f32Le], gt: [Simd.f32x4Gt, Op.f32Gt], ge: [Simd.f32x4Ge, Op.f32Ge],
};
const I32_OPS: Partial<Record<IntLaneOp, [number, number]>> = {
  add: [Simd.i32x4Add, Op.i32Add], sub: [Simd.i32x4Sub, Op.i32Sub],
  eq: [Simd.i32x4Eq, Op.i32Eq], ne: [Simd.i32x4Ne, Op.i32Ne], lt: [Simd.i32x4LtS, Op.i32LtS],
  le: [Simd.i32x4LeS, Op.i32LeS], gt: [Simd.i32x4GtS, Op.i32GtS], ge: [Simd.i32x4GeS, Op.i32GeS],
};
const COMPARISONS: readonly string[] = ["eq", "ne", "lt", "le", "gt", "ge"];

/**
 * Lanes of an op that is one instruction per dtype (`one`: vector and scalar opcodes; comparisons masked to
 * 1/0) or else `pick`, a maximum or minimum.
 */
function lanesOf(
  c: Code, elem: ValType, one: [number, number] | undefined, cmp: boolean, pick: Omit<Lanes, "elem">,
): Lanes {
  return {
    elem,
    vector: (a, b) => {
      if (!one) return pick.vector(a, b);
      c.get(a).get(b).simd(one[0]);
      if (cmp) c.i32x4Hoisted(1).simd(Simd.v128And);
    },
    scalar: (a, b) => { if (one) c.get(a).get(b).op(one[1]); else pick.scalar(a, b); },
  };
}

/**
 * float32 lanes; maximum: a ≥ b or a is NaN ? a : b (the reference's select, bit-exact); pow four lanes at a
 * time.
 */
function f32Lanes(c: Code, op: LaneOp): Lanes {
  if (op === "pow") {
    const pow = powLanes(c);
    const [va, vb] = [c.local(v128), c.local(v128)];
    const splat = (x: number, v: number): Code => c.get(x).simd(Simd.f32x4Splat).set(v);
    // One element through lane 0.
    const scalar = (a: number, b: number): void => {
      splat(a, va); splat(b, vb); pow(va, vb); c.simd(Simd.f32x4ExtractLane, 0);
    };
    return { elem: f32, vector: pow, scalar };
  }
  const [vGe, sGe] = op === "maximum" ? [Simd.f32x4Ge, Op.f32Ge] : [Simd.f32x4Le, Op.f32Le];
  return lanesOf(c, f32, F32_OPS[op], COMPARISONS.includes(op), {
    vector: (a, b) => {
      c.get(a).get(b).get(a).get(b).simd(vGe).get(a).get(a).simd(Simd.f32x4Ne).simd(Simd.v128Or)
        .simd(Simd.v128Bitselect);
    },
    scalar: (a, b) => { c.get(a).get(b).get(a).get(b).op(sGe).get(a).get(a).op(Op.f32Ne).op(Op.i32Or).op(Op.select); },
  });
}

/** int32 lanes: add and sub wrap; maximum and minimum signed; comparisons 1/0. */
function i32Lanes(c: Code, op: IntLaneOp): Lanes {
  const [vPick, sGe] = op === "maximum" ? [Simd.i32x4MaxS, Op.i32GeS] : [Simd.i32x4MinS, Op.i32LeS];
  return lanesOf(c, i32, I32_OPS[op], COMPARISONS.includes(op), {
    vector: (a, b) => { c.get(a).get(b).simd(vPick); },
    scalar: (a, b) => { c.get(a).get(b).get(a).get(b).op(sGe).op(Op.select); },
  });
}

/** Bytes of one outer dim in the descriptor: size, a step, b step, a wrap, b wrap (i32 each, steps in bytes). */
export const DIM_BYTES = 20;

/**
 * `bcast_${op}` and `bcast_i32_${op}`(a, b, out, rows, n2, aIn, bIn, dims, k, idx): for each of `rows` rows,
 * out[j] = a[j·aIn] ∘ b[j·bIn] for j < n2 (aIn, bIn: byte strides, 4 to advance, 0 to repeat, else
 * gathered); then out advances n2 elements and a, b step through the k outer dims described at `dims`
 * (innermost first, DIM_BYTES each), their current index kept at `idx` (k i32, where the first row starts):
 * the first dim whose index does not wrap adds its step; each dim that wraps is reset, its wrap subtracted.
 */
function broadcast(makeLanes: (c: Code) => Lanes, intOut: boolean): Code {
  const c = new Code(new Array<ValType>(10).fill(i32));
  const [A, B, OUT, ROWS, N2, AIN, BIN, DIMS, K, IDX] = c.params.map((_, i) => i);
  const [row, j, n4, pa, pb, po, d, e, ix, v] = Array.from({ length: 10 }, () => c.local(i32));
  const op = makeLanes(c);
  const [va, vb, sa, sb] = [c.local(v128), c.local(v128), c.local(op.elem), c.local(op.elem)];
  const int = op.elem === i32;
  c.get(N2).i32(-4).op(Op.i32And).set(n4);
  /** Loads four lanes at pointer p, byte stride `step`, into vx: contiguous or gathered (bits kept). */
  const load4 = (p: number, step: number, vx: number, contiguous: boolean): void => {
    if (contiguous) { c.get(p).v128Load().set(vx); return; }
    c.get(p).v128Splat32().set(vx);
    for (let l = 1; l < 4; l++) {
      c.get(vx).get(p).get(step).i32(l).op(Op.i32Mul).op(Op.i32Add).mem(Op.i32Load, 2);
      c.simd(Simd.i32x4ReplaceLane, l).set(vx);
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
      c.get(po); op.vector(va, vb); c.v128Store();
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
      c.get(pa).mem(int ? Op.i32Load : Op.f32Load, 2).set(sa);
      c.get(pb).mem(int ? Op.i32Load : Op.f32Load, 2).set(sb);
      c.get(po); op.scalar(sa, sb);
      c.mem(intOut ? Op.i32Store : Op.f32Store, 2);
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
  c.if(() => c.get(l.v).get(l.e).mem(Op.i32Load, 2).op(Op.i32LtS), () => {
    c.get(l.ix).get(l.v).mem(Op.i32Store, 2).op(Op.br, 2);
  });
  c.get(l.ix).i32(0).mem(Op.i32Store, 2);
  c.get(l.A).get(l.e).mem(Op.i32Load, 2, 12).op(Op.i32Sub).set(l.A);
  c.get(l.B).get(l.e).mem(Op.i32Load, 2, 16).op(Op.i32Sub).set(l.B);
  c.inc(l.d, 1).inc(l.e, DIM_BYTES).inc(l.ix, 4);
  c.op(Op.br, 0, Op.end, Op.end);
}

export function broadcastFunctions(): Record<string, Code> {
  return Object.fromEntries([
    ...LANE_OPS.map((op) => [`bcast_${op}`, broadcast((c) => f32Lanes(c, op), COMPARISONS.includes(op))]),
    ...INT_LANE_OPS.map((op) => [`bcast_i32_${op}`, broadcast((c) => i32Lanes(c, op), true)]),
  ]);
}
