// Patch-grid helpers for the alignment losses: average-pooling patch tokens into regions, and mapping a token box to its patch cell.
// Official code: `patch_pooling` (GLITC's image locals) and `check_bbox` (PITA's token-to-cell labels), AET_FUNSD_CORD.py.
import { EngineError, IndexError, ShapeError, Tensor, matmul, tensor } from "../../engine/index.ts";

/** Box coordinates live on LayoutLMv3's 0–1000 page scale. */
export const COORD_MAX = 1000;
/** The label a token gets when its box spans several cells (or the token is masked): ignored by PITA. */
export const SPANNING = -100;

/** Options of patchPool: the pooling window and stride, in patches. */
export interface PoolOptions {
  /** Window side in patches (5 in the official code, so 3×3 windows cover a 14×14 grid). */
  kernel?: number;
  /** Window step in patches (4 in the official code: windows overlap by one row/column; row/column 13 is unused). */
  stride?: number;
}

/**
 * [R, P] matrix whose row r averages the patches of window r (row-major windows over a row-major grid),
 * i.e. avg_pool2d without padding and without re-normalisation.
 */
function poolMatrix(grid: number, kernel: number, stride: number, dtype: Tensor["dtype"]): Tensor {
  const side = Math.floor((grid - kernel) / stride) + 1;
  const w = new Float64Array(side * side * grid * grid);
  for (let wr = 0; wr < side; wr++) {
    for (let wc = 0; wc < side; wc++) {
      const row = (wr * side + wc) * grid * grid;
      for (let r = wr * stride; r < wr * stride + kernel; r++) {
        for (let c = wc * stride; c < wc * stride + kernel; c++) w[row + r * grid + c] = 1 / (kernel * kernel);
      }
    }
  }
  return tensor(w, [side * side, grid * grid], { dtype });
}

/** x: [B, P, D] patch features on a √P × √P grid → [B, R, D] window means (P = 196 → R = 9 with the defaults). */
export function patchPool(x: Tensor, { kernel = 5, stride = 4 }: PoolOptions = {}): Tensor {
  if (x.ndim !== 3) throw new ShapeError("patchPool", `x must be [B, P, D], got [${x.shape.join(", ")}]`);
  const grid = Math.round(Math.sqrt(x.shape[1]));
  if (grid * grid !== x.shape[1]) throw new ShapeError("patchPool", `the patch count ${x.shape[1]} of x [${x.shape.join(", ")}] is not a square grid`);
  if (!(Number.isInteger(kernel) && Number.isInteger(stride) && kernel >= 1 && stride >= 1 && kernel <= grid)) {
    throw new EngineError("patchPool", `kernel ${kernel} and stride ${stride} must be positive integers with kernel ≤ grid ${grid}`);
  }
  return matmul(poolMatrix(grid, kernel, stride, x.dtype), x); // (R, P) @ (B, P, D) → (B, R, D)
}

/**
 * The patch cell of a token box [x0, y0, x1, y1] on the 0–1000 scale: cells are `cell` units wide (72 in the code,
 * slightly coarser than 1000/14), numbered row * grid + col; −100 when the box's corners fall in different cells.
 */
export function patchIndex(box: readonly number[], grid = 14, cell = 72): number {
  if (box.length !== 4) throw new ShapeError("patchIndex", `a box is [x0, y0, x1, y1], got ${box.length} values`);
  for (const v of box) {
    if (!(Number.isFinite(v) && v >= 0 && v <= COORD_MAX)) throw new IndexError("patchIndex", `box coordinates must lie in 0–${COORD_MAX}, got [${box.join(", ")}]`);
  }
  const [c0, r0, c1, r1] = box.map((v) => Math.floor(v / cell));
  if (c0 !== c1 || r0 !== r1) return SPANNING;
  if (r0 >= grid || c0 >= grid) {
    throw new IndexError("patchIndex", `box [${box.join(", ")}] falls in cell (row ${r0}, col ${c0}), outside the ${grid}×${grid} grid; cell ${cell} is too small for a 0–${COORD_MAX} page`);
  }
  return r0 * grid + c0;
}
