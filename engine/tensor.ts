// Tensor: shape, dtype, contiguous row-major storage, grad; every method forwards to an op in ops/.
import { backward as runBackward, type BackwardOptions, type Node } from "./autograd.ts";
import { allocate, convert, copyOf, dtypeOf, isFloat, type DType, type TypedArray } from "./dtype.ts";
import { DTypeError, ShapeError, fmtShape } from "./errors.ts";
import { checkShape, numelOf, type Shape } from "./shape.ts";
import { formatTensor } from "./format.ts";
import { Storage, type DeviceBuffer } from "./storage.ts";
import * as ew from "./ops/elementwise.ts";
import * as red from "./ops/reduce.ts";
import * as mv from "./ops/movement.ts";
import * as idx from "./ops/indexing.ts";
import { matmul } from "./ops/matmul.ts";
import { softmax, logSoftmax } from "./ops/softmax.ts";

export type Scalar = number;
/** A tensor or a plain number (which broadcasts as a scalar). */
export type TensorLike = Tensor | number;

/**
 * Storage is always contiguous and row-major. Views (reshape) share it; permute, expand and
 * slice copy, which keeps every kernel simple; the fast backends remove copies where they pay.
 * On the gpu backend the elements live in a device buffer until something on the host asks for them.
 */
export class Tensor {
  readonly shape: number[];
  readonly dtype: DType;
  /** Where the elements live (host array, device buffer, or both); shared by views. */
  readonly buf: Storage;
  grad: Tensor | null = null;
  requiresGrad = false;
  /** The node that made this tensor; null for leaves. */
  gradFn: Node | null = null;
  /** Non-leaf tensors keep their .grad only when asked (retainGrad). */
  retainsGrad = false;

  constructor(storage: TypedArray | Storage, shape: Shape) {
    checkShape("tensor", shape);
    if (numelOf(shape) !== storage.length) {
      throw new ShapeError("tensor", `${storage.length} values do not fill shape ${fmtShape(shape)} (${numelOf(shape)} elements)`);
    }
    this.buf = storage instanceof Storage ? storage : new Storage(dtypeOf(storage), storage.length, storage);
    this.shape = [...shape];
    this.dtype = this.buf.dtype;
  }

  /**
   * The raw elements on the host, for reading or in-place writing (optimizers do, under noGrad).
   * A device-resident tensor is read back here, blocking: prefer `await t.data()` on the gpu backend.
   */
  get storage(): TypedArray { return this.buf.host(); }

  get ndim(): number { return this.shape.length; }
  get numel(): number { return this.buf.length; }
  get isLeaf(): boolean { return this.gradFn === null; }
  size(dim?: number): number | number[] { return dim === undefined ? [...this.shape] : this.shape[dim < 0 ? dim + this.ndim : dim]; }
  isFloatingPoint(): boolean { return isFloat(this.dtype); }

