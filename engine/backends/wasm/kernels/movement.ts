// Emits the float32 data-movement and column-sum kernels: strided copy and its adjoint (permute, expand,
// slice), index row gather and its scatter-add (embeddings), and a column sum that accumulates in float64
// lanes in the reference's order, so its results equal the reference's to the last bit. Every kernel
// writes exactly its elements (whole vectors, then a scalar tail), so callers may split work anywhere.
import { Code } from "../emit/module.ts";
import { Op, Simd, ValType } from "../emit/opcodes.ts";

const { i32, f64, v128 } = ValType;

/** Copies or adds `n` contiguous floats from address local `from` to address local `to` (vectors, then a tail). */
function run(c: Code, from: number, to: number, n: number, add: boolean, jb: number, nb: number, n4b: number): void {
  c.get(n).i32(4).op(Op.i32Mul).set(nb);
  c.get(n).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(n4b);
  const at = (base: number): Code => c.get(base).get(jb).op(Op.i32Add);
  c.for(jb, () => c.i32(0), () => c.get(n4b), 16, () => {
    at(to); at(from).v128Load();
    if (add) at(to).v128Load().simd(Simd.f32x4Add);
    c.v128Store();
  });
  c.for(jb, () => c.get(n4b), () => c.get(nb), 4, () => {
    at(to); at(from).f32Load();
    if (add) at(to).f32Load().op(Op.f32Add);
    c.f32Store();
  });
}

/**
 * strided(src, dst, n0, n1, n2, n3, s0, s1, s2, s3) over a 4-D index space with byte strides s on the strided
 * side: copy (`stridedCopy4`) gathers src[Σ i·s] into contiguous dst; accumulate (`stridedAccumulate4`) adds
 * contiguous src into dst[Σ i·s]. The innermost dim runs as vectors where its stride is 4 (contiguous) or 0
 * (a broadcast, copy only), else element by element.
 */
function strided(add: boolean): Code {
  const c = new Code(new Array<ValType>(10).fill(i32));
  const [SRC, DST, N0, N1, N2, N3, S0, S1, S2, S3] = c.params.map((_, i) => i);
  const [i0, i1, i2, p1, p2, q, jb, nb, n4b, p, sv] =
    [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(v128)];
  // p0 is the strided operand's parameter itself; q walks the contiguous one.
  const [P0, Q0] = add ? [DST, SRC] : [SRC, DST];
  c.get(Q0).set(q);
  c.for(i0, () => c.i32(0), () => c.get(N0), 1, () => {
    c.get(P0).set(p1);
    c.for(i1, () => c.i32(0), () => c.get(N1), 1, () => {
      c.get(p1).set(p2);
      c.for(i2, () => c.i32(0), () => c.get(N2), 1, () => {
        c.if(() => c.get(S3).i32(4).op(Op.i32Eq), () => {
          if (add) run(c, q, p2, N3, true, jb, nb, n4b); else run(c, p2, q, N3, false, jb, nb, n4b);
        }, () => {
          if (!add) {
            c.if(() => c.get(S3).op(Op.i32Eqz), () => {
              // A broadcast: one value splatted over the run.
              c.get(N3).i32(4).op(Op.i32Mul).set(nb);
              c.get(N3).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(n4b);
              c.get(p2).v128Splat32().set(sv);
              c.for(jb, () => c.i32(0), () => c.get(n4b), 16, () => { c.get(q).get(jb).op(Op.i32Add).get(sv).v128Store(); });
              c.for(jb, () => c.get(n4b), () => c.get(nb), 4, () => { c.get(q).get(jb).op(Op.i32Add).get(p2).f32Load().f32Store(); });
            }, () => stridedRun(c, p2, q, N3, S3, add, jb, nb, p));
          } else stridedRun(c, p2, q, N3, S3, add, jb, nb, p);
        });
        c.inc(q, () => c.get(N3).i32(4).op(Op.i32Mul));
        c.inc(p2, () => c.get(S2));
      });
      c.inc(p1, () => c.get(S1));
    });
    c.inc(P0, () => c.get(S0));
  });
  return c;
}

/** The innermost run element by element: contiguous q[j] against strided p[j·s]. */
function stridedRun(c: Code, pBase: number, q: number, n: number, s: number, add: boolean, jb: number, nb: number, p: number): void {
  c.get(n).i32(4).op(Op.i32Mul).set(nb);
  c.get(pBase).set(p);
  c.for(jb, () => c.i32(0), () => c.get(nb), 4, () => {
    if (add) { c.get(p).get(p).f32Load().get(q).get(jb).op(Op.i32Add).f32Load().op(Op.f32Add).f32Store(); }
    else { c.get(q).get(jb).op(Op.i32Add).get(p).f32Load().f32Store(); }
    c.inc(p, () => c.get(s));
  });
}

