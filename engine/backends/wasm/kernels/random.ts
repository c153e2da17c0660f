// Emits the dropout keep-mask kernels: xoshiro128** (engine/random.ts) stepped in i32 locals, one draw per
// element. The uniform u = r / 2^32 satisfies u ≥ p exactly when r ≥ ⌈p·2^32⌉ (unsigned), so the mask equals the
// one random() draws would give, bit for bit.
import { Code } from "../emit/module.ts";
import { Op, ValType } from "../emit/opcodes.ts";

const { i32 } = ValType;

/**
 * mask{F32,U8}(state, out, n, threshold, keepBits): out[i] = r_i ≥ threshold ? keep : 0 for the next n outputs r_i
 * of the stream whose four words are at `state` (stored back advanced); U8 writes bytes 1/0 and ignores keepBits.
 */
function mask(bytes: boolean): Code {
  const c = new Code([i32, i32, i32, i32, i32]);
  const [STATE, OUT, N, T, KEEP] = [0, 1, 2, 3, 4];
  const [i, s0, s1, s2, s3, t] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  const words = [s0, s1, s2, s3];
  words.forEach((w, k) => { c.get(STATE).mem(Op.i32Load, 2, 4 * k).set(w); });
  const xorInto = (a: number, b: number): void => { c.get(a).get(b).op(Op.i32Xor).set(a); };
  c.for(i, () => c.i32(0), () => c.get(N), 1, () => {
    // r = rotl(s1·5, 7)·9, compared with the threshold
    c.get(OUT);
    if (bytes) c.get(i).op(Op.i32Add); else c.get(i).i32(2).op(Op.i32Shl).op(Op.i32Add);
    if (bytes) c.i32(1).i32(0); else c.get(KEEP).i32(0);
    c.get(s1).i32(5).op(Op.i32Mul).i32(7).op(Op.i32Rotl).i32(9).op(Op.i32Mul).get(T).op(Op.i32GeU).op(Op.select);
    if (bytes) c.mem(Op.i32Store8, 0); else c.mem(Op.i32Store, 2);
    c.get(s1).i32(9).op(Op.i32Shl).set(t);
    xorInto(s2, s0); xorInto(s3, s1); xorInto(s1, s2); xorInto(s0, s3); xorInto(s2, t);
    c.get(s3).i32(11).op(Op.i32Rotl).set(s3);
  });
  words.forEach((w, k) => { c.get(STATE).get(w).mem(Op.i32Store, 2, 4 * k); });
  return c;
}

export function randomFunctions(): Record<string, Code> {
  return { maskF32: mask(false), maskU8: mask(true) };
}
