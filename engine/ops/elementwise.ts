// Elementwise ops with NumPy broadcasting, each followed by its backward written with ops.
import { isGradEnabled, record } from "../autograd.ts";
import type { BinaryOp, UnaryOp } from "../backends/backend.ts";
import { dispatch, dispatchFused, fusedOps, kernels, onDevice } from "../backends/registry.ts";
import { floatOf, promote, type DType } from "../dtype.ts";
import { ShapeError, fmtShape } from "../errors.ts";
import { broadcastShapes, broadcastStrides, numelOf, shapesEqual, stridesOf } from "../shape.ts";
import { Tensor, asTensor, fromStorage, full, type TensorLike } from "../tensor.ts";
import { sum } from "./reduce.ts";
import { expand, reshape } from "./movement.ts";

// ---- plumbing ----

function mapUnary(op: UnaryOp, x: Tensor, dtype: DType): Tensor {
  const ex = dispatch("unary", dtype, [x], x.numel);
  const out = ex.out(dtype, x.numel, false);
  ex.kernels.unary(op, dtype === x.dtype ? ex.arg(x) : Float64Array.from(x.storage), out); // a dtype change runs on the host
  return fromStorage(out, x.shape);
}

function mapBinary(op: BinaryOp, a: Tensor, b: Tensor, dtype: DType): Tensor {
  const shape = broadcastShapes(op, a.shape, b.shape);
  const sa = shapesEqual(a.shape, shape) ? stridesOf(shape) : broadcastStrides(a.shape, shape);
  const sb = shapesEqual(b.shape, shape) ? stridesOf(shape) : broadcastStrides(b.shape, shape);
  const ex = dispatch("binary", dtype, [a, b], numelOf(shape));
  const out = ex.out(dtype, numelOf(shape), false);
  ex.kernels.binary(op, ex.arg(a), sa, ex.arg(b), sb, shape, out);
  return fromStorage(out, shape);
}

/**
 * dst += src in place, not recorded: gradient accumulation into a buffer only the caller holds. False, changing
 * nothing, where it cannot: other dtypes or sizes, shared storage, or either tensor on a device.
 */
export function accumulateInto(dst: Tensor, src: Tensor): boolean {
  if (dst.dtype !== src.dtype || dst.numel !== src.numel || dst.buf === src.buf || dst.buf.device !== null || src.buf.device !== null) return false;
  kernels().stridedAccumulate(src.storage, dst.storage, 0, [1], [dst.numel]);
  return true;
}

/** Sums a broadcast gradient back down to the shape of the input it came from. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.ndim; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return reshape(sum(g, dims, true), shape);
}

const operands = (a: TensorLike, b: TensorLike): [Tensor, Tensor] => {
  const ta = a instanceof Tensor ? a : asTensor(a, b instanceof Tensor ? b : undefined);
  return [ta, asTensor(b, ta)];
};

// ---- binary arithmetic ----

/** a + b elementwise, with broadcasting. */
export function add(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  const out = mapBinary("add", x, y, promote(x.dtype, y.dtype));
  return record("add", out, [x, y], (g) => [sumToShape(g, x.shape), sumToShape(g, y.shape)]);
}

/** Ops whose backward never reads their output: once nothing else reads it, the output may be overwritten. */
const OUTPUT_NOT_SAVED = new Set(["add", "sub", "mul", "matmul"]);

/** Whether autograd lets t's storage be overwritten: no node made it that saves its output (views followed back). */
function overwritable(t: Tensor): boolean {
  let at = t;
  while (at.gradFn?.op === "reshape" && at.gradFn.inputs[0].buf === at.buf) at = at.gradFn.inputs[0];
  return at.gradFn === null ? !at.requiresGrad : OUTPUT_NOT_SAVED.has(at.gradFn.op);
}

/**
 * x + block for a residual connection, written into block's storage when that is safe: the caller promises
 * that nothing else reads `block` (a sub-layer's fresh output), autograd allows it (block's maker keeps no
 * copy of its output for backward) and block is a float tensor on the host with the result's shape and dtype.
 * Otherwise an ordinary add. Same values and gradients either way.
 */
export function addResidual(x: Tensor, block: Tensor): Tensor {
  const shape = broadcastShapes("add", x.shape, block.shape);
  const inPlace = block.isFloatingPoint() && x.dtype === block.dtype && block.buf !== x.buf && shapesEqual(block.shape, shape)
    && block.buf.device === null && !onDevice(x, block) && overwritable(block);
  if (!inPlace) return add(x, block);
  const sx = shapesEqual(x.shape, shape) ? stridesOf(shape) : broadcastStrides(x.shape, shape);
  const out = block.storage;
  kernels().binary("add", x.storage, sx, out, stridesOf(shape), shape, out);
  return record("add", fromStorage(block.buf, shape), [x, block], (g) => [sumToShape(g, x.shape), g]);
}

