// predict's page SVG and the training plot are well-formed XML whatever the words and names hold: control
// characters, &, <, quotes, lone surrogates, U+FFFE/U+FFFF. Checked with a parser-style well-formedness check.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { emptyImage } from "../../../src/data/image/rgb_image.ts";
import { encodePng, pageSvg, type PageEntity } from "../../../src/train/page_svg.ts";
import { trainingPlotSvg } from "../../../src/train/plot_svg.ts";
import type { StepRecord } from "../../../src/train/run_types.ts";
import { RUNS } from "../../helpers.ts";
import { xmlProblem } from "./xml_check.ts";

const t = suite("svg output is well-formed XML");

/** Any code point (lone surrogates included), biased toward the troublesome ones. */
const hostileChar = fc.oneof(
  fc.constantFrom("\u0000", "\u0001", "\u0008", "\u000b", "\u001f", "\t", "\n", "\r", "&", "<", ">", '"', "'", "]]>", "&amp;",
    "\ud800", "\udfff", "\ufffe", "\uffff", "😀", "\ud83d"),
  fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
);
const hostile = fc.array(hostileChar, { maxLength: 12 }).map((a) => a.join(""));
const png = encodePng(emptyImage(4, 4));

t("the check itself rejects what XML rejects", () => {
  assert.is(xmlProblem(`<a x="1"><b/>t &amp; &#65;</a>`), null);
  for (const bad of ["<a>\u0001</a>", "<a>&</a>", "<a x=\"<\"/>", "<a><b></a>", "<a/><b/>", "<a>\ud800</a>", "<a>&#1;</a>", "<a x='1' x='2'/>"]) {
    assert.ok(xmlProblem(bad) !== null, JSON.stringify(bad));
  }
});

t("a word with a control character gives a well-formed page SVG (the reported case)", () => {
  const svg = pageSvg(png, 4, 4, [{ type: "ANSWER", text: "total\u0007 due", words: [0], box: [0, 0, 2, 2] }]);
  assert.is(xmlProblem(svg), null);
  assert.match(svg, /total\uFFFD due/);
});

t("page SVG: any entity text and type", () => {
  fc.assert(fc.property(fc.array(fc.record({ type: hostile, text: hostile }), { maxLength: 4 }), (es) => {
    const entities: PageEntity[] = es.map((e, i) => ({ ...e, words: [i], box: [0, 0, 3, 3] }));
    const problem = xmlProblem(pageSvg(png, 4, 4, entities));
    assert.is(problem, null);
  }), { numRuns: RUNS * 5 });
});

t("training plot: any title and loss-term names", () => {
  fc.assert(fc.property(hostile, fc.array(hostile, { maxLength: 3 }), (title, names) => {
    const steps: StepRecord[] = [1, 2].map((step) => ({ step, epoch: 0, loss: 1 / step, terms: Object.fromEntries(names.map((n) => [n, 0.5])), lr: 1e-4, gradNorm: 1, tokensPerSecond: 10 }));
    assert.is(xmlProblem(trainingPlotSvg(steps, [], title)), null);
  }), { numRuns: RUNS * 5 });
});

t.run();
