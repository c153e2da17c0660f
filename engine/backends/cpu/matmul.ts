// Reference batched matmul: i-k-j loop order so the inner loop streams rows of b and out.
import type { FloatArray } from "../../dtype.ts";

export function matmul(a: FloatArray, b: FloatArray, out: FloatArray, batch: number, m: number, k: number, n: number, transA: boolean, transB: boolean): void {
  out.fill(0);
  // Element (i, p) of op(a) and (p, j) of op(b) for the current batch.
  const aRow = transA ? 1 : k; // stride between rows i of op(a)
  const aCol = transA ? m : 1; // stride between columns p of op(a)
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  for (let t = 0; t < batch; t++) {
    const ao = t * m * k;
    const bo = t * k * n;
    const oo = t * m * n;
    for (let i = 0; i < m; i++) {
      const orow = oo + i * n;
      for (let p = 0; p < k; p++) {
        const av = a[ao + i * aRow + p * aCol];
        const brow = bo + p * bRow;
        for (let j = 0; j < n; j++) out[orow + j] += av * b[brow + j * bCol];
      }
    }
  }
}
