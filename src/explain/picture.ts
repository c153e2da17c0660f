// A picture as a flat list of shapes (page image, rectangles, lines, text) rendered to SVG, or to PNG through
// @napi-rs/canvas when that optional package is installed; one description, two renderers, same drawing.
import { importOptional, MissingDependencyError } from "../../engine/index.ts";
import { xmlText } from "../train/xml_text.ts";

export type Shape =
  | { kind: "image"; png: Uint8Array; x: number; y: number; w: number; h: number }
  | { kind: "rect"; x: number; y: number; w: number; h: number; fill?: string; opacity?: number; stroke?: string; strokeWidth?: number; cls?: string; title?: string }
  | { kind: "line"; x1: number; y1: number; x2: number; y2: number; stroke: string; strokeWidth: number }
  | { kind: "text"; x: number; y: number; text: string; size: number; fill: string };

export interface Picture { width: number; height: number; shapes: Shape[] }

const n = (v: number): string => String(Math.round(v * 100) / 100);

export function toSvg(pic: Picture): string {
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${n(pic.width)}" height="${n(pic.height)}" viewBox="0 0 ${n(pic.width)} ${n(pic.height)}" font-family="sans-serif">`];
  for (const s of pic.shapes) {
    if (s.kind === "image") out.push(`<image x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}" href="data:image/png;base64,${Buffer.from(s.png).toString("base64")}"/>`);
    else if (s.kind === "rect") {
      const attrs = [
        s.cls ? `class="${s.cls}"` : "", `x="${n(s.x)}" y="${n(s.y)}" width="${n(s.w)}" height="${n(s.h)}"`,
        `fill="${s.fill ?? "none"}"`, s.opacity !== undefined ? `fill-opacity="${n(s.opacity)}"` : "",
        s.stroke ? `stroke="${s.stroke}" stroke-width="${n(s.strokeWidth ?? 1)}"` : "",
      ].filter((a) => a !== "").join(" ");
      out.push(s.title === undefined ? `<rect ${attrs}/>` : `<rect ${attrs}><title>${xmlText(s.title)}</title></rect>`);
    } else if (s.kind === "line") out.push(`<line x1="${n(s.x1)}" y1="${n(s.y1)}" x2="${n(s.x2)}" y2="${n(s.y2)}" stroke="${s.stroke}" stroke-width="${n(s.strokeWidth)}"/>`);
    else out.push(`<text x="${n(s.x)}" y="${n(s.y)}" font-size="${n(s.size)}" fill="${s.fill}">${xmlText(s.text)}</text>`);
  }
  out.push("</svg>", "");
  return out.join("\n");
}

interface Canvas2D {
  drawImage(img: unknown, x: number, y: number, w: number, h: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  strokeRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void; moveTo(x: number, y: number): void; lineTo(x: number, y: number): void; stroke(): void;
  fillText(text: string, x: number, y: number): void;
  fillStyle: string; strokeStyle: string; lineWidth: number; globalAlpha: number; font: string;
}
interface CanvasModule {
  createCanvas(w: number, h: number): { getContext(kind: "2d"): Canvas2D; encode(format: "png"): Promise<Uint8Array> };
  loadImage(data: Uint8Array): Promise<unknown>;
}

/** PNG bytes of the picture, or null when @napi-rs/canvas (an optional package) is not installed. */
export async function toPng(pic: Picture): Promise<Uint8Array | null> {
  let canvas: CanvasModule;
  try { canvas = await importOptional<CanvasModule>("@napi-rs/canvas", "PNG pictures"); } catch (err) {
    if (err instanceof MissingDependencyError) return null;
    throw err;
  }
  const c = canvas.createCanvas(Math.ceil(pic.width), Math.ceil(pic.height));
  const ctx = c.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, pic.width, pic.height);
  for (const s of pic.shapes) {
    ctx.globalAlpha = 1;
    if (s.kind === "image") ctx.drawImage(await canvas.loadImage(s.png), s.x, s.y, s.w, s.h);
    else if (s.kind === "rect") {
      if (s.fill !== undefined && s.fill !== "none") { ctx.globalAlpha = s.opacity ?? 1; ctx.fillStyle = s.fill; ctx.fillRect(s.x, s.y, s.w, s.h); ctx.globalAlpha = 1; }
      if (s.stroke !== undefined) { ctx.strokeStyle = s.stroke; ctx.lineWidth = s.strokeWidth ?? 1; ctx.strokeRect(s.x, s.y, s.w, s.h); }
    } else if (s.kind === "line") {
      ctx.strokeStyle = s.stroke; ctx.lineWidth = s.strokeWidth;
      ctx.beginPath(); ctx.moveTo(s.x1, s.y1); ctx.lineTo(s.x2, s.y2); ctx.stroke();
    } else { ctx.fillStyle = s.fill; ctx.font = `${s.size}px sans-serif`; ctx.fillText(s.text, s.x, s.y); }
  }
  return c.encode("png");
}