  // ---- reading ----
  /** The elements as float32, the form every backend (also asynchronous GPU ones) can return. */
  async data(): Promise<Float32Array> { return Float32Array.from(await this.buf.read()); }
  dataSync(): Float32Array { return Float32Array.from(this.buf.peek()); }
  /** The single value of a one-element tensor. */
  item(): number {
    if (this.numel !== 1) throw new ShapeError("item", `only one-element tensors can be converted to a number, got shape ${fmtShape(this.shape)}`);
    return this.buf.host()[0]; // a scalar read moves it to the host: its device buffer is freed now
  }
  /** Nested arrays of exact values (float64 stays float64). */
  tolist(): unknown {
    const data = this.buf.peek();
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.ndim) return data[offset];
      const step = numelOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * step));
    };
    return build(0, 0);
  }
  toString(): string { return formatTensor(this); }

  // ---- autograd ----
  backward(gradient?: Tensor, options: BackwardOptions = {}): void {
    runBackward(this, gradient, options, { onesLike: (t) => full(t.shape, 1, t.dtype), add: ew.add, accumulateInto: ew.accumulateInto, clone: mv.clone, detach: (t) => t.detach(), reshape: mv.reshape, to: mv.toDType });
  }
  /** Marks a leaf as trainable; only floating-point tensors can require grad. */
  requiresGrad_(on = true): this {
    if (on && !this.isFloatingPoint()) throw new DTypeError("requiresGrad_", `only floating-point tensors can require grad, got ${this.dtype} tensor of shape ${fmtShape(this.shape)}`);
    if (!this.isLeaf) throw new DTypeError("requiresGrad_", "only leaf tensors can change requiresGrad; use detach() first");
    this.requiresGrad = on;
    return this;
  }
  retainGrad(): this { this.retainsGrad = true; return this; }
  /** Same storage, cut from the graph. */
  detach(): Tensor { return new Tensor(this.buf, this.shape); }
  /**
   * Drops the gradient (set to none, as torch's default). Its memory is freed at the end of the enclosing
   * tidy(), or, with none open, now on the gpu backend and by the garbage collector on the CPU backend.
   */
  zeroGrad(): void {
    this.grad?.buf.releaseLater();
    this.grad = null;
  }
  /**
   * Frees the tensor's memory now: its device buffer (gpu backend; a host copy, if any, stays usable) or its
   * storage in wasm memory (CPU backend), shared by its views. Using it afterwards throws. See tidy().
   */
  dispose(): void { this.buf.release(); }

  // ---- conversion ----
  to(dtype: DType): Tensor { return mv.toDType(this, dtype); }
  float(): Tensor { return this.to("float32"); }
  double(): Tensor { return this.to("float64"); }
  int(): Tensor { return this.to("int32"); }
  clone(): Tensor { return mv.clone(this); }

  // ---- elementwise ----
  add(o: TensorLike): Tensor { return ew.add(this, o); }
  sub(o: TensorLike): Tensor { return ew.sub(this, o); }
  mul(o: TensorLike): Tensor { return ew.mul(this, o); }
  div(o: TensorLike): Tensor { return ew.div(this, o); }
  pow(o: TensorLike): Tensor { return ew.pow(this, o); }
  maximum(o: TensorLike): Tensor { return ew.maximum(this, o); }
  minimum(o: TensorLike): Tensor { return ew.minimum(this, o); }
  eq(o: TensorLike): Tensor { return ew.eq(this, o); }
  ne(o: TensorLike): Tensor { return ew.ne(this, o); }
  lt(o: TensorLike): Tensor { return ew.lt(this, o); }
  le(o: TensorLike): Tensor { return ew.le(this, o); }
  gt(o: TensorLike): Tensor { return ew.gt(this, o); }
  ge(o: TensorLike): Tensor { return ew.ge(this, o); }
  neg(): Tensor { return ew.neg(this); }
  exp(): Tensor { return ew.exp(this); }
  log(): Tensor { return ew.log(this); }
  sqrt(): Tensor { return ew.sqrt(this); }
  rsqrt(): Tensor { return ew.rsqrt(this); }
  abs(): Tensor { return ew.abs(this); }
  tanh(): Tensor { return ew.tanh(this); }
  sigmoid(): Tensor { return ew.sigmoid(this); }
  relu(): Tensor { return ew.relu(this); }
  erf(): Tensor { return ew.erf(this); }
  gelu(approximate: "none" | "tanh" = "none"): Tensor { return ew.gelu(this, approximate); }
  square(): Tensor { return ew.mul(this, this); }
  clamp(min?: number | null, max?: number | null): Tensor { return ew.clamp(this, min, max); }
  where(condition: Tensor, other: TensorLike): Tensor { return ew.where(condition, this, other); }
  maskedFill(mask: Tensor, value: number): Tensor { return ew.maskedFill(this, mask, value); }

  // ---- reductions ----
  sum(dim?: number | number[], keepdim = false): Tensor { return red.sum(this, dim, keepdim); }
  mean(dim?: number | number[], keepdim = false): Tensor { return red.mean(this, dim, keepdim); }
  amax(dim?: number | number[], keepdim = false): Tensor { return red.amax(this, dim, keepdim); }
  amin(dim?: number | number[], keepdim = false): Tensor { return red.amin(this, dim, keepdim); }
  /** Maximum values (the gradient goes to the arg-max); use argmax for the indices. */
  max(dim?: number | number[], keepdim = false): Tensor { return red.amax(this, dim, keepdim); }
  min(dim?: number | number[], keepdim = false): Tensor { return red.amin(this, dim, keepdim); }
  var(dim?: number | number[], keepdim = false, correction = 1): Tensor { return red.variance(this, dim, keepdim, correction); }
  logsumexp(dim: number | number[], keepdim = false): Tensor { return red.logsumexp(this, dim, keepdim); }
  argmax(dim?: number, keepdim = false): Tensor { return red.argmax(this, dim, keepdim); }
  argmin(dim?: number, keepdim = false): Tensor { return red.argmin(this, dim, keepdim); }

  // ---- linear algebra and softmax ----
  matmul(o: Tensor): Tensor { return matmul(this, o); }
  softmax(dim: number): Tensor { return softmax(this, dim); }
  logSoftmax(dim: number): Tensor { return logSoftmax(this, dim); }

  // ---- shape and movement ----
  reshape(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, flatArgs(shape)); }
  view(...shape: number[] | [readonly number[]]): Tensor { return mv.reshape(this, flatArgs(shape)); }
  flatten(startDim = 0, endDim = -1): Tensor { return mv.flatten(this, startDim, endDim); }
  permute(...dims: number[] | [readonly number[]]): Tensor { return mv.permute(this, flatArgs(dims)); }
  transpose(dim0: number, dim1: number): Tensor { return mv.transpose(this, dim0, dim1); }
  /** Transpose of the last two dims (PyTorch's .mT). */
  get mT(): Tensor { return mv.transpose(this, -2, -1); }
  unsqueeze(dim: number): Tensor { return mv.unsqueeze(this, dim); }
  squeeze(dim?: number | number[]): Tensor { return mv.squeeze(this, dim); }
  expand(...shape: number[] | [readonly number[]]): Tensor { return mv.expand(this, flatArgs(shape)); }
  expandAs(other: Tensor): Tensor { return mv.expand(this, other.shape); }
  contiguous(): Tensor { return this; }
  narrow(dim: number, start: number, length: number): Tensor { return mv.narrow(this, dim, start, length); }
  slice(dim: number, start?: number, end?: number, step = 1): Tensor { return mv.slice(this, dim, start, end, step); }
  split(sizeOrSections: number | number[], dim = 0): Tensor[] { return mv.split(this, sizeOrSections, dim); }
  chunk(chunks: number, dim = 0): Tensor[] { return mv.chunk(this, chunks, dim); }
  indexSelect(dim: number, index: Tensor): Tensor { return idx.indexSelect(this, dim, index); }
  gather(dim: number, index: Tensor): Tensor { return idx.gather(this, dim, index); }
}

