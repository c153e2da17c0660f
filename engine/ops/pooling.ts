// avgPool2d without padding (floor mode), as a sum of strided slices so the gradient is free.
import { ShapeError, fmtShape } from "../errors.ts";
import { Tensor } from "../tensor.ts";
import { add, div } from "./elementwise.ts";
import { slice } from "./movement.ts";

type Pair = number | readonly [number, number];
const pair = (v: Pair): [number, number] => (typeof v === "number" ? [v, v] : [v[0], v[1]]);

/** Σ_i x[..., i + stride·o, ...] for i < kernel along dim: a 1-D windowed sum (kernel slices, each of output size). */
function windowSum(x: Tensor, dim: number, kernel: number, stride: number, outSize: number): Tensor {
  let acc: Tensor | null = null;
  for (let i = 0; i < kernel; i++) {
    const part = slice(x, dim, i, i + stride * (outSize - 1) + 1, stride);
    acc = acc === null ? part : add(acc, part);
  }
  return acc!;
}

/**
 * Average over kh×kw windows of x [B, C, H, W] or [C, H, W]; output size floor((H - kh) / sh) + 1
 * (e.g. 14×14, kernel 5, stride 4 → 3×3). The window is separable, so rows then columns: kh + kw slices.
 * Differs from torch.nn.functional.avg_pool2d: no padding and no ceil mode.
 */
export function avgPool2d(x: Tensor, kernelSize: Pair, stride?: Pair): Tensor {
  const [kh, kw] = pair(kernelSize);
  const [sh, sw] = pair(stride ?? kernelSize);
  if (x.ndim !== 3 && x.ndim !== 4) throw new ShapeError("avgPool2d", `input must be [B, C, H, W] or [C, H, W], got ${fmtShape(x.shape)}`);
  if (![kh, kw, sh, sw].every((v) => Number.isInteger(v) && v > 0)) {
    throw new ShapeError("avgPool2d", `kernel [${kh}, ${kw}] and stride [${sh}, ${sw}] must be positive integers (input ${fmtShape(x.shape)})`);
  }
  const [h, w] = x.shape.slice(-2);
  if (kh > h || kw > w) throw new ShapeError("avgPool2d", `kernel [${kh}, ${kw}] is larger than the input's spatial size [${h}, ${w}] (input ${fmtShape(x.shape)})`);
  const oh = Math.floor((h - kh) / sh) + 1;
  const ow = Math.floor((w - kw) / sw) + 1;
  const rows = windowSum(x, -2, kh, sh, oh);
  return div(windowSum(rows, -1, kw, sw, ow), kh * kw);
}
