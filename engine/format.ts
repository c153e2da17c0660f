// PyTorch-like printing, matching torch 1.13's _tensor_str: same number modes, widths, line wrapping and summaries.
import type { Tensor } from "./tensor.ts";

const EDGE = 3; // elements shown at each end of a long dim (PRINT_OPTS.edgeitems)
const THRESHOLD = 1000; // summarise above this many elements (PRINT_OPTS.threshold)
const LINEWIDTH = 80; // PRINT_OPTS.linewidth
const PRECISION = 4; // PRINT_OPTS.precision
const PREFIX = "tensor(";

/** x to `digits` decimals, ties to even as Python's format does (JS toFixed rounds ties up). */
function toFixedEven(x: number, digits: number): string {
  const scaled = x * 10 ** digits;
  // Only dyadic values can tie; for float32-sized mantissas the product above is exact.
  if (Math.abs(scaled % 1) === 0.5) {
    const lo = Math.floor(scaled);
    const even = lo % 2 === 0 ? lo : lo + 1;
    return (even / 10 ** digits).toFixed(digits);
  }
  return x.toFixed(digits);
}

/** Python's "{:.4e}": a two-digit exponent at least. */
const toSci = (x: number): string => x.toExponential(PRECISION).replace(/e([+-])(\d)$/, "e$10$2");

/** torch's _Formatter: picks int / fixed / scientific mode and one width from the (summarised) values. */
function makeFormatter(values: readonly number[], isFloat: boolean): { format: (v: number) => string; width: number } {
  if (!isFloat) {
    const width = values.reduce((w, v) => Math.max(w, String(v).length), 1);
    return { format: (v) => String(v).padStart(width), width };
  }
  // Zeros and non-finite values take no part in choosing the mode or the width, as in torch.
  const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
  let intMode = true;
  let sciMode = false;
  let width = 1;
  if (nz.length > 0) {
    const lo = nz.reduce((m, v) => Math.min(m, Math.abs(v)), Infinity);
    const hi = nz.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    intMode = nz.every(Number.isInteger);
    sciMode = hi / lo > 1000 || hi > 1e8 || (!intMode && lo < 1e-4);
    const widthOf = (v: number): number => (sciMode ? toSci(v).length : intMode ? v.toFixed(0).length + 1 : toFixedEven(v, PRECISION).length);
    width = nz.reduce((w, v) => Math.max(w, widthOf(v)), 1);
  }
  const fmt = (v: number): string => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (sciMode) return toSci(v);
    if (intMode) return `${Object.is(v, -0) ? "-0" : v.toFixed(0)}.`;
    return toFixedEven(v, PRECISION);
  };
  return { format: (v) => fmt(v).padStart(width), width };
}

/** One entry per printed element, with -1 standing for the "..." of a summarised dim. */
const shownIndices = (n: number, summarise: boolean): number[] =>
  summarise && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];

/** The values torch builds its formatter from: only the shown edges when summarising. */
function shownValues(t: Tensor, summarise: boolean): number[] {
  const out: number[] = [];
  const walk = (dim: number, offset: number): void => {
    if (dim === t.ndim) { out.push(t.buf.peek()[offset]); return; }
    const step = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    for (const i of shownIndices(t.shape[dim], summarise)) if (i >= 0) walk(dim + 1, offset + i * step);
  };
  walk(0, 0);
  return out;
}

export function formatTensor(t: Tensor): string {
  const summarise = t.numel > THRESHOLD;
  const { format, width } = makeFormatter(shownValues(t, summarise), t.dtype !== "int32");
  const build = (dim: number, offset: number, indent: number): string => {
    const idx = shownIndices(t.shape[dim], summarise);
    const step = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    if (dim === t.ndim - 1) {
      const perLine = Math.max(1, Math.floor((LINEWIDTH - indent) / (width + 2)));
      const items = idx.map((i) => (i < 0 ? " ..." : format(t.buf.peek()[offset + i])));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(", "));
      return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
    }
    const sep = `,${"\n".repeat(t.ndim - dim - 1)}${" ".repeat(indent + 1)}`;
    return `[${idx.map((i) => (i < 0 ? "..." : build(dim + 1, offset + i * step, indent + 1))).join(sep)}]`;
  };
  const body = t.numel === 0 ? "[]" : t.ndim === 0 ? format(t.buf.peek()[0]) : build(0, 0, PREFIX.length);
  const suffixes: string[] = [];
  if (t.numel === 0 && t.ndim !== 1) suffixes.push(`size=(${t.shape.join(", ")})`);
  // differs from torch: int32 is this engine's default integer type (torch's int64), so it gets no dtype suffix.
  if (t.dtype === "float64") suffixes.push("dtype=torch.float64");
  if (t.gradFn !== null) suffixes.push(`grad_fn=<${backwardName(t.gradFn.op)}>`);
  else if (t.requiresGrad) suffixes.push("requires_grad=True");
  return addSuffixes(PREFIX + body, suffixes);
}

/** torch's node class name for the common ops (AddBackward0, ExpBackward0, ...). */
const backwardName = (op: string): string => `${op[0].toUpperCase()}${op.slice(1)}Backward0`;

/** Appends ", suffix" items, moving one to a new line when it would pass the line width (torch's _add_suffixes). */
function addSuffixes(text: string, suffixes: readonly string[]): string {
  let out = text;
  let lineLength = text.length - text.lastIndexOf("\n") + 1;
  for (const s of suffixes) {
    if (lineLength + s.length + 2 > LINEWIDTH) {
      out += `,\n${" ".repeat(PREFIX.length)}${s}`;
      lineLength = PREFIX.length + s.length;
    } else {
      out += `, ${s}`;
      lineLength += s.length + 2;
    }
  }
  return `${out})`;
}