const flatArgs = (args: number[] | [readonly number[]]): number[] =>
  (args.length === 1 && Array.isArray(args[0]) ? [...args[0]] : (args as number[]));

// ---- creation ----

/** Options of the tensor constructors: dtype and requiresGrad. */
export interface TensorOptions { requiresGrad?: boolean; dtype?: DType }

type Nested = number | readonly Nested[];

/** The shape read off the first element at each depth; flattenNested then checks every element against it. */
function nestedShape(values: Nested): number[] {
  const shape: number[] = [];
  for (let v = values; typeof v !== "number"; v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  return shape;
}

function flattenNested(values: Nested, shape: readonly number[], out: number[], depth = 0): void {
  if (typeof values === "number") {
    if (depth !== shape.length) throw new ShapeError("tensor", `ragged nested array: a number at depth ${depth}, expected a list of length ${shape[depth]}`);
    out.push(values);
    return;
  }
  if (depth === shape.length) throw new ShapeError("tensor", `ragged nested array: a list at depth ${depth}, expected a number`);
  if (shape[depth] !== values.length) throw new ShapeError("tensor", `ragged nested array: length ${values.length} at depth ${depth}, expected ${shape[depth]}`);
  for (const v of values) flattenNested(v, shape, out, depth + 1);
}

/**
 * Makes a tensor from nested arrays, a flat array or a typed array.
 * Int32Array gives int32; everything else float32 unless opts.dtype says otherwise.
 */
export function tensor(values: Nested | TypedArray, shape?: readonly number[], opts: TensorOptions = {}): Tensor {
  let data: TypedArray;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    data = convert(values, opts.dtype ?? dtypeOf(values));
    if (data === values) data = copyOf(values);
    inferred = [data.length];
  } else {
    inferred = nestedShape(values);
    const flat: number[] = [];
    flattenNested(values, inferred, flat);
    data = allocate(opts.dtype ?? "float32", flat.length);
    data.set(flat);
  }
  const t = new Tensor(data, shape ?? inferred);
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, dtype: DType = "float32", opts: { requiresGrad?: boolean } = {}): Tensor {
  checkShape("full", shape);
  const data = allocate(dtype, numelOf(shape));
  data.fill(value);
  const t = new Tensor(data, shape);
  if (opts.requiresGrad) t.requiresGrad_();
  return t;
}
/** A tensor of zeros. */
export const zeros = (shape: readonly number[], dtype: DType = "float32", opts: { requiresGrad?: boolean } = {}): Tensor => full(shape, 0, dtype, opts);
/** A tensor of ones. */
export const ones = (shape: readonly number[], dtype: DType = "float32", opts: { requiresGrad?: boolean } = {}): Tensor => full(shape, 1, dtype, opts);
/** Zeros shaped like t, of t's dtype. */
export const zerosLike = (t: Tensor): Tensor => full(t.shape, 0, t.dtype);
/** Ones shaped like t, of t's dtype. */
export const onesLike = (t: Tensor): Tensor => full(t.shape, 1, t.dtype);
/** A tensor shaped like t, of t's dtype, filled with `value`. */
export const fullLike = (t: Tensor, value: number): Tensor => full(t.shape, value, t.dtype);

