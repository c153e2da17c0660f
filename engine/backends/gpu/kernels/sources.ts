// gpu.js kernel sources, as strings of plain JavaScript (gpu.js translates function source to WGSL or GLSL;
// strings keep tsx/esbuild from rewriting it). Every kernel has a flat 1-D output ([n]) and flat 1-D inputs;
// multi-dimensional indices come from float arithmetic, exact below 2^24 (the library refuses larger sizes).
// Loop bounds are always `this.constants.*`: gpu.js silently cuts a loop bounded by a kernel argument at
// 1000 iterations. Float literals are written with a decimal point so they are never typed as integers.
import type { BinaryOp, UnaryOp } from "../../backend.ts";

const C = "this.constants.";

/** The lowest finite float32: a masked attention key gets exactly zero weight (as the cpu reference). */
export const LOWEST_F32 = -3.4028234663852886e38;

/**
 * Statements setting `q` = ⌊rem / size⌋ and `c` = rem − q·size exactly: the float quotient of a GPU division is
 * not correctly rounded (WGSL allows 2.5 ulp), so the floor is corrected by one step either way.
 */
export function divmod(rem: string, size: string, q: string, c: string): string {
  return `let ${q} = Math.floor(${rem} / ${size}); let ${c} = ${rem} - ${q} * ${size};` +
    ` if (${c} < 0.0) { ${q} = ${q} - 1.0; ${c} = ${c} + ${size}; }` +
    ` if (${c} >= ${size}) { ${q} = ${q} + 1.0; ${c} = ${c} - ${size}; }`;
}

/**
 * Statements setting `out` = erf(`v`) to about 2e-7 absolute: the Taylor series below |v| = 0.5 (keeps the
 * relative error small near 0), Abramowitz–Stegun 7.1.26 above. `p` prefixes the temporaries.
 */
export function erfStatements(v: string, out: string, p: string): string {
  return `let ${out} = 0.0; const ${p}a = Math.abs(${v});
  if (${p}a < 0.5) {
    const ${p}s = ${v} * ${v};
    ${out} = 1.1283791670955126 * ${v} * (1.0 + ${p}s * (-0.3333333333333333 + ${p}s * (0.1 + ${p}s * (-0.023809523809523808 + ${p}s * (0.004629629629629629 + ${p}s * (-0.0007575757575757576 + ${p}s * 0.00010683760683760684))))));
  } else {
    const ${p}t = 1.0 / (1.0 + 0.3275911 * ${p}a);
    const ${p}y = 1.0 - ${p}t * (0.254829592 + ${p}t * (-0.284496736 + ${p}t * (1.421413741 + ${p}t * (-1.453152027 + ${p}t * 1.061405429)))) * Math.exp(-${p}a * ${p}a);
    ${out} = ${v} < 0.0 ? -${p}y : ${p}y;
  }`;
}

/** Statements computing `r` from `v` for each unary op. */
const UNARY: Record<UnaryOp, string> = {
  neg: "const r = -v;",
  exp: "const r = Math.exp(v);",
  log: "const r = Math.log(v);",
  sqrt: "const r = Math.sqrt(v);",
  rsqrt: "const r = 1.0 / Math.sqrt(v);",
  abs: "const r = Math.abs(v);",
  // clamped: exp-based tanh implementations overflow to NaN for large |v|; tanh(±15) is ±1 in float32
  tanh: "const r = Math.tanh(Math.min(Math.max(v, -15.0), 15.0));",
  sigmoid: "let r = 0.0; if (v >= 0.0) { r = 1.0 / (1.0 + Math.exp(-v)); } else { const e = Math.exp(v); r = e / (1.0 + e); }",
  relu: "const r = v > 0.0 ? v : 0.0;",
  erf: erfStatements("v", "r", "e"),
  sign: "let r = 0.0; if (v > 0.0) { r = 1.0; } if (v < 0.0) { r = -1.0; }",
  step: "const r = v > 0.0 ? 1.0 : 0.0;",
};

export function unarySource(op: UnaryOp): string {
  return `function (x) { const v = x[this.thread.x]; ${UNARY[op]} return r; }`;
}