/**
 * `indexSelectRows`(x, idx, out, n, rowBytes, width, outer, xBlock, outBlock): out row j = x row idx[j] (int32
 * indices at idx), rows rowBytes apart, `width` floats of each, for each of `outer` blocks (x and out advance
 * xBlock and outBlock bytes a block). `indexAddRows`(src, idx, dst, …) adds src row j into dst row idx[j], in
 * order, so repeated indices add up as in the reference.
 */
function indexRows(add: boolean): Code {
  const c = new Code(new Array<ValType>(9).fill(i32));
  const [X, IDX, OUT, N, RB, W, OUTER, XB, OB] = c.params.map((_, i) => i);
  const [o, j, from, to, jb, nb, n4b] = Array.from({ length: 7 }, () => c.local(i32));
  c.for(o, () => c.i32(0), () => c.get(OUTER), 1, () => {
    c.for(j, () => c.i32(0), () => c.get(N), 1, () => {
      const picked = (): Code =>
        c.get(IDX).get(j).i32(4).op(Op.i32Mul).op(Op.i32Add).mem(Op.i32Load, 2).get(RB).op(Op.i32Mul);
      const plain = (): Code => c.get(j).get(RB).op(Op.i32Mul);
      c.get(X); (add ? plain : picked)(); c.op(Op.i32Add).set(from);
      c.get(OUT); (add ? picked : plain)(); c.op(Op.i32Add).set(to);
      run(c, from, to, W, add, jb, nb, n4b);
    });
    c.inc(X, () => c.get(XB)).inc(OUT, () => c.get(OB));
  });
  return c;
}

/**
 * sumColumns(x, out, outer, size, inner, width): for x viewed as [outer, size, inner] (inner the row length in
 * floats), out[o, i] = Σ_j x[o, j, i] for the first `width` columns (x and out may start mid-row), added in
 * order of j in float64 and rounded once, as the reference does.
 */
function sumColumns(): Code {
  const c = new Code(new Array<ValType>(6).fill(i32));
  const [X, OUT, OUTER, SIZE, INNER, W] = c.params.map((_, i) => i);
  const [o, j, ib, p, rb, wb, w4b, v, a0, a1, s] =
    [c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(i32), c.local(v128), c.local(v128), c.local(v128), c.local(f64)];
  c.get(INNER).i32(4).op(Op.i32Mul).set(rb);
  c.get(W).i32(4).op(Op.i32Mul).set(wb);
  c.get(W).i32(-4).op(Op.i32And).i32(4).op(Op.i32Mul).set(w4b);
  c.for(o, () => c.i32(0), () => c.get(OUTER), 1, () => {
    c.for(ib, () => c.i32(0), () => c.get(w4b), 16, () => {
      c.v128Zero().set(a0); c.v128Zero().set(a1);
      c.get(X).get(ib).op(Op.i32Add).set(p);
      c.for(j, () => c.i32(0), () => c.get(SIZE), 1, () => {
        c.get(p).v128Load().set(v);
        c.get(a0).get(v).simd(Simd.f64x2PromoteLowF32x4).simd(Simd.f64x2Add).set(a0);
        c.get(a1).get(v).get(v).shuffle32([2, 3, 0, 1]).simd(Simd.f64x2PromoteLowF32x4).simd(Simd.f64x2Add).set(a1);
        c.inc(p, () => c.get(rb));
      });
      c.get(OUT).get(ib).op(Op.i32Add);
      c.get(a0).simd(Simd.f32x4DemoteF64x2Zero).get(a1).simd(Simd.f32x4DemoteF64x2Zero).shuffle32([0, 1, 4, 5]);
      c.v128Store();
    });
    c.for(ib, () => c.get(w4b), () => c.get(wb), 4, () => {
      c.op(Op.f64Const, 0, 0, 0, 0, 0, 0, 0, 0).set(s);
      c.get(X).get(ib).op(Op.i32Add).set(p);
      c.for(j, () => c.i32(0), () => c.get(SIZE), 1, () => {
        c.get(s).get(p).f32Load().op(Op.f64PromoteF32).op(Op.f64Add).set(s);
        c.inc(p, () => c.get(rb));
      });
      c.get(OUT).get(ib).op(Op.i32Add).get(s).op(Op.f32DemoteF64).f32Store();
    });
    c.inc(X, () => c.get(SIZE).get(rb).op(Op.i32Mul));
    c.inc(OUT, () => c.get(rb));
  });
  return c;
}

