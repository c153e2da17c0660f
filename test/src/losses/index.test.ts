// The combined objective: the reference's task + loss_ita (/6) + loss_lol, switches, weights and missing-term errors.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { tensor, type Tensor } from "../../../engine/index.ts";
import { CORD_WEIGHTS, alignmentLoss, type LossTerms } from "../../../src/index.ts";

const scalar = (v: number): Tensor => tensor(Float64Array.from([v]), [], { dtype: "float64", requiresGrad: true });
const makeTerms = (): Required<LossTerms> => ({
  task: scalar(1), i2t: scalar(2), t2i: scalar(3), i2i: scalar(4), t2t: scalar(5), glitcText: scalar(6), glitcImage: scalar(7), pita: scalar(8),
});
const near = (a: number, b: number): boolean => Math.abs(a - b) < 1e-12;

const t = suite("alignmentLoss");

t("all on: task + (six contrastive terms) / 6 + pita, and gradients reach every term", () => {
  const terms = makeTerms();
  const { total, ita, terms: kept } = alignmentLoss(terms);
  assert.ok(near(ita!.item(), (2 + 3 + 4 + 5 + 6 + 7) / 6));
  assert.ok(near(total.item(), 1 + 4.5 + 8));
  assert.equal(Object.keys(kept).sort(), Object.keys(terms).sort());
  total.backward();
  assert.is(terms.task.grad!.item(), 1);
  assert.ok(near(terms.glitcImage.grad!.item(), 1 / 6));
  assert.is(terms.pita.grad!.item(), 1);
});

t("switched-off losses leave the mean over the enabled contrastive terms and the report", () => {
  const terms = makeTerms();
  const noGlitc = alignmentLoss(terms, { ditc: true, imc: true, glitc: false, pita: true });
  assert.ok(near(noGlitc.ita!.item(), (2 + 3 + 4 + 5) / 4));
  assert.ok(near(noGlitc.total.item(), 1 + 3.5 + 8));
  assert.is(noGlitc.terms.glitcText, undefined);
  const onlyTask = alignmentLoss({ task: terms.task }, { ditc: false, imc: false, glitc: false, pita: false });
  assert.is(onlyTask.ita, null);
  assert.ok(near(onlyTask.total.item(), 1));
  assert.equal(Object.keys(onlyTask.terms), ["task"]);
});

t("CORD weights: 0.8·task + 1.2·ita + 0.4·pita", () => {
  const { total } = alignmentLoss(makeTerms(), undefined, CORD_WEIGHTS);
  assert.ok(near(total.item(), 0.8 * 1 + 1.2 * 4.5 + 0.4 * 8));
});

t("a switched-on term that is missing is an error", () => {
  const { task, i2t, t2i } = makeTerms();
  assert.throws(() => alignmentLoss({ task, i2t, t2i }), /\[alignmentLoss\] loss imc .* i2i/);
  assert.throws(() => alignmentLoss({ task, i2t, t2i }, { ditc: true, imc: false, glitc: false, pita: true }), /\[alignmentLoss\] loss pita/);
});

t.run();
