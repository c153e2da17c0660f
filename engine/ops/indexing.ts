// Integer indexing: indexSelect, gather and their adjoints (indexAdd, scatterAdd), with bounds checks.
import { record } from "../autograd.ts";
import { dispatch, kernels } from "../backends/registry.ts";
import { allocate, copyOf } from "../dtype.ts";
import { DTypeError, IndexError, ShapeError, fmtShape } from "../errors.ts";
import { normalizeDim, numelOf, shapesEqual } from "../shape.ts";
import { Tensor, fromStorage } from "../tensor.ts";

/** Checks an index tensor is int32 with every value in [0, size); names the offending value. */
function checkIndex(op: string, index: Tensor, size: number, dim: number): Int32Array {
  if (index.dtype !== "int32") throw new DTypeError(op, `index must be an int32 tensor, got ${index.dtype} of shape ${fmtShape(index.shape)}`);
  const data = index.storage as Int32Array;
  for (let i = 0; i < data.length; i++) {
    if (data[i] < 0 || data[i] >= size) {
      throw new IndexError(op, `index ${data[i]} (at flat position ${i}) is out of range for dim ${dim} of size ${size}`);
    }
  }
  return data;
}

const split3 = (shape: readonly number[], d: number): [number, number, number] =>
  [numelOf(shape.slice(0, d)), shape[d], numelOf(shape.slice(d + 1))];

/** Rows (or any dim's slices) picked by a 1-D int32 index, as torch.index_select. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim("indexSelect", dim, x.ndim);
  if (index.ndim > 1) throw new ShapeError("indexSelect", `index must be 1-D, got shape ${fmtShape(index.shape)}`);
  const idx = checkIndex("indexSelect", index, x.shape[d], d);
  const [outer, size, inner] = split3(x.shape, d);
  const shape = x.shape.map((s, i) => (i === d ? idx.length : s));
  const ex = dispatch("indexSelect", x.dtype, [x], numelOf(shape));
  const out = ex.out(x.dtype, numelOf(shape), false); // every element is written
  ex.kernels.indexSelect(ex.arg(x), idx, outer, size, inner, out);
  return record("indexSelect", fromStorage(out, shape), [x], (g) => [indexAdd(g, x.shape, d, index)]);
}

/** The adjoint of indexSelect: zeros of `shape` with g's slices added at the indexed positions; recorded for double backward. */
function indexAdd(g: Tensor, shape: readonly number[], d: number, index: Tensor): Tensor {
  const [outer, size, inner] = split3(shape, d);
  const ex = dispatch("indexAdd", g.dtype, [g], numelOf(shape));
  const dx = ex.out(g.dtype, numelOf(shape));
  ex.kernels.indexAdd(ex.arg(g), index.storage as Int32Array, outer, size, inner, dx);
  return record("indexAdd", fromStorage(dx, shape), [g], (gg) => [indexSelect(gg, d, index)]);
}

function checkGatherShapes(op: string, x: Tensor, d: number, index: Tensor): void {
  if (index.ndim !== x.ndim || index.shape.some((s, i) => i !== d && s !== x.shape[i])) {
    throw new ShapeError(op, `index of shape ${fmtShape(index.shape)} must match input ${fmtShape(x.shape)} in every dim but ${d}`);
  }
}

/** out[..., j, ...] = x[..., index[..., j, ...], ...] along dim, as torch.gather (index matches x off dim). */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  const d = normalizeDim("gather", dim, x.ndim);
  checkGatherShapes("gather", x, d, index);
  const idx = checkIndex("gather", index, x.shape[d], d);
  const [outer, size, inner] = split3(x.shape, d);
  const ex = dispatch("gather", x.dtype, [x], index.numel);
  const out = ex.out(x.dtype, index.numel, false); // every element is written
  ex.kernels.gather(ex.arg(x), idx, outer, size, index.shape[d], inner, out);
  return record("gather", fromStorage(out, index.shape), [x], (g) => [scatterAdd(fromStorage(allocate(g.dtype, x.numel), x.shape), d, index, g)]);
}

/** x with src added at the positions index names along dim (functional torch.scatter_add). */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  const d = normalizeDim("scatterAdd", dim, x.ndim);
  checkGatherShapes("scatterAdd", x, d, index);
  if (!shapesEqual(src.shape, index.shape)) throw new ShapeError("scatterAdd", `src of shape ${fmtShape(src.shape)} must match index ${fmtShape(index.shape)}`);
  const idx = checkIndex("scatterAdd", index, x.shape[d], d);
  const [outer, size, inner] = split3(x.shape, d);
  const out = copyOf(x.storage);
  kernels().scatterAdd(src.storage, idx, outer, size, index.shape[d], inner, out);
  return record("scatterAdd", fromStorage(out, x.shape), [x, src], (g) => [g, gather(g, d, index)]);
}
