// PyTorch-like printing: tensor([[1.0000, 2.0000], ...], requires_grad=True).
import type { Tensor } from "./tensor.ts";

const EDGE = 3; // elements shown at each end of a long dim, as torch's threshold summarisation
const THRESHOLD = 1000;

export function formatTensor(t: Tensor): string {
  const data = t.storage;
  const isInt = t.dtype === "int32";
  const values = Array.from(data);
  const finite = values.filter(Number.isFinite);
  const allIntegral = finite.every(Number.isInteger);
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const sci = !isInt && finite.length > 0 && (maxAbs >= 1e8 || (maxAbs > 0 && maxAbs < 1e-4));
  const fmt = (v: number): string => {
    if (Number.isNaN(v)) return "nan";
    if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
    if (isInt) return String(v);
    if (sci) return v.toExponential(4).replace(/e([+-])(\d)$/, "e$10$2");
    return allIntegral ? `${v}.` : v.toFixed(4);
  };
  const summarise = t.numel > THRESHOLD;
  const width = Math.max(1, ...values.map((v) => fmt(v).length));
  const indent = "tensor(".length;
  const build = (dim: number, offset: number): string => {
    if (t.ndim === 0) return fmt(data[0]);
    const n = t.shape[dim];
    const step = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const idx = summarise && n > 2 * EDGE ? [...Array(EDGE).keys(), -1, ...Array.from({ length: EDGE }, (_, i) => n - EDGE + i)] : [...Array(n).keys()];
    if (dim === t.ndim - 1) {
      return `[${idx.map((i) => (i < 0 ? "..." : fmt(data[offset + i]).padStart(width))).join(", ")}]`;
    }
    const sep = `,${"\n".repeat(t.ndim - dim - 1)}${" ".repeat(indent + dim + 1)}`;
    return `[${idx.map((i) => (i < 0 ? "..." : build(dim + 1, offset + i * step))).join(sep)}]`;
  };
  const extras: string[] = [];
  if (t.dtype === "float64") extras.push("dtype=float64");
  if (t.gradFn !== null) extras.push(`grad_fn=<${t.gradFn.op}>`);
  else if (t.requiresGrad) extras.push("requires_grad=True");
  return `tensor(${build(0, 0)}${extras.map((e) => `, ${e}`).join("")})`;
}
