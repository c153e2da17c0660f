// Emits the float32 GEMM: a register-tiled MR×NR micro-kernel over packed panels, a cache-blocked
// driver loop (GotoBLAS order: kc slices of k, then NR column panels, then MR row panels) and the
// panel packer that also absorbs every transpose form.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";
import { emitPhi } from "./norm.ts";

const { i32, v128 } = ValType;

export interface GemmShape {
  /** Rows of a micro-tile: each A value is splatted once and multiplies NR/4 vectors. */
  readonly mr: number;
  /** Columns of a micro-tile, a multiple of 4 (one v128 holds 4 floats). */
  readonly nr: number;
  /** Depth of one k slice: an MR×KC A panel and a KC×NR B panel stay in L1. */
  readonly kc: number;
  /** Row panels per L2 block of A. */
  readonly mcPanels: number;
  /** Depth steps per trip of the micro-kernel's loop. */
  readonly unroll: number;
}

/**
 * MR·NR/4 accumulators + NR/4 B vectors + 1 splat must fit the 15 xmm registers V8 allocates on x64:
 * 3×12 (9 + 3 + 1) measured fastest on an AVX-512 Xeon (4×8 and 6×8 ran 20–30% slower; unrolling
 * the depth loop made TurboFan hoist loads and spill). AETNET_GEMM="mr,nr,kc,mcPanels,unroll" overrides it for tuning.
 */
const tune = (process.env.AETNET_GEMM ?? "").split(",").map(Number);
export const GEMM: GemmShape = { mr: tune[0] || 3, nr: tune[1] || 12, kc: tune[2] || 256, mcPanels: tune[3] || 16, unroll: tune[4] || 1 };

/** micro(a, b, c, kc, ldcBytes, accumulate): C[MR×NR] (+)= Apanel[kc×MR]ᵀ · Bpanel[kc×NR]. */
function micro(s: GemmShape, fma: boolean): Code {
  const c = new Code([i32, i32, i32, i32, i32, i32]);
  const [A, B, C, K, LDC, ACC] = [0, 1, 2, 3, 4, 5];
  const V = s.nr / 4;
  const acc = Array.from({ length: s.mr * V }, () => c.local(v128));
  const bv = Array.from({ length: V }, () => c.local(v128));
  const av = c.local(v128);
  const row = c.local(i32);
  const p = c.local(i32);
  const eachRow = (body: (r: number) => void): void => {
    c.get(C).set(row);
    for (let r = 0; r < s.mr; r++) { body(r); if (r < s.mr - 1) c.inc(row, () => c.get(LDC)); }
  };
  c.if(() => c.get(ACC),
    () => eachRow((r) => { for (let v = 0; v < V; v++) c.get(row).v128Load(v * 16).set(acc[r * V + v]); }),
    () => { for (const x of acc) c.v128Zero().set(x); });
  /** One rank-1 update from depth step u of the current A and B pointers. */
  const step = (u: number): void => {
    for (let v = 0; v < V; v++) c.get(B).v128Load(u * s.nr * 4 + v * 16).set(bv[v]);
    for (let r = 0; r < s.mr; r++) {
      c.get(A).v128Splat32(u * s.mr * 4 + r * 4).set(av);
      for (let v = 0; v < V; v++) {
        const x = acc[r * V + v];
        if (fma) c.get(av).get(bv[v]).get(x).simd(Simd.f32x4RelaxedMadd);
        else c.get(av).get(bv[v]).simd(Simd.f32x4Mul).get(x).simd(Simd.f32x4Add);
        c.set(x);
      }
    }
  };
  // Unrolled by UNROLL (fewer pointer bumps and branches), then the remainder one step at a time.
  const U = s.unroll;
  c.for(p, () => c.i32(U - 1), () => c.get(K), U, () => {
    for (let u = 0; u < U; u++) step(u);
    c.inc(A, U * s.mr * 4).inc(B, U * s.nr * 4);
  });
  c.for(p, () => c.get(K).get(K).i32(U).op(Op.i32RemU).op(Op.i32Sub), () => c.get(K), 1, () => {
    step(0);
    c.inc(A, s.mr * 4).inc(B, s.nr * 4);
  });
  eachRow((r) => { for (let v = 0; v < V; v++) c.get(row).get(acc[r * V + v]).v128Store(v * 16); });
  return c;
}

