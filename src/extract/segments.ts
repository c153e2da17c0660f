// Groups the words of a text line into segments and gives every word its segment's box, as the data loaders do
// for training (FUNSD: each word carries its entity's box, LayoutLMv3's get_line_bbox).
import type { PixelBox } from "./result.ts";

/** A word of a page ready for the model: its own pixel box and the pixel box of the segment it belongs to. */
export interface PageWord { text: string; box: PixelBox; segment: PixelBox }

/**
 * A line breaks into segments where the horizontal gap between consecutive words exceeds GAP_FACTOR times the
 * line's median word height: on forms a question and its answer often share a line, separated by a wide gap,
 * while the words of one field are a space apart (about a third of the height).
 */
export const GAP_FACTOR = 1.5;

export function unionPixelBox(boxes: readonly PixelBox[]): PixelBox {
  const at = (k: number): number[] => boxes.map((b) => b[k]);
  return [Math.min(...at(0)), Math.min(...at(1)), Math.max(...at(2)), Math.max(...at(3))];
}

/** Lines (each a list of words left to right) → words in reading order with their segment boxes. */
export function segmentLines(
  lines: readonly (readonly { text: string; box: PixelBox }[])[], gapFactor = GAP_FACTOR,
): PageWord[] {
  const out: PageWord[] = [];
  for (const line of lines) {
    if (line.length === 0) continue;
    const heights = line.map((w) => w.box[3] - w.box[1]).sort((a, b) => a - b);
    const maxGap = gapFactor * heights[Math.floor(heights.length / 2)];
    let start = 0;
    for (let i = 1; i <= line.length; i++) {
      if (i < line.length && line[i].box[0] - line[i - 1].box[2] <= maxGap) continue;
      const seg = line.slice(start, i);
      const segment = unionPixelBox(seg.map((w) => w.box));
      for (const w of seg) out.push({ text: w.text, box: [...w.box], segment: [...segment] });
      start = i;
    }
  }
  return out;
}
