// Binary maps with general broadcasting on wasm SIMD (kernels/broadcast.ts), any rank, float32 operands for every
// op and int32 ones for add, sub, maximum, minimum and the comparisons: the broadcast is
// collapsed (size-1 dims dropped, neighbours merged where both operands allow) to rows of its last dim, which
// each operand reads contiguously, repeats or gathers (a transposed operand), and outer dims the kernel steps
// through itself. Rows are split over the worker pool; a single long row is split by element ranges instead.
import type { BinaryOp } from "../backend.ts";
import { DIM_BYTES, INT_LANE_OPS, LANE_OPS } from "./kernels/broadcast.ts";
import type { Operand, WasmRuntime } from "./runtime.ts";
import { splitJobs } from "./split.ts";

/** A dim of the broadcast: its size and each operand's element stride along it. */
export interface Dim { n: number; a: number; b: number }
/** The broadcast as contiguous rows of `inner.n` elements stepping through `outer` (outermost first). */
export interface Collapsed { inner: Dim; outer: Dim[] }

const COMPARISONS = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge"]);

/** Drops size-1 dims and merges dims both operands step through as one; the last dim left is the row. */
export function collapse(shape: readonly number[], sa: readonly number[], sb: readonly number[]): Collapsed {
  const dims: Dim[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims[dims.length - 1];
    if (last && last.a === sa[d] * shape[d] && last.b === sb[d] * shape[d]) { last.n *= shape[d]; last.a = sa[d]; last.b = sb[d]; }
    else dims.push({ n: shape[d], a: sa[d], b: sb[d] });
  }
  return { inner: dims.pop() ?? { n: 1, a: 0, b: 0 }, outer: dims };
}

/** An int32 array's bits as float32 lanes, staged and copied like any float32 array. */
export const lanes = (x: Float32Array | Int32Array): Float32Array =>
  x instanceof Float32Array ? x : new Float32Array(x.buffer, x.byteOffset, x.length);

/**
 * The kernel for op on these arrays, or null where none fits: float32 operands for every op (out int32 for
 * comparisons, else float32), int32 operands for INT_LANE_OPS (out int32).
 */
export function laneKernel(op: BinaryOp, a: unknown, b: unknown, out: unknown): string | null {
  const cmp = COMPARISONS.has(op);
  const outFits = cmp ? out instanceof Int32Array : out instanceof Float32Array;
  if (a instanceof Float32Array && b instanceof Float32Array && outFits) {
    return (LANE_OPS as readonly string[]).includes(op) ? `bcast_${op}` : null;
  }
  if (a instanceof Int32Array && b instanceof Int32Array && out instanceof Int32Array) {
    return (INT_LANE_OPS as readonly string[]).includes(op) ? `bcast_i32_${op}` : null;
  }
  return null;
}

/**
 * out = a ∘ b by kernel `fn` (laneKernel), operands as float32 lanes, over the collapsed broadcast on `threads`
 * at most (the caller picks them from the size): rows split over threads, each job starting its odometer
 * (kernels/broadcast.ts) at its first row; a single long row (a scalar or same-shape operand) is split by
 * element ranges instead.
 */
export function broadcastWasm(
  r: WasmRuntime, fn: string, a: Float32Array, b: Float32Array, c: Collapsed, out: Float32Array, threads: number,
): void {
  const { inner, outer } = c;
  const k = outer.length;
  const rows = outer.reduce((p, d) => p * d.n, 1);
  const byElements = rows === 1 && threads > 1;
  const parts = Math.min(threads, byElements ? inner.n : rows);
  const ops: Operand[] = [{ read: a }, { read: b }, { write: out }, { scratch: Math.max(4, k * DIM_BYTES) },
    { scratch: Math.max(4, parts * k * 4) }];
  const [aa, ba, oa, dims, idx] = r.layout(ops);
  const desc = new Int32Array(r.f32.buffer, dims, k * DIM_BYTES / 4);
  outer.forEach((d, i) => desc.set([d.n, d.a * 4, d.b * 4, d.a * 4 * d.n, d.b * 4 * d.n], (k - 1 - i) * DIM_BYTES / 4));
  const [ain, bin] = [inner.a * 4, inner.b * 4];
  const jobs = byElements
    ? splitJobs(parts, inner.n, (s, e) =>
      [fn, [aa + s * ain, ba + s * bin, oa + s * 4, 1, e - s, ain, bin, dims, 0, idx]])
    : splitJobs(parts, rows, (s, e, t) => {
      // The odometer of row s (innermost dim first) and where a and b start there.
      const at = idx + t * k * 4;
      const start = new Int32Array(r.f32.buffer, at, k);
      let [rest, ao, bo] = [s, 0, 0];
      for (let i = k - 1; i >= 0; i--) {
        const q = rest % outer[i].n;
        rest = Math.floor(rest / outer[i].n);
        start[k - 1 - i] = q;
        ao += q * outer[i].a; bo += q * outer[i].b;
      }
      return [fn, [aa + ao * 4, ba + bo * 4, oa + s * inner.n * 4, e - s, inner.n, ain, bin, dims, k, at]];
    });
  r.parallel(jobs);
  r.writeBack(ops, [aa, ba, oa, dims, idx]);
}