/** Pushes min(x, y) for two i32 pushers. */
const min = (c: Code, x: () => void, y: () => void): void => { x(); y(); x(); y(); c.op(Op.i32LtS, Op.select); };

/**
 * Packed layout (both operands): k is cut into slices of KC; slice pc holds every panel back to back,
 * panel q (rows q·R..q·R+R) as [kcCur][R]. So element (row i, depth p) of a matrix padded to `total`
 * rows sits at pc·total + ⌊i/R⌋·R·kcCur + (p − pc)·R + i mod R, and one L2 block is contiguous memory
 * (panels a power-of-two apart alias in the L1 sets and halve the speed).
 */
const sliceBase = (c: Code, pc: number, total: number, q: number, r: number, kc: number): void => {
  // (pc·total + q·R·kc)·4 with q a panel index
  c.get(pc).get(total).op(Op.i32Mul).get(q).i32(r).op(Op.i32Mul).get(kc).op(Op.i32Mul, Op.i32Add).i32(4).op(Op.i32Mul);
};

/**
 * gemm(a, b, c, mFrom, mTo, nFrom, nTo, k, mTotal, nTotal, count, aStride, bStride, cStride, m, n, ldc, tile, bias, pre,
 * gelu): for
 * each of `count` problems, the output tiles of row panels [mFrom, mTo) and column panels [nFrom, nTo) of
 * C (m × n, rows ldc bytes apart) = Apack · Bpack (packed padded to mTotal × nTotal). Whole tiles are written
 * where they lie; an edge tile (past m or n) runs into `tile` (MR×NR floats of this thread's own) and only
 * its valid part is copied to C, so C needs no padding and nothing is written past it. With a bias (address ≠ 0),
 * each L2 block of rows gets the epilogue once its last k slice is done, while it is still in cache.
 */