/** Statements computing `r` from `av` and `bv` for each binary op (comparisons give 1/0). */
const BINARY: Record<BinaryOp, string> = {
  add: "const r = av + bv;",
  sub: "const r = av - bv;",
  mul: "const r = av * bv;",
  div: "const r = av / bv;",
  // Math.pow semantics (WGSL's pow is undefined for a base ≤ 0): x^0 = 1; a zero base gives 0 or Infinity, signed
  // like the zero for odd integer exponents; a negative base takes integer exponents (NaN otherwise)
  pow: `let r = 1.0;
  if (bv !== 0.0) {
    let odd = 0.0;
    if (Math.floor(bv) === bv) { const h = bv * 0.5; if (Math.floor(h) !== h) { odd = 1.0; } }
    const aa = Math.abs(av);
    if (aa === 0.0) {
      if (bv < 0.0) { r = odd > 0.5 ? 1.0 / av : 1.0 / aa; } else { r = odd > 0.5 ? av : 0.0; }
    } else {
      const pa = Math.pow(aa, bv);
      r = pa;
      if (av < 0.0) {
        if (Math.floor(bv) === bv) { if (odd > 0.5) { r = -pa; } } else { r = Math.sqrt(av); }
      }
    }
  }`,
  maximum: "const r = (av >= bv || av !== av) ? av : bv;",
  minimum: "const r = (av <= bv || av !== av) ? av : bv;",
  eq: "const r = av === bv ? 1.0 : 0.0;",
  ne: "const r = av !== bv ? 1.0 : 0.0;",
  lt: "const r = av < bv ? 1.0 : 0.0;",
  le: "const r = av <= bv ? 1.0 : 0.0;",
  gt: "const r = av > bv ? 1.0 : 0.0;",
  ge: "const r = av >= bv ? 1.0 : 0.0;",
};

/**
 * Statements turning the flat output index `rem` into operand offsets `ia` (strides SA*), and `ib` (strides SB*)
 * when `two`, over dims D0..D{rank-1} (constants). Dim 0 needs no division.
 */
function stridedOffsets(rank: number, two: boolean): string {
  const lines = ["let rem = this.thread.x;", `let ia = ${C}OFF;`];
  if (two) lines.push("let ib = 0.0;");
  for (let d = rank - 1; d >= 1; d--) {
    lines.push(divmod("rem", `${C}D${d}`, `q${d}`, `c${d}`));
    lines.push(`ia = ia + c${d} * ${C}SA${d};`);
    if (two) lines.push(`ib = ib + c${d} * ${C}SB${d};`);
    lines.push(`rem = q${d};`);
  }
  if (rank >= 1) {
    lines.push(`ia = ia + rem * ${C}SA0;`);
    if (two) lines.push(`ib = ib + rem * ${C}SB0;`);
  }
  return lines.join("\n  ");
}

export function binarySource(op: BinaryOp, rank: number): string {
  return `function (a, b) {
  ${stridedOffsets(rank, true)}
  const av = a[ia]; const bv = b[ib];
  ${BINARY[op]}
  return r;
}`;
}

export function stridedCopySource(rank: number): string {
  return `function (src) {
  ${stridedOffsets(rank, false)}
  return src[ia];
}`;
}

export const UPLOAD_SOURCE = "function (x) { return x[this.thread.x]; }";
export const FILL_SOURCE = `function () { return ${C}VALUE; }`;
export const CLAMP_SOURCE = "function (x, lo, hi) { return Math.min(Math.max(x[this.thread.x], lo), hi); }";
export const WHERE_SOURCE = "function (cond, a, b) { const t = this.thread.x; return cond[t] !== 0.0 ? a[t] : b[t]; }";

export type RowReduce = "sum" | "max" | "min" | "argmax" | "argmin";

/** One value per contiguous row of COLS; max/min/arg* let a NaN win (the first one), as the cpu reference. */
export function reduceRowsSource(op: RowReduce): string {
  if (op === "sum") {
    return `function (x) { const base = this.thread.x * ${C}COLS; let s = 0.0;
  for (let j = 0; j < ${C}COLS; j++) { s += x[base + j]; }
  return s; }`;
  }
  const better = op === "max" || op === "argmax" ? "v > best" : "v < best";
  const result = op === "max" || op === "min" ? "best" : "at";
  return `function (x) { const base = this.thread.x * ${C}COLS; let best = x[base]; let at = 0.0;
  for (let j = 1; j < ${C}COLS; j++) {
    const v = x[base + j];
    if (best === best && (v !== v || ${better})) { best = v; at = j; }
  }
  return ${result}; }`;
}

export const SUM_AXIS_SOURCE = `function (x) {
  ${divmod("this.thread.x", `${C}INNER`, "o", "i")}
  const base = o * ${C}SIZE * ${C}INNER + i; let s = 0.0;
  for (let j = 0; j < ${C}SIZE; j++) { s += x[base + j * ${C}INNER]; }
  return s;
}`;

