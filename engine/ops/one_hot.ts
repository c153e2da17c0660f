// oneHot: int32 class indices [...] to an int32 indicator tensor [..., C], as torch.nn.functional.one_hot.
import { DTypeError, IndexError, fmtShape } from "../errors.ts";
import { Tensor, fromStorage } from "../tensor.ts";

/** numClasses = -1 means one more than the largest index (an error for an empty tensor, as PyTorch). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  if (indices.dtype !== "int32") throw new DTypeError("oneHot", `indices must be int32, got ${indices.dtype} of shape ${fmtShape(indices.shape)}`);
  const idx = indices.storage;
  let classes = numClasses;
  if (classes === -1) {
    if (idx.length === 0) throw new IndexError("oneHot", `cannot infer numClasses from empty indices ${fmtShape(indices.shape)}; pass numClasses`);
    classes = 0;
    for (let i = 0; i < idx.length; i++) classes = Math.max(classes, idx[i] + 1);
  } else if (!Number.isInteger(classes) || classes < 1) {
    throw new IndexError("oneHot", `numClasses must be a positive integer or -1, got ${numClasses}`);
  }
  const out = new Int32Array(idx.length * classes);
  for (let i = 0; i < idx.length; i++) {
    const c = idx[i];
    if (c < 0 || c >= classes) {
      throw new IndexError("oneHot", `index ${c} (at flat position ${i} of indices ${fmtShape(indices.shape)}) is out of range for ${classes} classes`);
    }
    out[i * classes + c] = 1;
  }
  return fromStorage(out, [...indices.shape, classes]);
}
