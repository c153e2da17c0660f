import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Progress } from "../../../src/train/progress.ts";
import { trainingPlotSvg } from "../../../src/train/plot_svg.ts";
import { documentAccuracy } from "../../../src/train/evaluate.ts";
import { encodePng, pageSvg } from "../../../src/train/page_svg.ts";
import { emptyImage } from "../../../src/data/image/rgb_image.ts";
import type { StepRecord } from "../../../src/train/run_types.ts";

const t = suite("reporting");
const sink = (isTTY: boolean): { isTTY: boolean; text: string; write(s: string): void } => ({ isTTY, text: "", write(s) { this.text += s; } });
const info = { loss: 1.5, tokensPerSecond: 300, lr: 1e-4 };

t("progress: plain lines every `every` steps without a TTY, one redrawn line on a TTY", () => {
  const plain = sink(false);
  const bar = new Progress("epoch 1/1", 10, plain, 5);
  for (let i = 1; i <= 10; i++) bar.update(i, info);
  const lines = plain.text.trim().split("\n");
  assert.equal(lines.map((l) => l.split(" ")[2]), ["1/10", "6/10", "10/10"]);
  assert.match(lines[0], /loss 1\.5000 +300 tok\/s/);
  const tty = sink(true);
  const bar2 = new Progress("e", 4, tty);
  for (let i = 1; i <= 4; i++) bar2.update(i, info);
  bar2.finish();
  assert.is(tty.text.split("\r").length - 1, 4);
  assert.ok(tty.text.endsWith("\n") && tty.text.includes("[########################] 4/4"));
});

t("plot: one polyline per loss term plus total, and f1/precision/recall", () => {
  const steps: StepRecord[] = Array.from({ length: 30 }, (_, i) => ({ step: i + 1, epoch: 0, loss: 3 - i * 0.05, terms: { task: 2 - i * 0.03, pita: 1 }, lr: 1e-4, gradNorm: 1, tokensPerSecond: 100 }));
  const svg = trainingPlotSvg(steps, [{ step: 30, epoch: 1, f1: 0.4, precision: 0.5, recall: 0.3, accuracy: 0.6, seconds: 1 }]);
  assert.ok(svg.startsWith("<svg"));
  assert.equal([...svg.matchAll(/data-name="([^"]+)"/g)].map((m) => m[1]), ["total", "task", "pita", "f1", "precision", "recall"]);
  assert.ok(!svg.includes("NaN"));
});

t("document accuracy", () => {
  assert.is(documentAccuracy(["a", "b", "c", "d"], ["a", "x", "c", "d"]), 0.75);
  assert.throws(() => documentAccuracy(["a"], []), /1 gold/);
});

t("page SVG: embedded PNG, one rect.entity per entity, a legend entry per type", () => {
  const png = encodePng(emptyImage(20, 10, 1));
  assert.equal([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const svg = pageSvg(png, 20, 10, [
    { type: "QUESTION", text: "Name:", words: [0], box: [1, 1, 5, 4] },
    { type: "ANSWER", text: "Li <b>", words: [1, 2], box: [6, 1, 15, 4] },
    { type: "QUESTION", text: "Date:", words: [3], box: [1, 5, 5, 8] },
  ]);
  assert.is([...svg.matchAll(/<rect class="entity"/g)].length, 3);
  assert.ok(svg.includes('href="data:image/png;base64,') && svg.includes("Li &lt;b&gt;"));
  assert.ok(svg.includes("ANSWER (1)") && svg.includes("QUESTION (2)"));
});

t.run();
