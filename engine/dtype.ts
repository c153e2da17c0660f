// Element types, their storage arrays, and the promotion rule for mixed-type ops.

/** float32 is the working type; float64 exists so gradchecks can be exact; int32 holds indices and labels. */
export type DType = "float32" | "float64" | "int32";
export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array;

/**
 * Where float32 storage comes from besides the JS heap. The backend registry installs one: on the wasm
 * backend it places arrays in wasm linear memory, where kernels use them without copying. alloc returns null
 * when it has no room or the backend keeps tensors on the JS heap (kernels then copy, as they always did).
 */
export interface Float32Memory {
  alloc(n: number, zero: boolean): Float32Array | null;
  /** Frees an array this memory made, now; false (and nothing happens) for any other array. */
  free(a: Float32Array): boolean;
}

let float32Memory: Float32Memory | null = null;

export function setFloat32Memory(memory: Float32Memory | null): void { float32Memory = memory; }

/** A zero-filled array of n elements; every float32 array the engine makes for tensors comes from here. */
export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32": return float32Memory?.alloc(n, true) ?? new Float32Array(n);
    case "float64": return new Float64Array(n);
    case "int32": return new Int32Array(n);
    default: return dtype satisfies never;
  }
}

/** Like allocate, but the elements start unspecified: for outputs whose kernel writes every element. */
export function allocateEmpty(dtype: DType, n: number): TypedArray {
  return dtype === "float32" ? float32Memory?.alloc(n, false) ?? new Float32Array(n) : allocate(dtype, n);
}

/** Frees float32 storage now when its source made it (dispose(), tidy()); false for any other array. */
export function releaseFloat32(a: TypedArray): boolean {
  return a instanceof Float32Array && (float32Memory?.free(a) ?? false);
}

/** A copy of `data` in fresh storage (float32 copies land where allocate puts them). */
export function copyOf<T extends TypedArray>(data: T): T {
  const out = allocateEmpty(dtypeOf(data), data.length) as T;
  out.set(data);
  return out;
}

export function dtypeOf(data: TypedArray): DType {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  return "int32";
}

export const isFloat = (dtype: DType): boolean => dtype !== "int32";

const rank: Record<DType, number> = { int32: 0, float32: 1, float64: 2 };

/** The wider of two types, as PyTorch promotes int + float → float. */
export function promote(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/** The float type an op produces from an input (exp of an int32 tensor is float32). */
export const floatOf = (dtype: DType): DType => (dtype === "int32" ? "float32" : dtype);

export function convert(data: TypedArray, dtype: DType): TypedArray {
  if (dtypeOf(data) === dtype) return data;
  const out = allocate(dtype, data.length);
  if (dtype === "int32") for (let i = 0; i < data.length; i++) out[i] = Math.trunc(data[i]);
  else out.set(data);
  return out;
}
