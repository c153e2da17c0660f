// Element types, their storage arrays, and the promotion rule for mixed-type ops.

/** float32 is the working type; float64 exists so gradchecks can be exact; int32 holds indices and labels. */
export type DType = "float32" | "float64" | "int32";
export type FloatArray = Float32Array | Float64Array;
export type TypedArray = Float32Array | Float64Array | Int32Array;

export function allocate(dtype: DType, n: number): TypedArray {
  switch (dtype) {
    case "float32": return new Float32Array(n);
    case "float64": return new Float64Array(n);
    case "int32": return new Int32Array(n);
    default: return dtype satisfies never;
  }
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
