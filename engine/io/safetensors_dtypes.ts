// The safetensors element types: byte sizes, decoding raw little-endian bytes into engine storage, and encoding it back.
import type { DType, TypedArray } from "../dtype.ts";
import { FormatError } from "../errors.ts";

/** Every safetensors dtype this reader understands; the writer emits only F32, F64 and I32. */
export type SafeDType = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I8" | "U8" | "BOOL";

/** Bytes per element; the file format stores no padding between elements. */
export const SAFE_DTYPE_SIZE: Record<SafeDType, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I8: 1, U8: 1, BOOL: 1 };

export const ENGINE_TO_SAFE: Record<DType, SafeDType> = { float64: "F64", float32: "F32", int32: "I32" };

export const isSafeDType = (s: string): s is SafeDType => Object.hasOwn(SAFE_DTYPE_SIZE, s);

/** Typed-array views read in host byte order, so the zero-copy paths are only taken on little-endian hosts. */
const HOST_LE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Turns a tensor's raw bytes into engine storage. Narrow types widen exactly (F16/BF16 → float32,
 * I8/U8/BOOL → int32); I64 narrows to int32 and fails, naming `what`, on the first value that does
 * not fit, because silently wrapping token ids or labels would corrupt a model without a trace.
 */
export function decode(dtype: SafeDType, bytes: Uint8Array, n: number, op: string, what: string): TypedArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32": {
      if (HOST_LE) return new Float32Array(new Uint8Array(bytes).buffer); // copy: a fresh, aligned buffer (Buffer.slice would not copy)
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case "F64": {
      if (HOST_LE) return new Float64Array(new Uint8Array(bytes).buffer);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case "I32": {
      if (HOST_LE) return new Int32Array(new Uint8Array(bytes).buffer);
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
      return out;
    }
    case "F16": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    case "BF16": {
      // bfloat16 is the top half of a float32, so shifting the bits back up is exact (NaN payloads included).
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      return new Float32Array(bits.buffer);
    }
    case "I64": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > 2147483647n || v < -2147483648n) {
          throw new FormatError(op, `${what}: I64 value ${v} at flat index ${i} does not fit in int32 (the engine's only integer type)`);
        }
        out[i] = Number(v);
      }
      return out;
    }
    case "I8": return Int32Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, n));
    case "U8": return Int32Array.from(bytes.subarray(0, n));
    case "BOOL": return Int32Array.from(bytes.subarray(0, n), (b) => (b === 0 ? 0 : 1));
    default: return dtype satisfies never;
  }
}

/** IEEE 754 binary16 → number; every half value (subnormals, ±inf, NaN) is exact in float32. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Engine storage → little-endian bytes (a view of the storage itself on little-endian hosts). */
export function encode(storage: TypedArray): Uint8Array {
  if (HOST_LE) return new Uint8Array(storage.buffer, storage.byteOffset, storage.byteLength);
  const out = new Uint8Array(storage.byteLength);
  const view = new DataView(out.buffer);
  const size = storage.BYTES_PER_ELEMENT;
  for (let i = 0; i < storage.length; i++) {
    if (storage instanceof Float64Array) view.setFloat64(i * size, storage[i], true);
    else if (storage instanceof Float32Array) view.setFloat32(i * size, storage[i], true);
    else view.setInt32(i * size, storage[i], true);
  }
  return out;
}