/** a − b elementwise, with broadcasting. */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  const out = mapBinary("sub", x, y, promote(x.dtype, y.dtype));
  return record("sub", out, [x, y], (g, needs) => [sumToShape(g, x.shape), needs[1] ? sumToShape(neg(g), y.shape) : null]);
}

/** a · b elementwise, with broadcasting. */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  const out = mapBinary("mul", x, y, promote(x.dtype, y.dtype));
  return record("mul", out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(mul(g, y), x.shape) : null,
    needs[1] ? sumToShape(mul(g, x), y.shape) : null,
  ]);
}

/** a / b elementwise, with broadcasting. */
export function div(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  const out = mapBinary("div", x, y, floatOf(promote(x.dtype, y.dtype)));
  return record("div", out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(div(g, y), x.shape) : null,
    needs[1] ? sumToShape(neg(div(mul(g, out), y)), y.shape) : null,
  ]);
}

/** a ^ b elementwise, with broadcasting. */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  const out = mapBinary("pow", x, y, promote(x.dtype, y.dtype));
  return record("pow", out, [x, y], (g, needs) => [
    needs[0] ? sumToShape(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    needs[1] ? sumToShape(mul(g, mul(out, log(x))), y.shape) : null,
  ]);
}

/** Gradient goes to the larger input; ties split it evenly, as PyTorch does. */
export function maximum(a: TensorLike, b: TensorLike): Tensor { return extremum("maximum", a, b); }
/** The elementwise minimum of a and b, with broadcasting. */
export function minimum(a: TensorLike, b: TensorLike): Tensor { return extremum("minimum", a, b); }

function extremum(op: "maximum" | "minimum", a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  const out = mapBinary(op, x, y, promote(x.dtype, y.dtype));
  return record(op, out, [x, y], (g) => {
    const wins = op === "maximum" ? gt(x, y) : lt(x, y);
    const share = add(wins, mul(eq(x, y), 0.5)); // 1 where x wins, 0.5 on ties
    return [sumToShape(mul(g, share), x.shape), sumToShape(mul(g, sub(1, share)), y.shape)];
  });
}

// ---- comparisons (no gradient; int32 0/1 results serve as masks) ----

const compare = (op: BinaryOp) => (a: TensorLike, b: TensorLike): Tensor => {
  const [x, y] = operands(a, b);
  return mapBinary(op, x, y, "int32");
};
/** a == b elementwise: an int32 tensor of 0 and 1 (no gradient). */
export const eq = compare("eq");
/** a != b elementwise: an int32 tensor of 0 and 1 (no gradient). */
export const ne = compare("ne");
/** a < b elementwise: an int32 tensor of 0 and 1 (no gradient). */
export const lt = compare("lt");
/** a <= b elementwise: an int32 tensor of 0 and 1 (no gradient). */
export const le = compare("le");
/** a > b elementwise: an int32 tensor of 0 and 1 (no gradient). */
export const gt = compare("gt");
/** a >= b elementwise: an int32 tensor of 0 and 1 (no gradient). */
export const ge = compare("ge");

// ---- unary ----

/** −x elementwise. */
export function neg(x: Tensor): Tensor {
  return record("neg", mapUnary("neg", x, x.dtype), [x], (g) => [neg(g)]);
}
/** e^x elementwise. */
export function exp(x: Tensor): Tensor {
  const out = mapUnary("exp", x, floatOf(x.dtype));
  return record("exp", out, [x], (g) => [mul(g, out)]);
}
/** The natural logarithm elementwise. */
export function log(x: Tensor): Tensor {
  return record("log", mapUnary("log", x, floatOf(x.dtype)), [x], (g) => [div(g, x)]);
}
/** √x elementwise. */
export function sqrt(x: Tensor): Tensor {
  const out = mapUnary("sqrt", x, floatOf(x.dtype));
  return record("sqrt", out, [x], (g) => [div(mul(g, 0.5), out)]);
}
/** 1 / √x elementwise. */
export function rsqrt(x: Tensor): Tensor {
  const out = mapUnary("rsqrt", x, floatOf(x.dtype));
  return record("rsqrt", out, [x], (g) => [mul(g, mul(pow(out, 3), -0.5))]);
}
/** |x| elementwise. */
export function abs(x: Tensor): Tensor {
  return record("abs", mapUnary("abs", x, x.dtype), [x], (g) => [mul(g, mapUnary("sign", x, x.dtype))]);
}
/** −1, 0 or 1 by the sign of each element (no gradient). */
export function sign(x: Tensor): Tensor { return mapUnary("sign", x, x.dtype); }
/** The hyperbolic tangent elementwise. */
export function tanh(x: Tensor): Tensor {
  const out = mapUnary("tanh", x, floatOf(x.dtype));
  return record("tanh", out, [x], (g) => [mul(g, sub(1, mul(out, out)))]);
}
/** 1 / (1 + e^−x) elementwise. */
export function sigmoid(x: Tensor): Tensor {
  const out = mapUnary("sigmoid", x, floatOf(x.dtype));
  return record("sigmoid", out, [x], (g) => [mul(g, mul(out, sub(1, out)))]);
}
/** max(x, 0) elementwise. */
export function relu(x: Tensor): Tensor {
  return record("relu", mapUnary("relu", x, x.dtype), [x], (g) => [mul(g, mapUnary("step", x, g.dtype))]);
}
/** The error function elementwise. */
export function erf(x: Tensor): Tensor {
  return record("erf", mapUnary("erf", x, floatOf(x.dtype)), [x], (g) => [mul(g, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))]);
}

