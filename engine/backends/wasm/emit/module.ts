// A small WebAssembly module builder: function bodies as byte lists with structured-control helpers,
// and a module of functions over one imported memory (shared when worker threads use it), plus the v128
// constants those functions load once on entry (Code.v128Hoisted).
import { f32Bytes, section, sleb, uleb, utf8, vec } from "./encoding.ts";
import { Op, Simd, ValType } from "./opcodes.ts";

const f32x4Bytes = (v: number): number[] => { const b = f32Bytes(v); return [...b, ...b, ...b, ...b]; };
const i32x4Bytes = (v: number): number[] => {
  const b = [0, 8, 16, 24].map((s) => (v >>> s) & 255);
  return [...b, ...b, ...b, ...b];
};

/** One function body. Locals are numbered after the parameters, as in the binary format. */
export class Code {
  readonly params: ValType[];
  readonly results: ValType[];
  readonly bytes: number[] = [];
  readonly #locals: ValType[] = [];
  /** Runs on entry, before `bytes`: the loads of hoisted constants into their locals. */
  readonly #prologue: number[] = [];
  /** Each hoisted constant: its local, and where the prologue reads its global (index patched at encoding). */
  readonly #hoisted = new Map<string, { local: number; at: number; bytes: number[] }>();

  constructor(params: ValType[], results: ValType[] = []) {
    this.params = params;
    this.results = results;
  }

  /** Declares a new local of `type` and returns its index. */
  local(type: ValType): number {
    this.#locals.push(type);
    return this.params.length + this.#locals.length - 1;
  }

  op(...bytes: number[]): this { this.bytes.push(...bytes); return this; }
  get(i: number): this { return this.op(Op.localGet, ...uleb(i)); }
  set(i: number): this { return this.op(Op.localSet, ...uleb(i)); }
  tee(i: number): this { return this.op(Op.localTee, ...uleb(i)); }
  i32(v: number): this { return this.op(Op.i32Const, ...sleb(v)); }
  f32(v: number): this { return this.op(Op.f32Const, ...f32Bytes(v)); }
  /** A 0xFD-prefixed SIMD instruction with its immediates. */
  simd(op: number, ...imm: number[]): this { return this.op(0xfd, ...uleb(op), ...imm); }
  /** A memory instruction: opcode, alignment exponent, constant byte offset. */
  mem(op: number, align: number, offset = 0): this { return this.op(op, align, ...uleb(offset)); }
  simdMem(op: number, align: number, offset = 0): this { return this.simd(op, align, ...uleb(offset)); }
  v128Load(offset = 0): this { return this.simdMem(Simd.load, 4, offset); }
  v128Store(offset = 0): this { return this.simdMem(Simd.store, 4, offset); }
  v128Splat32(offset = 0): this { return this.simdMem(Simd.load32Splat, 2, offset); }
  f32Load(offset = 0): this { return this.mem(Op.f32Load, 2, offset); }
  f32Store(offset = 0): this { return this.mem(Op.f32Store, 2, offset); }
  v128Zero(): this { return this.simd(Simd.const, ...new Array<number>(16).fill(0)); }
  /**
   * A v128.const of four copies of the f32 v, inline where it is used. Kernels use the Hoisted forms below
   * (V8 rebuilds an inline constant at every use, in loops too); the inline ones are for code run once and for
   * benchmarks that compare the two.
   */
  f32x4Const(v: number): this { return this.simd(Simd.const, ...f32x4Bytes(v)); }
  /** An inline v128.const of four copies of the i32 v (see f32x4Const). */
  i32x4Const(v: number): this { return this.simd(Simd.const, ...i32x4Bytes(v)); }
  /** i8x16.shuffle of the two v128 on the stack picking 32-bit lanes (0–3 of the first, 4–7 of the second). */
  shuffle32(picks: readonly number[]): this {
    return this.simd(Simd.i8x16Shuffle, ...picks.flatMap((l) => [0, 1, 2, 3].map((b) => l * 4 + b)));
  }