/** Integers start, start+step, ... below end; int32 unless a dtype or a fractional argument says float. */
export function arange(start: number, end?: number, step = 1, dtype?: DType): Tensor {
  if (end === undefined) { end = start; start = 0; }
  if (step === 0) throw new ShapeError("arange", "step must be non-zero");
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dt = dtype ?? ([start, end, step].every(Number.isInteger) ? "int32" : "float32");
  const data = allocate(dt, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n]);
}

/** An n × m matrix with ones on the diagonal. */
export function eye(n: number, m = n, dtype: DType = "float32"): Tensor {
  const t = zeros([n, m], dtype);
  for (let i = 0; i < Math.min(n, m); i++) t.storage[i * m + i] = 1;
  return t;
}

/**
 * Wraps existing elements without copying (internal: ops use it to return results and views): a host array,
 * a shared Storage, or a kernel's device output.
 */
export const fromStorage = (storage: TypedArray | Storage | DeviceBuffer, shape: Shape): Tensor =>
  new Tensor(storage instanceof Storage || ArrayBuffer.isView(storage) ? storage : Storage.onDevice(storage), shape);

export function asTensor(x: TensorLike, like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  const dtype: DType = like === undefined ? "float32" : like.dtype === "int32" && !Number.isInteger(x) ? "float32" : like.dtype;
  return full([], x, dtype);
}
