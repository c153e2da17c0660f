// `npx tsx bench/exp_variants.ts`: f32x4 exp variants emitted as wasm, each timed as a one-thread map over 4096
// floats (in L1, so the arithmetic is what is measured; best of 7 runs of 2000 calls) and checked against
// Math.exp on a sweep of floats from −110 to 90 (every 1009th bit pattern, denormal results included), on the
// edges (±0, ±∞, NaN, the overflow and underflow thresholds), and bit for bit against the first variant.
//   cephes:    the exp this engine had before (math.ts history): NaN-aware min/max clamp, f32x4.nearest,
//              i32x4.trunc_sat for 2ⁿ, a compare-and-select fix-up for out-of-range inputs, v128.const operands.
//   oneInstr:  every step one x64 instruction (pmin/pmax clamp, 1.5·2²³ rounding whose bits give 2ⁿ, no
//              fix-up), constants still as v128.const.
//   engine:    emitExp as the engine has it now: oneInstr with its constants hoisted (Code.f32x4Hoisted).
import { Code, encodeModule } from "../engine/backends/wasm/emit/module.ts";
import { Simd, ValType } from "../engine/backends/wasm/emit/opcodes.ts";
import { emitExp } from "../engine/backends/wasm/kernels/math.ts";

const { i32, v128 } = ValType;
type Emit = (c: Code, x: number) => void;
type Konst = (c: Code, v: number, int?: boolean) => Code;

const inline: Konst = (c, v, int) => (int ? c.i32x4Const(v) : c.f32x4Const(v));
const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

const cephes: Emit = (c, x) => {
  const [n, r, y] = [c.local(v128), c.local(v128), c.local(v128)];
  const [HI, LO] = [88.72283935546875, -103.97207708];
  c.get(x).f32x4Const(LO).simd(Simd.f32x4Max).f32x4Const(HI).simd(Simd.f32x4Min).set(r);
  c.get(r).f32x4Const(Math.LOG2E).simd(Simd.f32x4Mul).simd(Simd.f32x4Nearest).set(n);
  c.get(r).get(n).f32x4Const(0.693359375).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub)
    .get(n).f32x4Const(-2.12194440e-4).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).set(r);
  c.f32x4Const(P[0]).set(y);
  for (const k of P.slice(1)) c.get(y).get(r).simd(Simd.f32x4Mul).f32x4Const(k).simd(Simd.f32x4Add).set(y);
  c.get(y).get(r).simd(Simd.f32x4Mul).get(r).simd(Simd.f32x4Mul).get(r).simd(Simd.f32x4Add)
    .f32x4Const(1).simd(Simd.f32x4Add);
  c.get(n).simd(Simd.i32x4TruncSatF32x4S).set(n);
  c.get(n).i32(1).simd(Simd.i32x4ShrS).set(r);
  c.get(r).i32(127).simd(Simd.i32x4Splat).simd(Simd.i32x4Add).i32(23).simd(Simd.i32x4Shl).simd(Simd.f32x4Mul);
  c.get(n).get(r).simd(Simd.i32x4Sub).i32(127).simd(Simd.i32x4Splat).simd(Simd.i32x4Add).i32(23).simd(Simd.i32x4Shl)
    .simd(Simd.f32x4Mul);
  c.set(y);
  c.f32x4Const(Infinity).get(y).get(x).f32x4Const(HI).simd(Simd.f32x4Gt).simd(Simd.v128Bitselect);
  c.get(x).f32x4Const(LO).simd(Simd.f32x4Ge).get(x).get(x).simd(Simd.f32x4Ne).simd(Simd.v128Or).simd(Simd.v128And);
};

/** emitExp's algorithm with constants from K (inline v128.const here). */
const oneInstr = (K: Konst): Emit => (c, x) => {
  const [t, n, r, y, a] = [c.local(v128), c.local(v128), c.local(v128), c.local(v128), c.local(v128)];
  const MAGIC = 1.5 * 2 ** 23;
  c.get(x); K(c, -104).simd(Simd.f32x4Pmax); K(c, 89).simd(Simd.f32x4Pmin).set(r);
  c.get(r); K(c, Math.LOG2E).simd(Simd.f32x4Mul); K(c, MAGIC).simd(Simd.f32x4Add).set(t);
  c.get(t); K(c, MAGIC).simd(Simd.f32x4Sub).set(n);
  c.get(r).get(n); K(c, 0.693359375).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub)
    .get(n); K(c, -2.12194440e-4).simd(Simd.f32x4Mul).simd(Simd.f32x4Sub).set(r);
  K(c, P[0]).set(y);
  for (const k of P.slice(1)) { c.get(y).get(r).simd(Simd.f32x4Mul); K(c, k).simd(Simd.f32x4Add).set(y); }
  c.get(y).get(r).simd(Simd.f32x4Mul).get(r).simd(Simd.f32x4Mul).get(r).simd(Simd.f32x4Add);
  K(c, 1).simd(Simd.f32x4Add).set(y);
  c.get(t); K(c, 0x4b400000, true).simd(Simd.i32x4Sub).set(n);
  c.get(n).i32(1).simd(Simd.i32x4ShrS).set(a);
  c.get(y).get(a).i32(23).simd(Simd.i32x4Shl); K(c, 0x3f800000, true).simd(Simd.i32x4Add).simd(Simd.f32x4Mul);
  c.get(n).get(a).simd(Simd.i32x4Sub).i32(23).simd(Simd.i32x4Shl);
  K(c, 0x3f800000, true).simd(Simd.i32x4Add).simd(Simd.f32x4Mul);
};

