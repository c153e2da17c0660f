// Binary maps with general broadcasting on wasm SIMD (kernels/broadcast.ts): the broadcast is collapsed to
// at most three dims [n0, n1, n2] (size-1 dims dropped, neighbours merged where both operands allow), the
// last of which each operand reads contiguously or repeats. Rows of n2 are split over the worker pool; a
// single long row (a scalar operand) is split by element ranges instead.
import type { BinaryOp } from "../backend.ts";
import { LANE_OPS, type LaneOp } from "./kernels/broadcast.ts";
import type { Operand, WasmRuntime } from "./runtime.ts";
import { splitJobs } from "./split.ts";

/** The broadcast as [n0, n1, n2] with element strides per operand, or null where it needs more dims. */
export interface Collapsed { shape: [number, number, number]; sa: [number, number, number]; sb: [number, number, number] }

const COMPARISONS = new Set<BinaryOp>(["eq", "ne", "lt", "le", "gt", "ge"]);
export const laneOp = (op: BinaryOp): op is LaneOp => (LANE_OPS as readonly string[]).includes(op);

/** Drops size-1 dims, merges dims both operands step through as one, and pads to three dims. */
export function collapse(shape: readonly number[], sa: readonly number[], sb: readonly number[]): Collapsed | null {
  const dims: { n: number; a: number; b: number }[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = dims[dims.length - 1];
    if (last && last.a === sa[d] * shape[d] && last.b === sb[d] * shape[d]) { last.n *= shape[d]; last.a = sa[d]; last.b = sb[d]; }
    else dims.push({ n: shape[d], a: sa[d], b: sb[d] });
  }
  while (dims.length < 3) dims.unshift({ n: 1, a: 0, b: 0 });
  if (dims.length > 3) return null;
  const inner = dims[2];
  if ((inner.a !== 0 && inner.a !== 1) || (inner.b !== 0 && inner.b !== 1)) return null;
  return { shape: [dims[0].n, dims[1].n, dims[2].n], sa: [dims[0].a, dims[1].a, dims[2].a], sb: [dims[0].b, dims[1].b, dims[2].b] };
}

/** The output as float32 lanes: comparisons write int32 bits, staged and copied like any float32 array. */
const lanes = (out: Float32Array | Int32Array): Float32Array =>
  out instanceof Float32Array ? out : new Float32Array(out.buffer, out.byteOffset, out.length);

/** Whether out has the dtype op writes: int32 for comparisons, float32 otherwise. */
export const outFits = (op: BinaryOp, out: unknown): out is Float32Array | Int32Array =>
  COMPARISONS.has(op) ? out instanceof Int32Array : out instanceof Float32Array;

/**
 * out = a ∘ b over the collapsed broadcast on `threads` at most (the caller picks them from the size).
 */
export function broadcastWasm(r: WasmRuntime, op: LaneOp, a: Float32Array, b: Float32Array, c: Collapsed, out: Float32Array | Int32Array, threads: number): void {
  const ops: Operand[] = [{ read: a }, { read: b }, { write: lanes(out) }];
  const [aa, ba, oa] = r.layout(ops);
  const [n0, n1, n2] = c.shape;
  const rows = n0 * n1;
  const fn = `bcast_${op}`;
  const [ain, bin] = [c.sa[2], c.sb[2]];
  const rowArgs = (r0: number, count: number): number[] => {
    const o = Math.floor(r0 / n1), m = r0 % n1;
    return [aa + (o * c.sa[0] + m * c.sa[1]) * 4, ba + (o * c.sb[0] + m * c.sb[1]) * 4, oa + r0 * n2 * 4, count, m, n1, n2,
      c.sa[1] * 4, c.sb[1] * 4, (c.sa[0] - n1 * c.sa[1]) * 4, (c.sb[0] - n1 * c.sb[1]) * 4, ain, bin];
  };
  if (rows === 1 && threads > 1) {
    // One long row: element ranges, each a one-row call on its own slice.
    r.parallel(splitJobs(threads, n2, (s, e) =>
      [fn, [aa + s * ain * 4, ba + s * bin * 4, oa + s * 4, 1, 0, 1, e - s, 0, 0, 0, 0, ain, bin]]));
  } else {
    r.parallel(splitJobs(threads, rows, (s, e) => [fn, rowArgs(s, e - s)]));
  }
  r.writeBack(ops, [aa, ba, oa]);
}