/**
 * GELU, exact (erf) or with PyTorch's tanh approximation. The exact form runs as a fused kernel pair
 * (forward, backward) when fused ops are on; the composition below is its reference.
 */
export function gelu(x: Tensor, approximate: "none" | "tanh" = "none"): Tensor {
  const ex = approximate === "none" && fusedOps() && x.isFloatingPoint() ? dispatchFused("gelu", x.dtype, [x], x.numel) : null;
  if (ex) {
    const out = ex.out(x.dtype, x.numel, false);
    ex.kernels.gelu(ex.arg(x), out);
    return record("gelu", fromStorage(out, x.shape), [x], (g) => [geluBackward(x, g)]);
  }
  if (approximate === "tanh") {
    const inner = mul(add(x, mul(pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
    return mul(mul(x, 0.5), add(tanh(inner), 1));
  }
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
}

/** g·GELU'(x) = g·(Φ(x) + x·φ(x)) for exact GELU: the fused kernel, or (recorded double backward, no kernel) ops. */
export function geluBackward(x: Tensor, g: Tensor): Tensor {
  const eb = !fusedOps() || isGradEnabled() || g.dtype !== x.dtype || !x.isFloatingPoint() ? null : dispatchFused("geluBackward", x.dtype, [x, g], x.numel);
  if (!eb) return mul(g, add(mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5), mul(x, mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI)))));
  const dx = eb.out(x.dtype, x.numel, false);
  eb.kernels.geluBackward(eb.arg(x), eb.arg(g), dx);
  return fromStorage(dx, x.shape);
}

/** Clamps into [min, max]; the gradient passes where min ≤ x ≤ max, as PyTorch. */
export function clamp(x: Tensor, min?: number | null, max?: number | null): Tensor {
  const lo = min ?? -Infinity;
  const hi = max ?? Infinity;
  const back = (g: Tensor): (Tensor | null)[] => [mul(g, mul(ge(x, lo), le(x, hi)))];
  const ex = dispatch("clamp", x.dtype, [x], x.numel);
  const out = ex.out(x.dtype, x.numel, false);
  ex.kernels.clamp(ex.arg(x), lo, hi, out);
  return record("clamp", fromStorage(out, x.shape), [x], back);
}

// ---- selection ----

/** condition ? a : b with all three broadcast together; condition is any tensor, nonzero = true. */
export function where(condition: Tensor, a: TensorLike, b: TensorLike): Tensor {
  const [x, y] = operands(a, b);
  const shape = broadcastShapes("where", broadcastShapes("where", condition.shape, x.shape), y.shape);
  const n = numelOf(shape);
  const back = (g: Tensor, needs: readonly boolean[]): (Tensor | null)[] => [
    needs[0] ? sumToShape(where(condition, g, 0), x.shape) : null,
    needs[1] ? sumToShape(where(condition, 0, g), y.shape) : null,
  ];
  // The condition may have any dtype (nonzero is true); only the values decide where the work runs.
  const dtype = promote(x.dtype, y.dtype);
  const ex = dispatch("where", dtype, [x, y], n);
  const dense = (t: Tensor): Tensor => (shapesEqual(t.shape, shape) ? t : expand(t.detach(), shape));
  const out = ex.out(dtype, n, false);
  ex.kernels.where(ex.arg(dense(condition)), ex.arg(dense(x)), ex.arg(dense(y)), out);
  return record("where", fromStorage(out, shape), [x, y], back);
}

/** x with `value` wherever mask is nonzero; mask broadcasts to x's shape. */
export function maskedFill(x: Tensor, mask: Tensor, value: number): Tensor {
  const shape = broadcastShapes("maskedFill", x.shape, mask.shape);
  if (!shapesEqual(shape, x.shape)) {
    throw new ShapeError("maskedFill", `mask of shape ${fmtShape(mask.shape)} must broadcast to the tensor's shape ${fmtShape(x.shape)}`);
  }
  return where(mask, full([], value, x.dtype === "int32" && !Number.isInteger(value) ? "float32" : x.dtype), x);
}