/**
 * out[t, i, j] = ALPHA · Σ_p A[t, i, p]·B[t, p, j] with A = a or aᵀ, B = b or bᵀ per batch; constants M, K, N,
 * MK = M·K, KN = K·N, ALPHA.
 */
export function matmulSource(transA: boolean, transB: boolean): string {
  return `function (a, b) {
  ${divmod("this.thread.x", `${C}N`, "r", "j")}
  ${divmod("r", `${C}M`, "t", "i")}
  let ia = t * ${C}MK + ${transA ? "i" : `i * ${C}K`};
  let ib = t * ${C}KN + ${transB ? `j * ${C}K` : "j"};
  let s = 0.0;
  for (let p = 0; p < ${C}K; p++) {
    s += a[ia] * b[ib];
    ia += ${transA ? `${C}M` : "1.0"};
    ib += ${transB ? "1.0" : `${C}N`};
  }
  return s * ${C}ALPHA;
}`;
}

/** Row statistics for softmax: out[2r] = row max, out[2r + 1] = Σ exp(x − max). */
export const SOFTMAX_STATS_SOURCE = `function (x) {
  ${divmod("this.thread.x", "2.0", "r", "w")}
  const base = r * ${C}COLS;
  let mx = x[base];
  for (let j = 1; j < ${C}COLS; j++) { mx = Math.max(mx, x[base + j]); }
  if (w < 0.5) { return mx; }
  let s = 0.0;
  for (let j = 0; j < ${C}COLS; j++) { s += Math.exp(x[base + j] - mx); }
  return s;
}`;

export function softmaxApplySource(log: boolean): string {
  return `function (x, st) {
  const t = this.thread.x;
  ${divmod("t", `${C}COLS`, "r", "j")}
  const mx = st[2.0 * r]; const s = st[2.0 * r + 1.0];
  return ${log ? "x[t] - mx - Math.log(s)" : "Math.exp(x[t] - mx) / s"};
}`;
}

/** Per row: Σ g (log-softmax) or Σ g·y (softmax). */
export function rowDotSource(log: boolean): string {
  return `function (y, g) { const base = this.thread.x * ${C}COLS; let s = 0.0;
  for (let j = 0; j < ${C}COLS; j++) { s += ${log ? "g[base + j]" : "g[base + j] * y[base + j]"}; }
  return s; }`;
}

/** Softmax backward from the row dots; with a key mask (attention) the masked keys get 0. */
export function softmaxBackwardApplySource(log: boolean, masked: boolean): string {
  const args = masked ? "y, g, dot, mask" : "y, g, dot";
  const maskLines = masked ? `${divmod("r", `${C}LQ`, "bb", "ii")}
  const mo = ${C}MO[bb]; const mi = mo + ii * ${C}MRS + j * ${C}MCS;
  const keep = mask[mi];
  if (keep === 0.0) { return 0.0; }` : "";
  return `function (${args}) {
  const t = this.thread.x;
  ${divmod("t", `${C}COLS`, "r", "j")}
  ${maskLines}
  const d = dot[r];
  return ${log ? "g[t] - Math.exp(y[t]) * d" : "y[t] * (g[t] - d)"};
}`;
}

export const LN_MEAN_SOURCE = `function (x) { const base = this.thread.x * ${C}COLS; let s = 0.0;
  for (let j = 0; j < ${C}COLS; j++) { s += x[base + j]; }
  return s / ${C}COLS; }`;

export const LN_RSTD_SOURCE = `function (x, mean) { const base = this.thread.x * ${C}COLS; const mu = mean[this.thread.x]; let v = 0.0;
  for (let j = 0; j < ${C}COLS; j++) { const d = x[base + j] - mu; v += d * d; }
  return 1.0 / Math.sqrt(v / ${C}COLS + ${C}EPS); }`;

export function lnApplySource(weight: boolean, bias: boolean): string {
  const args = ["x", "mean", "rstd", ...(weight ? ["w"] : []), ...(bias ? ["b"] : [])].join(", ");
  return `function (${args}) {
  const t = this.thread.x;
  ${divmod("t", `${C}COLS`, "r", "j")}
  const h = (x[t] - mean[r]) * rstd[r];
  return ${weight ? "h * w[j]" : "h"}${bias ? " + b[j]" : ""};
}`;
}