const variants: Record<string, Emit> = {
  cephes,
  oneInstr: oneInstr(inline),
  engine: (c, x) => emitExp(c, x, { n: c.local(v128), r: c.local(v128), y: c.local(v128) }),
};

/** map(src, dst, n) with the variant's exp as its body. */
function mapOf(emit: Emit): Code {
  const c = new Code([i32, i32, i32]);
  const [SRC, DST, N] = [0, 1, 2];
  const [i, x] = [c.local(i32), c.local(v128)];
  c.for(i, () => c.i32(0), () => c.get(N), 4, () => {
    c.get(SRC).v128Load().set(x);
    c.get(DST); emit(c, x); c.v128Store();
    c.inc(SRC, 16).inc(DST, 16);
  });
  return c;
}

const memory = new WebAssembly.Memory({ initial: 1024 });
const names = Object.keys(variants);
const mod = new WebAssembly.Module(encodeModule(Object.fromEntries(names.map((n) => [n, mapOf(variants[n])])), false));
type MapFn = (s: number, d: number, n: number) => void;
const fns = new WebAssembly.Instance(mod, { env: { memory } }).exports as Record<string, MapFn>;
const f32 = new Float32Array(memory.buffer);
const u32 = new Uint32Array(memory.buffer);

// The inputs from byte 0, each variant's results after them.
const bitsOf = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];
const sweep: number[] = [];
for (let b = bitsOf(90); b > 0; b -= 1009) sweep.push(b);
for (let b = 0x80000000; b <= bitsOf(-110); b += 1009) sweep.push(b);
const edges = [0, -0, 1, -1, 88.72283935546875, 88.72284, 89, 100, Infinity, -103.97207708, -103.9721, -104, -200,
  -Infinity, NaN, 1e-30, -1e-30];
const count = sweep.length + edges.length;
const N = (count + 3) & ~3;
u32.set(sweep, 0);
f32.set(edges, sweep.length);

const ulps = (got: number, want: number): number => {
  if (Number.isNaN(want)) return Number.isNaN(got) ? 0 : Infinity;
  if (got === want) return 0;
  if (!Number.isFinite(got) || !Number.isFinite(want)) return Infinity;
  return Math.abs(got - want) / Math.max(2 ** -149, 2 ** (Math.floor(Math.log2(Math.abs(want))) - 23));
};
const nsPerElement = (fn: (s: number, d: number, n: number) => void): number => {
  const n = 4096, src = N * 4 * (names.length + 1), dst = src + n * 4;
  for (let i = 0; i < n; i++) f32[src / 4 + i] = (i / n - 0.75) * 40;
  for (let i = 0; i < 2000; i++) fn(src, dst, n);
  let best = Infinity;
  for (let rep = 0; rep < 7; rep++) {
    const t = performance.now();
    for (let i = 0; i < 2000; i++) fn(src, dst, n);
    best = Math.min(best, performance.now() - t);
  }
  return (best / 2000 / n) * 1e6;
};

names.forEach((name, v) => {
  const out = N * (v + 1);
  fns[name](0, out * 4, N);
  let worst = 0, at = 0, differ = 0;
  for (let i = 0; i < count; i++) {
    const e = ulps(f32[out + i], Math.fround(Math.exp(f32[i])));
    if (e > worst) { worst = e; at = f32[i]; }
    if (u32[out + i] !== u32[N + i]) differ++;
  }
  const edgeOut = edges.map((_, j) => f32[out + sweep.length + j]);
  const edgesOk = edges.every((x, j) =>
    Object.is(edgeOut[j], Math.fround(Math.exp(x))) || ulps(edgeOut[j], Math.fround(Math.exp(x))) <= 1);
  console.log(`${name.padEnd(9)} ${nsPerElement(fns[name]).toFixed(3)} ns/element (1 thread); ` +
    `worst ${worst.toFixed(2)} ulp (at ${at}); edges ${edgesOk ? "exact" : "WRONG " + edgeOut.join(",")}; ` +
    `${differ} of ${count} results differ from ${names[0]}`);
});
