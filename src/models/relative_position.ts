// LayoutLMv3's relative attention biases: T5-style log buckets of 1-D and 2-D distances, looked up per head.
import { DTypeError, ShapeError, Tensor, tensor } from "../../engine/index.ts";

// Shapes: B batch, N sequence (text + visual), h heads, nb buckets.

const f32 = Math.fround;

/**
 * HF `LayoutLMv3Encoder.relative_position_bucket` for int32 relative positions of any shape.
 * Bidirectional: positive distances use the upper half of the buckets. Within a half, the first
 * quarter of `numBuckets` holds exact distances and the rest log-spaced ones up to maxDistance, the
 * last bucket catching everything beyond. The log branch is evaluated in float32 step by step as
 * torch does (log, divide, multiply, truncate), so boundary distances (16, 32, 64, 128...) land in
 * the same bucket as in PyTorch.
 */
export function relativePositionBucket(relativePosition: Tensor, bidirectional = true, numBuckets = 32, maxDistance = 128): Tensor {
  if (relativePosition.dtype !== "int32") {
    throw new DTypeError("relativePositionBucket", `relativePosition must be int32, got ${relativePosition.dtype} of shape [${relativePosition.shape.join(", ")}]`);
  }
  const table = bucketTable(bidirectional, numBuckets, maxDistance);
  const rel = relativePosition.storage;
  const out = new Int32Array(rel.length);
  for (let i = 0; i < rel.length; i++) {
    const r = rel[i];
    out[i] = r >= -TABLE_REACH && r <= TABLE_REACH ? table[r + TABLE_REACH] : bucketOf(r, bidirectional, numBuckets, maxDistance);
  }
  return tensor(out, relativePosition.shape);
}

/** The bucket of one relative position r (see relativePositionBucket). */
function bucketOf(r: number, bidirectional: boolean, numBuckets: number, maxDistance: number): number {
  const half = bidirectional ? Math.floor(numBuckets / 2) : numBuckets;
  const exact = Math.floor(half / 2);
  const logRange = f32(Math.log(maxDistance / exact)); // math.log in float64, then used as a float32 scalar
  const base = bidirectional && r > 0 ? half : 0;
  const n = bidirectional ? Math.abs(r) : Math.max(-r, 0);
  if (n < exact) return base + n;
  const large = exact + Math.trunc(f32(f32(f32(Math.log(f32(n / exact))) / logRange) * (half - exact)));
  return base + Math.min(large, half - 1);
}

/**
 * Relative positions within ±TABLE_REACH (every 1-D distance of a 512-token page, every 2-D one of 0–1000
 * box coordinates) read their bucket from a table built once per setting: a training step asks for millions.
 */
const TABLE_REACH = 4096;
const tables = new Map<string, Int32Array>();
function bucketTable(bidirectional: boolean, numBuckets: number, maxDistance: number): Int32Array {
  const key = `${bidirectional},${numBuckets},${maxDistance}`;
  let table = tables.get(key);
  if (!table) {
    table = Int32Array.from({ length: 2 * TABLE_REACH + 1 }, (_, i) => bucketOf(i - TABLE_REACH, bidirectional, numBuckets, maxDistance));
    tables.set(key, table);
  }
  return table;
}

/** rel[b, i, j] = values[b, j] − values[b, i] for int32 values [B, N] → [B, N, N]. */
export function relativeMatrix(values: Tensor): Tensor {
  if (values.dtype !== "int32" || values.ndim !== 2) {
    throw new ShapeError("relativeMatrix", `values must be int32 [B, N], got ${values.dtype} of shape [${values.shape.join(", ")}]`);
  }
  return values.unsqueeze(1).sub(values.unsqueeze(2)); // (B, N, N)
}

/**
 * Per-head bias from a bucket table, heads last: out[b, i, j, k] = weight[k, buckets[b, i, j]].
 * Same values and gradient as AET's one_hot(bucket) @ Wᵀ, without the (B, N, N, nb) one-hot.
 * Differs from current HF, which gathers under no_grad so the tables never train; AET's copy trains them.
 */
export function bucketBias(weight: Tensor, buckets: Tensor): Tensor {
  const [b, n, m] = buckets.shape; // (B, N, N)
  const heads = weight.shape[0]; // weight (h, nb)
  return weight.transpose(0, 1).indexSelect(0, buckets.reshape(-1)).reshape(b, n, m, heads); // (B, N, N, h)
}
