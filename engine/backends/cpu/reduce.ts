// Reference reduction kernel: one value per contiguous row.
import type { ReduceOp } from "../backend.ts";
import type { TypedArray } from "../../dtype.ts";

export function reduceRows(op: ReduceOp, x: TypedArray, rowLength: number, out: TypedArray): void {
  const rows = out.length;
  for (let r = 0; r < rows; r++) {
    const base = r * rowLength;
    switch (op) {
      case "sum": {
        let acc = 0;
        for (let j = 0; j < rowLength; j++) acc += x[base + j];
        out[r] = acc;
        break;
      }
      case "max": case "min": case "argmax": case "argmin": {
        const wantMax = op === "max" || op === "argmax";
        let best = x[base];
        let at = 0;
        for (let j = 1; j < rowLength; j++) {
          const v = x[base + j];
          // NaN wins, as in PyTorch: a NaN anywhere makes the max NaN.
          if (Number.isNaN(best)) break;
          if (Number.isNaN(v) || (wantMax ? v > best : v < best)) { best = v; at = j; }
        }
        out[r] = op === "max" || op === "min" ? best : at;
        break;
      }
      default: op satisfies never;
    }
  }
}

/** Rows of each outer block are added in order into a float64 accumulator: the sums (and their rounding) of the transpose-then-reduceRows path, read contiguously. */
export function sumAxis(x: TypedArray, outer: number, size: number, inner: number, out: TypedArray): void {
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let j = 0; j < size; j++) {
      const row = (o * size + j) * inner;
      for (let i = 0; i < inner; i++) acc[i] += x[row + i];
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i];
  }
}
