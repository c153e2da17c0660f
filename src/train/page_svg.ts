// A page with its predicted entities: the page as an embedded PNG, one coloured rectangle per entity, and a legend.
import { PNG } from "pngjs";
import type { Box } from "../data/document.ts";
import type { RgbImage } from "../data/image/rgb_image.ts";
import { xmlText } from "./xml_text.ts";

export interface PageEntity { type: string; text: string; words: number[]; /** pixel box on the page */ box: [number, number, number, number] }

const PALETTE: Record<string, string> = { HEADER: "#d62728", QUESTION: "#1f77b4", ANSWER: "#2ca02c" };
const EXTRA = ["#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

/** RgbImage ([0, 1] planar) → PNG bytes. */
export function encodePng(img: RgbImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  const plane = img.width * img.height;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) png.data[p * 4 + c] = Math.round(255 * Math.min(1, Math.max(0, img.data[c * plane + p])));
    png.data[p * 4 + 3] = 255;
  }
  return PNG.sync.write(png);
}

/** Colour of an entity type: fixed for FUNSD's three, then a palette in order of first appearance. */
function colorOf(type: string, seen: string[]): string {
  if (PALETTE[type] !== undefined) return PALETTE[type];
  if (!seen.includes(type)) seen.push(type);
  return EXTRA[seen.indexOf(type) % EXTRA.length];
}

/** The SVG: `<image>` of the page, then `<rect class="entity">` per entity (with a <title> tooltip), then a legend. */
export function pageSvg(pagePng: Uint8Array, width: number, height: number, entities: readonly PageEntity[]): string {
  const seen: string[] = [];
  const types = [...new Set(entities.map((e) => e.type))].sort();
  const legendH = 18 * Math.max(1, types.length) + 8;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + legendH}" viewBox="0 0 ${width} ${height + legendH}" font-family="sans-serif" font-size="12">`,
    `<image x="0" y="0" width="${width}" height="${height}" href="data:image/png;base64,${Buffer.from(pagePng).toString("base64")}"/>`,
  ];
  for (const e of entities) {
    const [x0, y0, x1, y1] = e.box, color = colorOf(e.type, seen);
    parts.push(`<rect class="entity" data-type="${xmlText(e.type)}" x="${x0}" y="${y0}" width="${Math.max(1, x1 - x0)}" height="${Math.max(1, y1 - y0)}" fill="${color}" fill-opacity="0.18" stroke="${color}" stroke-width="2"><title>${xmlText(e.type)}: ${xmlText(e.text)}</title></rect>`);
  }
  parts.push(`<g class="legend" transform="translate(8,${height + 6})">`);
  types.forEach((t, i) => parts.push(`<rect x="0" y="${i * 18}" width="12" height="12" fill="${colorOf(t, seen)}"/><text x="18" y="${i * 18 + 11}">${xmlText(t)} (${entities.filter((e) => e.type === t).length})</text>`));
  if (types.length === 0) parts.push(`<text x="0" y="11">no entities predicted</text>`);
  parts.push("</g>", "</svg>", "");
  return parts.join("\n");
}

/** A 0–1000 box back to pixels of a width × height page. */
export function toPixels(box: Box, width: number, height: number): [number, number, number, number] {
  return [Math.round((box[0] * width) / 1000), Math.round((box[1] * height) / 1000), Math.round((box[2] * width) / 1000), Math.round((box[3] * height) / 1000)];
}