  /**
   * Pushes the v128 constant `bytes` from a local the function sets once on entry from a module global.
   * V8's optimizing tier rebuilds a v128.const at every use, inside loops too (three instructions, one a slow
   * move from an integer register); a local loaded before the loops stays in a register or one stack reload.
   */
  v128Hoisted(bytes: number[]): this {
    if (bytes.length !== 16) throw new Error(`Code.v128Hoisted: expected 16 bytes, got ${bytes.length}`);
    const key = bytes.join(",");
    let h = this.#hoisted.get(key);
    if (!h) {
      h = { local: this.local(ValType.v128), at: this.#prologue.length + 1, bytes };
      this.#hoisted.set(key, h);
      // global.get with a padded 5-byte LEB128 index (filled in by encode), then local.set
      this.#prologue.push(Op.globalGet, 0x80, 0x80, 0x80, 0x80, 0x00, Op.localSet, ...uleb(h.local));
    }
    return this.get(h.local);
  }
  /** v128Hoisted of four copies of the f32 v. */
  f32x4Hoisted(v: number): this { return this.v128Hoisted(f32x4Bytes(v)); }
  /** v128Hoisted of four copies of the i32 v. */
  i32x4Hoisted(v: number): this { return this.v128Hoisted(i32x4Bytes(v)); }
  /** v128Hoisted of two copies of the f64 v. */
  f64x2Hoisted(v: number): this {
    const b = [...new Uint8Array(new Float64Array([v]).buffer)];
    return this.v128Hoisted([...b, ...b]);
  }
  /** v128Hoisted of two copies of the 64-bit pattern v. */
  i64x2Hoisted(v: bigint): this {
    const b = [...new Uint8Array(new BigUint64Array([v]).buffer)];
    return this.v128Hoisted([...b, ...b]);
  }

  /** local[i] += delta (i32). */
  inc(i: number, delta: number | (() => void)): this {
    this.get(i);
    if (typeof delta === "number") this.i32(delta); else delta();
    return this.op(Op.i32Add).set(i);
  }

  /** if (cond) then [else otherwise]; cond pushes one i32. */
  if(cond: () => void, then: () => void, otherwise?: () => void): this {
    cond();
    this.op(Op.if, 0x40);
    then();
    if (otherwise) { this.op(Op.else); otherwise(); }
    return this.op(Op.end);
  }

  /** for (local[i] = from; local[i] < to; local[i] += step) body — signed compare; from/to push one i32. */
  for(i: number, from: () => void, to: () => void, step: number, body: () => void): this {
    from(); this.set(i);
    this.op(Op.block, 0x40, Op.loop, 0x40);
    this.get(i); to(); this.op(Op.i32GeS, Op.brIf, 1);
    body();
    this.inc(i, step);
    return this.op(Op.br, 0, Op.end, Op.end);
  }

  /**
   * The encoded body: locals run-length grouped by type, the prologue, instructions, end; `global` gives the
   * module global holding each hoisted constant.
   */
  encode(global: (bytes: number[]) => number = noGlobals): number[] {
    const groups: number[][] = [];
    for (const t of this.#locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++; else groups.push([1, t]);
    }
    const prologue = [...this.#prologue];
    for (const { at, bytes } of this.#hoisted.values()) {
      const i = global(bytes);
      for (let k = 0; k < 5; k++) prologue[at + k] = ((i >>> (7 * k)) & 0x7f) | (k < 4 ? 0x80 : 0);
    }
    const body = [...vec(groups.map(([n, t]) => [...uleb(n), t])), ...prologue, ...this.bytes, Op.end];
    return [...uleb(body.length), ...body];
  }
}

const noGlobals = (): number => { throw new Error("Code.encode: hoisted constants need encodeModule's globals"); };

/**
 * Encodes a module of exported functions that import memory "env.memory" (shared: limits flag 3), with one
 * mutable v128 global per distinct hoisted constant (mutable, so the compiler reads it rather than folding it
 * back into a v128.const at each use).
 */
export function encodeModule(funcs: Record<string, Code>, shared: boolean): Uint8Array {
  const names = Object.keys(funcs);
  const codes = names.map((n) => funcs[n]);
  const globals = new Map<string, { index: number; bytes: number[] }>();
  const global = (bytes: number[]): number => {
    const key = bytes.join(",");
    if (!globals.has(key)) globals.set(key, { index: globals.size, bytes });
    return globals.get(key)!.index;
  };
  const bodies = codes.map((c) => c.encode(global));
  // each: type v128, mutable, initialised by v128.const
  const globalSection = [...globals.values()]
    .map(({ bytes }) => [ValType.v128, 0x01, 0xfd, ...uleb(Simd.const), ...bytes, Op.end]);
  const types = codes.map((c) => [0x60, ...vec(c.params.map((p) => [p])), ...vec(c.results.map((r) => [r]))]);
  const limits = shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...utf8("env"), ...utf8("memory"), 0x02, ...limits]])),
    ...section(3, vec(codes.map((_, i) => uleb(i)))),
    ...(globalSection.length ? section(6, vec(globalSection)) : []),
    ...section(7, vec(names.map((n, i) => [...utf8(n), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies)),
  ];
  return new Uint8Array(bytes);
}
