// conv2d for the ViT patch embedding only (stride = kernel, no padding), as reshape/permute + one matmul.
import { EngineError, ShapeError, fmtShape } from "../errors.ts";
import { Tensor } from "../tensor.ts";
import { add } from "./elementwise.ts";
import { mm } from "./matmul.ts";
import { permute, reshape, squeeze, unsqueeze } from "./movement.ts";

/** Options of conv2d: the stride (one number, or per axis). */
export interface Conv2dOptions {
  /** Must equal the kernel size (non-overlapping patches); PyTorch's default is 1. */
  stride?: number | readonly [number, number];
}

/**
 * x [B, C, H, W] (or [C, H, W]) with weight [O, C, kh, kw] → [B, O, H/kh, W/kw].
 * Non-overlapping patches make the convolution a matmul of flattened patches with the flattened
 * kernel, so the gradient comes from reshape, permute and matmul for free.
 * Differs from torch.nn.functional.conv2d: no padding, dilation or groups, and stride must equal the kernel.
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, opts: Conv2dOptions = {}): Tensor {
  if (x.ndim === 3) return squeeze(conv2d(unsqueeze(x, 0), weight, bias, opts), 0);
  if (x.ndim !== 4 || weight.ndim !== 4 || x.shape[1] !== weight.shape[1]) {
    throw new ShapeError("conv2d", `input ${fmtShape(x.shape)} does not match weight ${fmtShape(weight.shape)} (expected input [B, C, H, W] and weight [O, C, kh, kw] with equal C)`);
  }
  const [b, c, h, w] = x.shape;
  const [o, , kh, kw] = weight.shape;
  const s = opts.stride ?? 1;
  const [sh, sw] = typeof s === "number" ? [s, s] : s;
  if (sh !== kh || sw !== kw) {
    throw new EngineError("conv2d", `only stride = kernel (patch embedding) is supported, got stride [${sh}, ${sw}] for weight ${fmtShape(weight.shape)}`);
  }
  if (h % kh !== 0 || w % kw !== 0) {
    throw new ShapeError("conv2d", `input ${fmtShape(x.shape)} is not divisible into ${kh}x${kw} patches (H and W must be multiples of the kernel)`);
  }
  if (bias && !(bias.ndim === 1 && bias.shape[0] === o)) {
    throw new ShapeError("conv2d", `bias ${fmtShape(bias.shape)} does not match weight ${fmtShape(weight.shape)} (expected [${o}])`);
  }
  const [ph, pw] = [h / kh, w / kw];
  const patches = reshape(permute(reshape(x, [b, c, ph, kh, pw, kw]), [0, 2, 4, 1, 3, 5]), [b * ph * pw, c * kh * kw]);
  let y = mm(patches, reshape(weight, [o, c * kh * kw]), false, true); // [B·ph·pw, O]
  if (bias) y = add(y, bias);
  return permute(reshape(y, [b, ph, pw, o]), [0, 3, 1, 2]);
}
