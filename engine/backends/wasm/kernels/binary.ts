// Emits float32 binary arithmetic (add, sub, mul, div) and the AdamW update on f32x4 lanes with scalar tails: a row form, where
// each operand either advances with the output or repeats one row (a broadcast bias), and a scalar form.
// Each lane is one IEEE operation, so results equal the reference's exactly.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";

const { i32, f32, v128 } = ValType;
export type ArithOp = "add" | "sub" | "mul" | "div";
const OPS: Record<ArithOp, [number, number]> = {
  add: [Simd.f32x4Add, Op.f32Add], sub: [Simd.f32x4Sub, Op.f32Sub], mul: [Simd.f32x4Mul, Op.f32Mul], div: [Simd.f32x4Div, Op.f32Div],
};

/**
 * `${op}Rows`(a, b, out, rows, p, aStep, bStep): out[r·p + j] = a[j] ∘ b[j] per row r of p elements, then a
 * and b advance by aStep and bStep bytes (p·4 for an operand that runs with the output, 0 for a repeated row).
 */
function rows(op: ArithOp): Code {
  const c = new Code(new Array<ValType>(7).fill(i32));
  const [A, B, OUT, ROWS, P, AS, BS] = c.params.map((_, i) => i);
  const [row, jb, pb, p4b] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  const at = (base: number): Code => c.get(base).get(jb).op(Op.i32Add);
  const [vop, sop] = OPS[op];
  c.get(P).i32(4).op(Op.i32Mul).set(pb);
  c.get(P).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(p4b);
  c.for(row, () => c.i32(0), () => c.get(ROWS), 1, () => {
    c.for(jb, () => c.i32(0), () => c.get(p4b), 16, () => { at(OUT); at(A).v128Load(); at(B).v128Load().simd(vop).v128Store(); });
    c.for(jb, () => c.get(p4b), () => c.get(pb), 4, () => { at(OUT); at(A).f32Load(); at(B).f32Load().op(sop).f32Store(); });
    c.inc(A, () => c.get(AS)).inc(B, () => c.get(BS)).inc(OUT, () => c.get(pb));
  });
  return c;
}

/** `${op}Scalar`(x, sBits, out, n) = x ∘ s, or with `first` (`${op}ScalarFirst`) s ∘ x. */
function scalar(op: ArithOp, first: boolean): Code {
  const c = new Code(new Array<ValType>(4).fill(i32));
  const [X, S, OUT, N] = c.params.map((_, i) => i);
  const [jb, nb, n4b, s, sv] = [c.local(i32), c.local(i32), c.local(i32), c.local(f32), c.local(v128)];
  const at = (base: number): Code => c.get(base).get(jb).op(Op.i32Add);
  const [vop, sop] = OPS[op];
  c.get(S).op(Op.f32ReinterpretI32).set(s);
  c.get(s).simd(Simd.f32x4Splat).set(sv);
  c.get(N).i32(4).op(Op.i32Mul).set(nb);
  c.get(N).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(n4b);
  c.for(jb, () => c.i32(0), () => c.get(n4b), 16, () => {
    at(OUT);
    if (first) { c.get(sv); at(X).v128Load(); } else { at(X).v128Load().get(sv); }
    c.simd(vop).v128Store();
  });
  c.for(jb, () => c.get(n4b), () => c.get(nb), 4, () => {
    at(OUT);
    if (first) { c.get(s); at(X).f32Load(); } else { at(X).f32Load().get(s); }
    c.op(sop).f32Store();
  });
  return c;
}

export function binaryFunctions(): Record<string, Code> {
  const fns: Record<string, Code> = {};
  for (const op of Object.keys(OPS) as ArithOp[]) {
    fns[`${op}Rows`] = rows(op);
    fns[`${op}Scalar`] = scalar(op, false);
    if (op === "sub" || op === "div") fns[`${op}ScalarFirst`] = scalar(op, true);
  }
  fns.adamw = adamwFunction();
  return fns;
}

/**
 * adamw(p, g, m, v, pOut, mOut, vOut, n, decay, b1, oneMinusB1, b2, oneMinusB2, stepSize, c2, eps), the f32
 * constants as bits: p·decay − stepSize·m' / (√v'/c2 + eps) with m' = b1·m + (1−b1)·g and v' = b2·v + (1−b2)·g².
 * Outputs may be the inputs themselves (an in-place update: each element is read before it is written).
 */
export function adamwFunction(): Code {
  const c = new Code(new Array<ValType>(16).fill(i32));
  const [P, G, M, V, PO, MO, VO, N, ...K] = c.params.map((_, i) => i);
  const names = ["decay", "b1", "ob1", "b2", "ob2", "step", "c2", "eps"] as const;
  const sc = Object.fromEntries(names.map((nm) => [nm, c.local(f32)])) as Record<(typeof names)[number], number>;
  const vc = Object.fromEntries(names.map((nm) => [nm, c.local(v128)])) as Record<(typeof names)[number], number>;
  names.forEach((nm, i) => { c.get(K[i]).op(Op.f32ReinterpretI32).set(sc[nm]); c.get(sc[nm]).simd(Simd.f32x4Splat).set(vc[nm]); });
  const [jb, nb, n4b] = [c.local(i32), c.local(i32), c.local(i32)];
  const [g, m, v] = [c.local(v128), c.local(v128), c.local(v128)];
  const [gs, ms, vs] = [c.local(f32), c.local(f32), c.local(f32)];
  const at = (base: number): Code => c.get(base).get(jb).op(Op.i32Add);
  c.get(N).i32(4).op(Op.i32Mul).set(nb);
  c.get(N).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(n4b);
  c.for(jb, () => c.i32(0), () => c.get(n4b), 16, () => {
    at(G).v128Load().set(g);
    at(M).v128Load().get(vc.b1).simd(Simd.f32x4Mul).get(g).get(vc.ob1).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(m);
    at(V).v128Load().get(vc.b2).simd(Simd.f32x4Mul).get(g).get(g).simd(Simd.f32x4Mul).get(vc.ob2).simd(Simd.f32x4Mul).simd(Simd.f32x4Add).set(v);
    at(PO); at(P).v128Load().get(vc.decay).simd(Simd.f32x4Mul)
      .get(vc.step).get(m).simd(Simd.f32x4Mul)
      .get(v).simd(Simd.f32x4Sqrt).get(vc.c2).simd(Simd.f32x4Div).get(vc.eps).simd(Simd.f32x4Add)
      .simd(Simd.f32x4Div).simd(Simd.f32x4Sub).v128Store();
    at(MO).get(m).v128Store();
    at(VO).get(v).v128Store();
  });
  c.for(jb, () => c.get(n4b), () => c.get(nb), 4, () => {
    at(G).f32Load().set(gs);
    at(M).f32Load().get(sc.b1).op(Op.f32Mul).get(gs).get(sc.ob1).op(Op.f32Mul).op(Op.f32Add).set(ms);
    at(V).f32Load().get(sc.b2).op(Op.f32Mul).get(gs).get(gs).op(Op.f32Mul).get(sc.ob2).op(Op.f32Mul).op(Op.f32Add).set(vs);
    at(PO); at(P).f32Load().get(sc.decay).op(Op.f32Mul)
      .get(sc.step).get(ms).op(Op.f32Mul)
      .get(vs).op(Op.f32Sqrt).get(sc.c2).op(Op.f32Div).get(sc.eps).op(Op.f32Add)
      .op(Op.f32Div).op(Op.f32Sub).f32Store();
    at(MO).get(ms).f32Store();
    at(VO).get(vs).f32Store();
  });
  return c;
}
