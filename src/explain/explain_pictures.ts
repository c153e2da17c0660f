// The two explain pictures: a word's (or entity's) patch distribution as a heatmap on the page, and the per-cell
// alignment of the whole page. Patch (r, c) covers the page rectangle the model's square resize maps to it.
import type { RgbImage } from "../data/image/rgb_image.ts";
import { encodePng } from "../train/page_svg.ts";
import type { AlignmentSummary, CellAlignment } from "./pita_maps.ts";
import type { Picture, Shape } from "./picture.ts";

type Rgb = [number, number, number];
/** Sequential ramp (dark purple → orange → pale yellow, after matplotlib's inferno) for similarities. */
const HEAT: Rgb[] = [[20, 11, 52], [120, 28, 109], [237, 105, 37], [252, 255, 164]];
/** Diverging ramp red → yellow → green for "picks its own patch" probabilities on 0..1. */
const AGREE: Rgb[] = [[215, 48, 39], [254, 224, 139], [26, 152, 80]];

export function ramp(stops: readonly Rgb[], t: number): string {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1), i = Math.min(stops.length - 2, Math.floor(x)), f = x - i;
  const c = stops[i].map((v, k) => Math.round(v + f * (stops[i + 1][k] - v)));
  return `#${c.map((v) => v.toString(16).padStart(2, "0")).join("")}`;
}

interface Frame {
  shapes: Shape[]; width: number; height: number; cellW: number; cellH: number; font: number; grid: number;
}

function frame(page: RgbImage, grid: number, legendLines: number): Frame {
  const font = Math.max(11, Math.round(page.width / 55));
  const height = page.height + Math.round(font * 1.6) * legendLines + font * 2;
  const shapes: Shape[] = [{ kind: "image", png: encodePng(page), x: 0, y: 0, w: page.width, h: page.height }];
  return { shapes, width: page.width, height, cellW: page.width / grid, cellH: page.height / grid, font, grid };
}

const cellRect = (f: Frame, cell: number): { x: number; y: number; w: number; h: number } =>
  ({ x: (cell % f.grid) * f.cellW, y: Math.floor(cell / f.grid) * f.cellH, w: f.cellW, h: f.cellH });

function legend(
  f: Frame, page: RgbImage, lines: readonly string[], stops: readonly Rgb[], lo: string, hi: string,
): void {
  const step = Math.round(f.font * 1.6);
  lines.forEach((text, i) => {
    f.shapes.push({ kind: "text", x: 8, y: page.height + step * (i + 1), text, size: f.font, fill: "#111111" });
  });
  const y = page.height + step * lines.length + f.font * 0.6, w = Math.min(240, f.width / 3), parts = 24;
  for (let k = 0; k < parts; k++) {
    const fill = ramp(stops, k / (parts - 1));
    f.shapes.push({ kind: "rect", x: 8 + (k * w) / parts, y, w: w / parts + 0.5, h: f.font, fill });
  }
  f.shapes.push({
    kind: "text", x: 14 + w, y: y + f.font * 0.85, text: `${lo} … ${hi}`, size: f.font, fill: "#111111",
  });
}

export interface HeatmapInput {
  page: RgbImage;
  grid: number;
  /** PITA's distribution over patches (length grid²), and its top patch (topPatch). */
  distribution: Float64Array;
  top: number;
  /** What it is for, e.g. `word 12 "Date:"` or `entity QUESTION "Date:"`. */
  subject: string;
  /** Pixel boxes of the chosen words, outlined. */
  boxes: readonly (readonly number[])[];
}

/** The chosen words' patch distribution over the page, colour scaled to its maximum. */
export function heatmapPicture(h: HeatmapInput): Picture {
  const f = frame(h.page, h.grid, 2);
  const top = h.top, max = h.distribution[top];
  h.distribution.forEach((v, i) => {
    const title = `patch (${Math.floor(i / h.grid)}, ${i % h.grid}): p = ${v.toFixed(4)}`;
    const fill = ramp(HEAT, v / max), opacity = 0.2 + 0.5 * (v / max);
    f.shapes.push({ kind: "rect", cls: "patch", ...cellRect(f, i), fill, opacity, title });
  });
  for (const b of h.boxes) {
    f.shapes.push({
      kind: "rect", cls: "chosen", x: b[0], y: b[1], w: Math.max(1, b[2] - b[0]), h: Math.max(1, b[3] - b[1]),
      stroke: "#00c8ff", strokeWidth: Math.max(2, f.font / 5),
    });
  }
  legend(f, h.page, [
    `PITA patch–token similarity: ${h.subject}`,
    `softmax over ${h.grid}×${h.grid} patches; ` +
      `top (${Math.floor(top / h.grid)}, ${top % h.grid}), p = ${max.toFixed(3)}`,
  ], HEAT, "0", max.toFixed(3));
  return { width: f.width, height: f.height, shapes: f.shapes };
}

/** Every cell holding text, coloured by the probability its mean token feature picks its own patch. */
export function cellsPicture(
  page: RgbImage, grid: number, cells: readonly CellAlignment[], summary: AlignmentSummary,
  wordText: (w: number) => string,
): Picture {
  const f = frame(page, grid, 2);
  for (let i = 0; i <= grid; i++) {
    const grey = { stroke: "#9e9e9e", strokeWidth: 0.5 };
    f.shapes.push({ kind: "line", x1: i * f.cellW, y1: 0, x2: i * f.cellW, y2: page.height, ...grey });
    f.shapes.push({ kind: "line", x1: 0, y1: i * f.cellH, x2: page.width, y2: i * f.cellH, ...grey });
  }
  const centre = (cell: number): [number, number] => {
    const r = cellRect(f, cell);
    return [r.x + r.w / 2, r.y + r.h / 2];
  };
  for (const c of cells) {
    const words = c.words.slice(0, 6).map(wordText).join(" ") + (c.words.length > 6 ? " …" : "");
    const title = `cell (${Math.floor(c.cell / grid)}, ${c.cell % grid}) "${words}": ` +
      `p(own patch) = ${c.own.toFixed(4)}; top patch (${Math.floor(c.top / grid)}, ${c.top % grid})`;
    const colour = ramp(AGREE, c.own);
    f.shapes.push({
      kind: "rect", cls: "cell", ...cellRect(f, c.cell), fill: colour, opacity: 0.55, stroke: colour, strokeWidth: 1,
      title,
    });
  }
  for (const c of cells) {
    if (c.top === c.cell) continue;
    const [x1, y1] = centre(c.cell), [x2, y2] = centre(c.top);
    f.shapes.push({ kind: "line", x1, y1, x2, y2, stroke: "#3f007d", strokeWidth: Math.max(1, f.font / 8) });
  }
  legend(f, page, [
    `PITA per cell: p(own patch) of the words centred there (mean ${summary.meanOwn.toFixed(3)})`,
    `${summary.ownTop} of ${summary.count} cells pick their own patch; lines: the patch picked instead`,
  ], AGREE, "0", "1");
  return { width: f.width, height: f.height, shapes: f.shapes };
}