function gemm(s: GemmShape, at: { micro: number; epilogue: number }): Code {
  const microIndex = at.micro;
  const c = new Code(new Array<ValType>(21).fill(i32));
  const [A, B, C, MF, MT, NF, NT, K, MTOT, NTOT, COUNT, AS, BS, CS, M, N, LDC, TILE, BIAS, PRE, GELU] = c.params.map((_, i) => i);
  const [t, pc, kc, ic, iEnd, jr, ir] = [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32)];
  const [aAt, bAt, cAt, rows, cols, r, j] = Array.from({ length: 7 }, () => c.local(i32));
  /** Copies the valid rows×cols of the edge tile between C (at cAt) and TILE, either way. */
  const copyTile = (toTile: boolean): void => {
    c.for(r, () => c.i32(0), () => c.get(rows), 1, () => {
      c.for(j, () => c.i32(0), () => c.get(cols), 1, () => {
        const cAddr = (): void => { c.get(cAt).get(r).get(LDC).op(Op.i32Mul, Op.i32Add).get(j).i32(4).op(Op.i32Mul, Op.i32Add); };
        const tAddr = (): void => { c.get(TILE).get(r).i32(s.nr).op(Op.i32Mul).get(j).op(Op.i32Add).i32(4).op(Op.i32Mul, Op.i32Add); };
        if (toTile) { tAddr(); cAddr(); } else { cAddr(); tAddr(); }
        c.f32Load().f32Store();
      });
    });
  };
  c.for(t, () => c.i32(0), () => c.get(COUNT), 1, () => {
    c.for(pc, () => c.i32(0), () => c.get(K), s.kc, () => {
      min(c, () => c.i32(s.kc), () => c.get(K).get(pc).op(Op.i32Sub)); c.set(kc);
      c.for(ic, () => c.get(MF), () => c.get(MT), s.mcPanels, () => {
        min(c, () => c.get(ic).i32(s.mcPanels).op(Op.i32Add), () => c.get(MT)); c.set(iEnd);
        c.for(jr, () => c.get(NF), () => c.get(NT), 1, () => {
          min(c, () => c.i32(s.nr), () => c.get(N).get(jr).i32(s.nr).op(Op.i32Mul, Op.i32Sub)); c.set(cols);
          c.for(ir, () => c.get(ic), () => c.get(iEnd), 1, () => {
            c.get(A); sliceBase(c, pc, MTOT, ir, s.mr, kc); c.op(Op.i32Add).set(aAt);
            c.get(B); sliceBase(c, pc, NTOT, jr, s.nr, kc); c.op(Op.i32Add).set(bAt);
            // c + ir·MR·ldc + jr·NR·4
            c.get(C).get(ir).i32(s.mr).op(Op.i32Mul).get(LDC).op(Op.i32Mul, Op.i32Add).get(jr).i32(s.nr * 4).op(Op.i32Mul, Op.i32Add).set(cAt);
            min(c, () => c.i32(s.mr), () => c.get(M).get(ir).i32(s.mr).op(Op.i32Mul, Op.i32Sub)); c.set(rows);
            c.if(() => c.get(rows).i32(s.mr).op(Op.i32Eq).get(cols).i32(s.nr).op(Op.i32Eq, Op.i32And),
              () => { c.get(aAt).get(bAt).get(cAt).get(kc).get(LDC).get(pc).op(Op.call, microIndex); },
              () => {
                c.if(() => c.get(pc), () => copyTile(true));
                c.get(aAt).get(bAt).get(TILE).get(kc).i32(s.nr * 4).get(pc).op(Op.call, microIndex);
                copyTile(false);
              });
          });
        });
        // epilogue(c, rowFrom, rowTo, colFrom, colTo, ldc, bias, pre, gelu) on this block's finished rows
        c.if(() => c.get(BIAS).i32(0).op(Op.i32Ne).get(pc).get(kc).op(Op.i32Add).get(K).op(Op.i32GeS, Op.i32And), () => {
          c.get(C).get(ic).i32(s.mr).op(Op.i32Mul);
          min(c, () => c.get(iEnd).i32(s.mr).op(Op.i32Mul), () => c.get(M));
          c.get(NF).i32(s.nr).op(Op.i32Mul);
          min(c, () => c.get(NT).i32(s.nr).op(Op.i32Mul), () => c.get(N));
          c.get(LDC).get(BIAS).get(PRE).get(GELU).op(Op.call, at.epilogue);
        });
      });
    });
    c.inc(A, () => c.get(AS)).inc(B, () => c.get(BS)).inc(C, () => c.get(CS));
    c.if(() => c.get(PRE), () => { c.inc(PRE, () => c.get(CS)); });
  });
  return c;
}

/**
 * epilogue(c, rowFrom, rowTo, colFrom, colTo, ldc, bias, pre, gelu): C[i, j] += bias[j] over the block; where pre ≠ 0
 * that sum is also stored at pre (same layout as C: the GELU backward's input); where gelu ≠ 0, C = GELU(sum).
 * Four columns at a time, the last few one lane at a time.
 */
function epilogue(): Code {
  const c = new Code(new Array<ValType>(9).fill(i32));
  const [C, RF, RT, CF, CT, LDC, BIAS, PRE, GELU] = c.params.map((_, i) => i);
  const [r, j, at, v, ez] = [c.local(i32), c.local(i32), c.local(i32), c.local(v128), c.local(v128)];
  /** v = act(v) in place, storing the pre-activation first; `store` writes v (or pre) at byte offset `at`. */
  const finish = (store: (base: number) => void): void => {
    c.if(() => c.get(PRE), () => store(PRE));
    c.if(() => c.get(GELU), () => { emitPhi(c, v, ez); c.get(v).simd(Simd.f32x4Mul).set(v); });
    store(C);
  };
  c.for(r, () => c.get(RF), () => c.get(RT), 1, () => {
    c.for(j, () => c.get(CF), () => c.get(CT).i32(3).op(Op.i32Sub), 4, () => {
      c.get(r).get(LDC).op(Op.i32Mul).get(j).i32(4).op(Op.i32Mul, Op.i32Add).set(at);
      c.get(C).get(at).op(Op.i32Add).v128Load().get(BIAS).get(j).i32(4).op(Op.i32Mul, Op.i32Add).v128Load().simd(Simd.f32x4Add).set(v);
      finish((base) => { c.get(base).get(at).op(Op.i32Add).get(v).v128Store(); });
    });
    // j is where the vector loop stopped; the rest one lane at a time (lane 0 of a splat)
    c.for(j, () => c.get(j), () => c.get(CT), 1, () => {
      c.get(r).get(LDC).op(Op.i32Mul).get(j).i32(4).op(Op.i32Mul, Op.i32Add).set(at);
      c.get(C).get(at).op(Op.i32Add).f32Load().get(BIAS).get(j).i32(4).op(Op.i32Mul, Op.i32Add).f32Load().op(Op.f32Add)
        .simd(Simd.f32x4Splat).set(v);
      finish((base) => { c.get(base).get(at).op(Op.i32Add).get(v).simd(Simd.f32x4ExtractLane, 0).f32Store(); });
    });
  });
  return c;
}

