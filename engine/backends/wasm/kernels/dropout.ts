// Emits dropoutU8(x, keep, out, n, scaleBits): out[i] = keep[i] ≠ 0 ? x[i]·scale : 0 with a byte mask (the
// attention dropout keep-mask), four lanes at a time and a scalar tail; scale comes as its f32 bits.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";

const { i32, f32, v128 } = ValType;
function dropoutU8(): Code {
  const c = new Code([i32, i32, i32, i32, i32]);
  const [X, KEEP, OUT, N, SCALE] = [0, 1, 2, 3, 4];
  const [i, n4, sv] = [c.local(i32), c.local(i32), c.local(v128)];
  const s = c.local(f32);
  c.get(SCALE).op(Op.f32ReinterpretI32).set(s);
  c.get(s).simd(Simd.f32x4Splat).set(sv);
  c.get(N).i32(-4).op(Op.i32And).set(n4);
  c.for(i, () => c.i32(0), () => c.get(n4), 4, () => {
    c.get(OUT).get(i).i32(2).op(Op.i32Shl).op(Op.i32Add);
    c.get(X).get(i).i32(2).op(Op.i32Shl).op(Op.i32Add).v128Load().get(sv).simd(Simd.f32x4Mul);
    c.get(KEEP).get(i).op(Op.i32Add).simdMem(Simd.load32Zero, 0)
      .simd(Simd.i16x8ExtendLowI8x16U).simd(Simd.i32x4ExtendLowI16x8U).v128Zero().simd(Simd.i32x4Ne);
    c.simd(Simd.v128And).v128Store();
  });
  c.for(i, () => c.get(n4), () => c.get(N), 1, () => {
    c.get(OUT).get(i).i32(2).op(Op.i32Shl).op(Op.i32Add);
    c.get(X).get(i).i32(2).op(Op.i32Shl).op(Op.i32Add).f32Load().get(s).op(Op.f32Mul).f32(0);
    c.get(KEEP).get(i).op(Op.i32Add).mem(Op.i32Load8U, 0).op(Op.select).f32Store();
  });
  return c;
}

export function dropoutFunctions(): Record<string, Code> {
  return { dropoutU8: dropoutU8() };
}
