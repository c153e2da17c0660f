// An SVG of a run: every loss term against the step (left) and entity F1 (or document accuracy) per evaluation
// (right), no plotting library.
import type { EvalRecord, StepRecord } from "./run_types.ts";
import { xmlText } from "./xml_text.ts";

const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const W = 420, H = 280, PAD = { left: 52, right: 12, top: 28, bottom: 36 };

const fmt = (v: number): string => (Math.abs(v) >= 100 || v === 0 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2));

interface Series { name: string; points: [number, number][] }

/** A moving average over `window` points, so a noisy per-step loss reads as a curve. */
function smooth(points: [number, number][], window: number): [number, number][] {
  if (window <= 1) return points;
  return points.map(([x], i) => {
    const from = Math.max(0, i - window + 1);
    const ys = points.slice(from, i + 1).map((p) => p[1]);
    return [x, ys.reduce((a, b) => a + b, 0) / ys.length];
  });
}

/** One chart panel at (ox, 0): axes, ticks, one polyline (and dots) per series, a legend. */
function panel(ox: number, title: string, xLabel: string, series: Series[], yRange?: [number, number]): string {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return `<g transform="translate(${ox},0)"><text x="${W / 2}" y="${H / 2}" text-anchor="middle">${xmlText(title)}: no data yet</text></g>`;
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const [y0, y1] = yRange ?? [Math.min(0, ...ys), Math.max(...ys, 1e-6)];
  const px = (x: number): number => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const py = (y: number): number => H - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  const parts: string[] = [`<g transform="translate(${ox},0)">`, `<text x="${W / 2}" y="16" text-anchor="middle" font-weight="bold">${xmlText(title)}</text>`];
  parts.push(`<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#333"/>`, `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + ((y1 - y0) * i) / 4, x = x0 + ((x1 - x0) * i) / 4;
    parts.push(`<text x="${PAD.left - 4}" y="${py(y) + 4}" text-anchor="end">${fmt(y)}</text>`, `<line x1="${PAD.left}" y1="${py(y)}" x2="${W - PAD.right}" y2="${py(y)}" stroke="#eee"/>`);
    parts.push(`<text x="${px(x)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${fmt(x)}</text>`);
  }
  parts.push(`<text x="${(W + PAD.left) / 2}" y="${H - 6}" text-anchor="middle">${xmlText(xLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
    parts.push(`<polyline class="series" data-name="${xmlText(s.name)}" fill="none" stroke="${color}" stroke-width="1.5" points="${pts}"/>`);
    if (s.points.length <= 50) for (const [x, y] of s.points) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${color}"/>`);
    parts.push(`<rect x="${W - PAD.right - 110}" y="${PAD.top + 4 + i * 14}" width="10" height="10" fill="${color}"/>`, `<text x="${W - PAD.right - 96}" y="${PAD.top + 13 + i * 14}">${xmlText(s.name)}</text>`);
  });
  parts.push("</g>");
  return parts.join("\n");
}

/** The run's plot: loss terms (moving average over ~2% of the steps) and F1 / precision / recall (classification: document accuracy) per evaluation. */
export function trainingPlotSvg(steps: readonly StepRecord[], evals: readonly EvalRecord[], title = "training"): string {
  const window = Math.max(1, Math.round(steps.length / 50));
  const names = [...new Set(steps.flatMap((s) => Object.keys(s.terms)))];
  const loss: Series[] = [
    { name: "total", points: smooth(steps.map((s) => [s.step, s.loss]), window) },
    ...names.map((n) => ({ name: n, points: smooth(steps.filter((s) => n in s.terms).map((s): [number, number] => [s.step, s.terms[n]]), window) })),
  ];
  const documents = evals.length > 0 && evals.every((e) => e.documentAccuracy !== undefined);
  const keys = documents ? (["documentAccuracy"] as const) : (["f1", "precision", "recall"] as const);
  const scores: Series[] = keys.map((k) => ({ name: k, points: evals.flatMap((e): [number, number][] => { const v = e[k]; return v === undefined ? [] : [[e.step, v]]; }) }));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * W}" height="${H + 24}" font-family="sans-serif" font-size="10">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W}" y="${H + 18}" text-anchor="middle" fill="#555">${xmlText(title)}</text>`,
    panel(0, "loss terms", "step", loss),
    panel(W, documents ? "document accuracy (eval)" : "entity scores (eval)", "step", scores, [0, 1]),
    "</svg>",
    "",
  ].join("\n");
}