/**
 * pack(src, dst, rowFrom, rowTo, depth, rsBytes, csBytes, total, count, srcStride, dstStride): element
 * (row i, depth p) at src + i·rs + p·cs goes to its packed place (above); rowFrom is a multiple of R.
 * The padding rows of a last partial panel are written as zeros; the strides make every transpose form one loop.
 */
function pack(R: number, KC: number): Code {
  const c = new Code(new Array<ValType>(11).fill(i32));
  const [SRC, DST, RF, RT, DEPTH, RS, CS, TOTAL, COUNT, SS, DS] = c.params.map((_, i) => i);
  const [t, pc, kc, q, rEnd, p, r, s, d] = Array.from({ length: 9 }, () => c.local(i32));
  c.for(t, () => c.i32(0), () => c.get(COUNT), 1, () => {
    c.for(pc, () => c.i32(0), () => c.get(DEPTH), KC, () => {
      min(c, () => c.i32(KC), () => c.get(DEPTH).get(pc).op(Op.i32Sub)); c.set(kc);
      c.for(q, () => c.get(RF), () => c.get(RT), R, () => {
        min(c, () => c.i32(R), () => c.get(RT).get(q).op(Op.i32Sub)); c.set(rEnd);
        // Depth contiguous in the source (cs = 4, e.g. A not transposed): row by row along the depth, long unit-stride
        // reads; else depth step by depth step across the panel's rows (unit stride along rows where rs = 4).
        c.if(() => c.get(CS).i32(4).op(Op.i32Eq), () => {
          c.for(r, () => c.i32(0), () => c.i32(R), 1, () => {
            // s = src + (q + r)·rs + pc·4; d = dst + (pc·total + q·kc + r)·4
            c.get(SRC).get(q).get(r).op(Op.i32Add).get(RS).op(Op.i32Mul, Op.i32Add).get(pc).i32(4).op(Op.i32Mul, Op.i32Add).set(s);
            c.get(DST).get(pc).get(TOTAL).op(Op.i32Mul).get(q).get(kc).op(Op.i32Mul, Op.i32Add).get(r).op(Op.i32Add).i32(4).op(Op.i32Mul, Op.i32Add).set(d);
            c.if(() => c.get(r).get(rEnd).op(Op.i32LtS),
              () => c.for(p, () => c.i32(0), () => c.get(kc), 1, () => { c.get(d).get(s).f32Load().f32Store(); c.inc(s, 4).inc(d, R * 4); }),
              () => c.for(p, () => c.i32(0), () => c.get(kc), 1, () => { c.get(d).f32(0).f32Store(); c.inc(d, R * 4); }));
          });
        }, () => {
          c.for(p, () => c.i32(0), () => c.get(kc), 1, () => {
            // s = src + q·rs + (pc + p)·cs; d = dst + (pc·total + q·kc + p·R)·4
            c.get(SRC).get(q).get(RS).op(Op.i32Mul, Op.i32Add).get(pc).get(p).op(Op.i32Add).get(CS).op(Op.i32Mul, Op.i32Add).set(s);
            c.get(DST).get(pc).get(TOTAL).op(Op.i32Mul).get(q).get(kc).op(Op.i32Mul, Op.i32Add).get(p).i32(R).op(Op.i32Mul, Op.i32Add).i32(4).op(Op.i32Mul, Op.i32Add).set(d);
            c.for(r, () => c.i32(0), () => c.get(rEnd), 1, () => {
              c.get(d).get(s).f32Load().f32Store();
              c.inc(s, () => c.get(RS)).inc(d, 4);
            });
            // Padding rows of a last partial panel: zeros. Their products land only in the unused part of an edge
            // tile, but left-over scratch there could hold denormals, which slow the FMAs.
            c.for(r, () => c.get(rEnd), () => c.i32(R), 1, () => { c.get(d).f32(0).f32Store(); c.inc(d, 4); });
          });
        });
      });
    });
    c.inc(SRC, () => c.get(SS)).inc(DST, () => c.get(DS));
  });
  return c;
}

