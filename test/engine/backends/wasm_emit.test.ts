// The WebAssembly emitter: LEB128 encodings against the spec's examples, and a module built with Code
// that validates and computes (a structured loop, SIMD ops and memory access).
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { sleb, uleb } from "../../../engine/backends/wasm/emit/encoding.ts";
import { Code, encodeModule } from "../../../engine/backends/wasm/emit/module.ts";
import { Op, Simd, ValType } from "../../../engine/backends/wasm/emit/opcodes.ts";
import { hasWasmSimd } from "../../../engine/backends/wasm/emit/detect.ts";
import { skipWhen } from "../../skip.ts";

const t = suite("wasm emit");

t("LEB128 known values", () => {
  assert.equal(uleb(0), [0]);
  assert.equal(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.equal(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.equal(sleb(63), [0x3f]);
  assert.equal(sleb(64), [0xc0, 0x00]);
  assert.equal(sleb(-64), [0x40]);
});

t("LEB128 round-trips", () => {
  const decode = (bytes: number[], signed: boolean): number => {
    let v = 0, shift = 0, byte = 0;
    for (byte of bytes) { v += (byte & 0x7f) * 2 ** shift; shift += 7; }
    return signed && byte & 0x40 ? v - 2 ** shift : v;
  };
  fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (x) => decode(uleb(x), false) === x));
  fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (x) => decode(sleb(x), true) === x));
});

const simd = skipWhen(t, hasWasmSimd() ? null : "this runtime has no WebAssembly SIMD");
simd("a built module sums floats with f32x4 lanes", () => {
  // sum4(ptr, n): Σ over n floats at ptr, n a multiple of 4, via one v128 accumulator.
  const c = new Code([ValType.i32, ValType.i32], [ValType.f32]);
  const [acc, i] = [c.local(ValType.v128), c.local(ValType.i32)];
  c.v128Zero().set(acc);
  c.for(i, () => c.i32(0), () => c.get(1), 4, () => {
    c.get(acc).get(0).get(i).i32(4).op(Op.i32Mul, Op.i32Add).v128Load().simd(Simd.f32x4Add).set(acc);
  });
  for (let lane = 0; lane < 4; lane++) { c.get(acc).simd(Simd.f32x4ExtractLane, lane); if (lane > 0) c.op(Op.f32Add); }
  const bytes = encodeModule({ sum4: c }, false);
  assert.ok(WebAssembly.validate(bytes));
  const memory = new WebAssembly.Memory({ initial: 1 });
  const sum4 = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.sum4 as (p: number, n: number) => number;
  new Float32Array(memory.buffer).set([1, 2, 3, 4, 5, 6, 7, 8], 4);
  assert.is(sum4(16, 8), 36);
});

simd("hoisted constants: one global each, shared across functions, read once on entry", () => {
  // axpb(ptr, n): x·2.5 + 1 in place over n floats, and one(): lane 0 of the hoisted 1.0 — two functions, one
  // global for 1.0 (as f32 and as the same bits through i32x4Hoisted), one for 2.5.
  const c = new Code([ValType.i32, ValType.i32]);
  const i = c.local(ValType.i32);
  c.for(i, () => c.i32(0), () => c.get(1), 4, () => {
    c.get(0).get(i).i32(4).op(Op.i32Mul, Op.i32Add);
    c.get(0).get(i).i32(4).op(Op.i32Mul, Op.i32Add).v128Load().f32x4Hoisted(2.5).simd(Simd.f32x4Mul)
      .f32x4Hoisted(1).simd(Simd.f32x4Add).v128Store();
  });
  const one = new Code([], [ValType.f32]);
  one.i32x4Hoisted(0x3f800000).simd(Simd.f32x4ExtractLane, 0);
  const bytes = encodeModule({ axpb: c, one }, false);
  assert.ok(WebAssembly.validate(bytes));
  const module = new WebAssembly.Module(bytes);
  const memory = new WebAssembly.Memory({ initial: 1 });
  type Fns = { axpb: (p: number, n: number) => void; one: () => number };
  const fns = new WebAssembly.Instance(module, { env: { memory } }).exports as Fns;
  const f32 = new Float32Array(memory.buffer);
  f32.set([0, 1, 2, 3, -4, 5, 6, 7]);
  fns.axpb(0, 8);
  assert.equal(Array.from(f32.subarray(0, 8)), [1, 3.5, 6, 8.5, -9, 13.5, 16, 18.5]);
  assert.is(fns.one(), 1);
  // two distinct constants (1.0 shared between the functions): the global section lists two v128 globals
  let at = 8, globals = -1;
  while (at < bytes.length) { // section id, LEB128 size (all sizes here fit one or two bytes), contents
    const [id, long] = [bytes[at], bytes[at + 1] & 0x80];
    const size = long ? (bytes[at + 1] & 0x7f) + bytes[at + 2] * 128 : bytes[at + 1];
    const start = at + (long ? 3 : 2);
    if (id === 6) globals = bytes[start];
    at = start + size;
  }
  assert.is(globals, 2);
  assert.throws(() => c.encode(), /hoisted constants need encodeModule/);
});

t.run();