/** Per row: out[2r] = mean_j(ĝ), out[2r + 1] = mean_j(ĝ·x̂) with ĝ = g·w. */
export function lnBackStatsSource(weight: boolean): string {
  return `function (x, g, mean, rstd${weight ? ", w" : ""}) {
  ${divmod("this.thread.x", "2.0", "r", "which")}
  const base = r * ${C}COLS; const mu = mean[r]; const rs = rstd[r]; let s = 0.0;
  for (let j = 0; j < ${C}COLS; j++) {
    const gj = ${weight ? "g[base + j] * w[j]" : "g[base + j]"};
    if (which < 0.5) { s += gj; } else { s += gj * (x[base + j] - mu) * rs; }
  }
  return s / ${C}COLS;
}`;
}

export function lnBackDxSource(weight: boolean): string {
  return `function (x, g, mean, rstd, st${weight ? ", w" : ""}) {
  const t = this.thread.x;
  ${divmod("t", `${C}COLS`, "r", "j")}
  const rs = rstd[r];
  const gj = ${weight ? "g[t] * w[j]" : "g[t]"};
  const h = (x[t] - mean[r]) * rs;
  return rs * (gj - st[2.0 * r] - h * st[2.0 * r + 1.0]);
}`;
}

/** dw[j] = Σ_rows g·x̂. */
export const LN_BACK_DW_SOURCE = `function (x, g, mean, rstd) {
  const j = this.thread.x; let s = 0.0;
  for (let r = 0; r < ${C}ROWS; r++) { const t = r * ${C}COLS + j; s += g[t] * (x[t] - mean[r]) * rstd[r]; }
  return s;
}`;

export const GELU_SOURCE = `function (x) {
  const v = x[this.thread.x];
  ${erfStatements("v * 0.7071067811865476", "e", "f")}
  return 0.5 * v * (1.0 + e);
}`;

export const GELU_BACKWARD_SOURCE = `function (x, g) {
  const t = this.thread.x; const v = x[t];
  ${erfStatements("v * 0.7071067811865476", "e", "f")}
  return g[t] * (0.5 * (1.0 + e) + v * 0.3989422804014327 * Math.exp(-0.5 * v * v));
}`;

/**
 * Attention scores [batch, LQ, LK]: SCALE · q kᵀ, plus bias[BO[b] + i·BRS + j·BCS], with LOWEST where
 * mask[MO[b] + i·MRS + j·MCS] is 0. Indices and reads go into locals first: gpu.js's GL backends hoist a
 * read inside an if into a float, and give two hoisted index expressions the same name.
 */
export function attentionScoresSource(bias: boolean, mask: boolean): string {
  const args = ["q", "k", ...(bias ? ["bias"] : []), ...(mask ? ["mask"] : [])].join(", ");
  return `function (${args}) {
  ${divmod("this.thread.x", `${C}LK`, "r", "j")}
  ${divmod("r", `${C}LQ`, "b", "i")}
  const qb = r * ${C}D; const kb = (b * ${C}LK + j) * ${C}D;
  let s = 0.0;
  for (let p = 0; p < ${C}D; p++) { s += q[qb + p] * k[kb + p]; }
  s = s * ${C}SCALE;
  ${bias ? `const bo = ${C}BO[b]; const bi = bo + i * ${C}BRS + j * ${C}BCS;
  s = s + bias[bi];` : ""}
  ${mask ? `const mo = ${C}MO[b]; const mi = mo + i * ${C}MRS + j * ${C}MCS;
  const keep = mask[mi];
  if (keep === 0.0) { s = ${C}LOWEST; }` : ""}
  return s;
}`;
}

/** AdamW, one kernel per output (each recomputes the new moments from the old ones). */
export const ADAMW_M_SOURCE = "function (g, m, b1, omb1) { const t = this.thread.x; return b1 * m[t] + omb1 * g[t]; }";
export const ADAMW_V_SOURCE = "function (g, v, b2, omb2) { const t = this.thread.x; return b2 * v[t] + omb2 * g[t] * g[t]; }";
export const ADAMW_P_SOURCE = `function (p, g, m, v, decay, b1, omb1, b2, omb2, stepSize, c2, eps) {
  const t = this.thread.x; const gt = g[t];
  const m2 = b1 * m[t] + omb1 * gt;
  const v2 = b2 * v[t] + omb2 * gt * gt;
  return p[t] * decay - stepSize * m2 / (Math.sqrt(v2) / c2 + eps);
}`;
