// Batched matmul with broadcast batch dims; backward uses transposed kernel forms, never copies.
import { record } from "../autograd.ts";
import { dispatch } from "../backends/registry.ts";
import { promote } from "../dtype.ts";
import { DTypeError, ShapeError, fmtShape } from "../errors.ts";
import { broadcastShapes, numelOf, shapesEqual } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";
import { sumToShape } from "./elementwise.ts";
import { expand, reshape, squeeze, unsqueeze } from "./movement.ts";

/** a [..., m, k] @ b [..., k, n] → [..., m, n]; 1-D operands are promoted and squeezed as in torch.matmul. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError("matmul", `both operands need at least 1 dim, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  if (a.ndim === 1 && b.ndim === 1) return reshape(matmul(unsqueeze(a, 0), unsqueeze(b, -1)), []); // dot product
  if (a.ndim === 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.ndim === 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  // A batch of rows times one matrix is one big matmul (the Linear layer case).
  if (b.ndim === 2 && a.ndim > 2) {
    const lead = a.shape.slice(0, -1);
    return reshape(mm(reshape(a, [-1, a.shape[a.ndim - 1]]), b, false, false), [...lead, b.shape[1]]);
  }
  return mm(a, b, false, false);
}

/** op(a) @ op(b) where op transposes the last two dims when asked; batch dims broadcast. */
export function mm(a: Tensor, b: Tensor, transA: boolean, transB: boolean): Tensor {
  if (!a.isFloatingPoint() || !b.isFloatingPoint()) {
    throw new DTypeError("matmul", `expected floating-point operands, got ${a.dtype} ${fmtShape(a.shape)} and ${b.dtype} ${fmtShape(b.shape)}`);
  }
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k] = transA ? [ac, ar] : [ar, ac];
  const [k2, n] = transB ? [bc, br] : [br, bc];
  if (k !== k2) {
    throw new ShapeError("matmul", `inner dims differ: ${fmtShape(a.shape)}${transA ? "ᵀ" : ""} @ ${fmtShape(b.shape)}${transB ? "ᵀ" : ""} (${k} vs ${k2})`);
  }
  const batchShape = broadcastShapes("matmul", a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = numelOf(batchShape);
  const dtype = promote(a.dtype, b.dtype);
  // Operands broadcast to the full batch (a copy only where a batch dim broadcasts) in the result dtype.
  const full = (t: Tensor): Tensor => {
    const shape = [...batchShape, ...t.shape.slice(-2)];
    const dense = shapesEqual(t.shape, shape) ? t : expand(t.detach(), shape);
    return dense.dtype === dtype ? dense : dense.detach().to(dtype);
  };
  const back = (g: Tensor, needs: readonly boolean[]): (Tensor | null)[] => [
    needs[0] ? sumToShape(transA ? mm(b, g, transB, true) : mm(g, b, false, !transB), a.shape) : null,
    needs[1] ? sumToShape(transB ? mm(g, a, true, transA) : mm(a, g, !transA, false), b.shape) : null,
  ];
  const ex = dispatch("matmul", dtype, [a, b], batch * Math.max(m * n, m * k, k * n));
  const out = ex.out(dtype, batch * m * n, false);
  ex.kernels.matmul(ex.arg(full(a)), ex.arg(full(b)), out, batch, m, k, n, transA, transB);
  return record("matmul", fromStorage(out, [...batchShape, m, n]), [a, b], back);
}