/**
 * packBoth(aSrc, aDst, aFrom, aTo, bSrc, bDst, bFrom, bTo, k, ars, acs, brs, bcs, mTotal, nTotal): one thread's share
 * of both packs of one problem (rows [aFrom, aTo) of op(A), columns [bFrom, bTo) of op(B)) in one call, so the
 * packing of a split GEMM costs one barrier, not two.
 */
function packBoth(packA: number, packB: number): Code {
  const c = new Code(new Array<ValType>(15).fill(i32));
  const [AS, AD, AF, AT, BS, BD, BF, BT, K, ARS, ACS, BRS, BCS, MTOT, NTOT] = c.params.map((_, i) => i);
  c.get(AS).get(AD).get(AF).get(AT).get(K).get(ARS).get(ACS).get(MTOT).i32(1).i32(0).i32(0).op(Op.call, packA);
  c.get(BS).get(BD).get(BF).get(BT).get(K).get(BRS).get(BCS).get(NTOT).i32(1).i32(0).i32(0).op(Op.call, packB);
  return c;
}

/**
 * gemmBatch(a, b, c, count, aStride, bStride, cStride, m, k, n, ars, acs, brs, bcs, mPanels, nPanels, aPack, bPack, tile,
 * bias, pre, gelu):
 * `count` whole problems one after the other on this thread: pack A, pack B (into this thread's own buffers, still
 * in cache for its GEMM), multiply. A batch split across threads this way needs one barrier in all.
 */
function gemmBatch(s: GemmShape, at: { gemm: number; packA: number; packB: number }): Code {
  const c = new Code(new Array<ValType>(22).fill(i32));
  const [A, B, C, COUNT, AS, BS, CS, M, K, N, ARS, ACS, BRS, BCS, MP, NP, AP, BP, TILE, BIAS, PRE, GELU] = c.params.map((_, i) => i);
  const t = c.local(i32);
  c.for(t, () => c.i32(0), () => c.get(COUNT), 1, () => {
    c.get(A).get(AP).i32(0).get(M).get(K).get(ARS).get(ACS).get(MP).i32(s.mr).op(Op.i32Mul).i32(1).i32(0).i32(0).op(Op.call, at.packA);
    c.get(B).get(BP).i32(0).get(N).get(K).get(BRS).get(BCS).get(NP).i32(s.nr).op(Op.i32Mul).i32(1).i32(0).i32(0).op(Op.call, at.packB);
    c.get(AP).get(BP).get(C).i32(0).get(MP).i32(0).get(NP).get(K).get(MP).i32(s.mr).op(Op.i32Mul).get(NP).i32(s.nr).op(Op.i32Mul);
    c.i32(1).i32(0).i32(0).i32(0).get(M).get(N).get(N).i32(4).op(Op.i32Mul).get(TILE).get(BIAS).get(PRE).get(GELU).op(Op.call, at.gemm);
    c.inc(A, () => c.get(AS)).inc(B, () => c.get(BS)).inc(C, () => c.get(CS));
    c.if(() => c.get(PRE), () => { c.inc(PRE, () => c.get(CS)); });
  });
  return c;
}

/** The GEMM functions, in module order (they come first in the module: calls between them use these indices). */
export function gemmFunctions(s: GemmShape, fma: boolean): Record<string, Code> {
  const at = { micro: 0, epilogue: 1, gemm: 2, packA: 3, packB: 4 };
  return {
    micro: micro(s, fma), epilogue: epilogue(), gemm: gemm(s, at), packA: pack(s.mr, s.kc), packB: pack(s.nr, s.kc),
    packBoth: packBoth(at.packA, at.packB), gemmBatch: gemmBatch(s, at),
  };
}