/**
 * transposeTiles(src, dst, batch, rows, cols, srcBatch, colStride, dstBatch): dst[b, i, j] = src[b·srcBatch +
 * i·4 + j·colStride] (byte strides; dst rows of `cols` floats, batches dstBatch bytes apart): a 2-D transpose,
 * in 16×16 tiles so that the strided reads of a tile stay in L1 while its rows are written.
 */
function transposeTiles(): Code {
  const c = new Code(new Array<ValType>(8).fill(i32));
  const [SRC, DST, BATCH, ROWS, COLS, SB, CS, DB] = c.params.map((_, i) => i);
  const [b, i0, j0, i, j, i1, j1, s, d] = Array.from({ length: 9 }, () => c.local(i32));
  const TILE = 16;
  const min = (a: () => void, bound: number): void => {
    a(); c.get(bound); a(); c.get(bound).op(Op.i32LtS).op(Op.select);
  };
  c.for(b, () => c.i32(0), () => c.get(BATCH), 1, () => {
    c.for(i0, () => c.i32(0), () => c.get(ROWS), TILE, () => {
      min(() => c.get(i0).i32(TILE).op(Op.i32Add), ROWS); c.set(i1);
      c.for(j0, () => c.i32(0), () => c.get(COLS), TILE, () => {
        min(() => c.get(j0).i32(TILE).op(Op.i32Add), COLS); c.set(j1);
        c.for(i, () => c.get(i0), () => c.get(i1), 1, () => {
          c.get(SRC).get(i).i32(4).op(Op.i32Mul).op(Op.i32Add).get(j0).get(CS).op(Op.i32Mul).op(Op.i32Add).set(s);
          c.get(DST).get(i).get(COLS).op(Op.i32Mul).get(j0).op(Op.i32Add).i32(4).op(Op.i32Mul).op(Op.i32Add).set(d);
          c.for(j, () => c.get(j0), () => c.get(j1), 1, () => {
            c.get(d).get(s).f32Load().f32Store();
            c.inc(s, () => c.get(CS)).inc(d, 4);
          });
        });
      });
    });
    c.inc(SRC, () => c.get(SB)).inc(DST, () => c.get(DB));
  });
  return c;
}

/**
 * `gatherElems`(x, idx, out, outer, size, idxSize, inner, i0, i1): for x [outer, size, inner] and int32 idx and
 * out [outer, idxSize, inner], out[o, j, i] = x[o, idx[o, j, i], i] over columns i in [i0, i1);
 * `scatterAddElems`(src, idx, dst, …) adds src[o, j, i] into dst[o, idx[o, j, i], i], in order of j.
 */
function elems(add: boolean): Code {
  const c = new Code(new Array<ValType>(9).fill(i32));
  const [A, IDX, B, OUTER, SIZE, IS, INNER, I0, I1] = c.params.map((_, i) => i);
  const [o, j, i, at, picked, big, small] = Array.from({ length: 7 }, () => c.local(i32));
  // big: the [size, inner] side (x, or dst), small: the [idxSize, inner] side (out, or src); at: the flat small index.
  c.for(o, () => c.i32(0), () => c.get(OUTER), 1, () => {
    c.for(j, () => c.i32(0), () => c.get(IS), 1, () => {
      c.for(i, () => c.get(I0), () => c.get(I1), 1, () => {
        c.get(o).get(IS).op(Op.i32Mul).get(j).op(Op.i32Add).get(INNER).op(Op.i32Mul).get(i).op(Op.i32Add).i32(4).op(Op.i32Mul).set(at);
        c.get(o).get(SIZE).op(Op.i32Mul).get(IDX).get(at).op(Op.i32Add).mem(Op.i32Load, 2).op(Op.i32Add)
          .get(INNER).op(Op.i32Mul).get(i).op(Op.i32Add).i32(4).op(Op.i32Mul).set(picked);
        c.get(add ? B : A).get(picked).op(Op.i32Add).set(big);
        c.get(add ? A : B).get(at).op(Op.i32Add).set(small);
        if (add) c.get(big).get(big).f32Load().get(small).f32Load().op(Op.f32Add).f32Store();
        else c.get(small).get(big).f32Load().f32Store();
      });
    });
  });
  return c;
}

export function movementFunctions(): Record<string, Code> {
  return {
    stridedCopy4: strided(false), stridedAccumulate4: strided(true),
    indexSelectRows: indexRows(false), indexAddRows: indexRows(true), sumColumns: sumColumns(), transposeTiles: transposeTiles(),
    gatherElems: elems(false), scatterAddElems: elems(true),
  };
}
