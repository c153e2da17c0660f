import { suite } from "uvu";
import * as assert from "uvu/assert";
import { getEntities, seqevalReport } from "../../../src/train/seqeval.ts";

const t = suite("seqeval");
const spans = (seq: string[]) => getEntities(seq).map((e) => `${e.type}:${e.start}-${e.end}`);
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

t("get_entities: lenient IOB2 rules", () => {
  assert.equal(spans(["I-A", "I-A", "O"]), ["A:0-1"]); // I- without B- starts an entity
  assert.equal(spans(["B-A", "I-B"]), ["A:0-0", "B:1-1"]); // a type switch starts a new one
  assert.equal(spans(["I-A", "I-B", "I-B"]), ["A:0-0", "B:1-2"]);
  assert.equal(spans(["B-A", "B-A"]), ["A:0-0", "A:1-1"]); // B- always starts
  assert.equal(spans(["O", "B-A", "I-A"]), ["A:1-2"]); // an entity may end at the sequence end
  assert.equal(spans(["B-A", "O", "I-A"]), ["A:0-0", "A:2-2"]); // O ends it; the later I- starts another
  assert.equal(spans(["O", "O"]), []);
  assert.equal(spans(["B-A-B", "I-A-B"]), ["A-B:0-1"]); // the type is everything after the first "-"
  assert.equal(spans(["B", "I"]), ["_:0-1"]); // no type → "_"
  assert.equal(spans(["S-A", "B-A", "E-A", "I-A"]), ["A:0-0", "A:1-2", "A:3-3"]); // IOBES tags follow the same tables
});

t("micro scores, per-type scores and token accuracy (seqeval README example)", () => {
  const r = seqevalReport(
    [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
    [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]],
  );
  close(r.precision, 0.5); close(r.recall, 0.5); close(r.f1, 0.5); close(r.accuracy, 0.8); // tokens 2 and 3 of the first sequence differ: 8 of 10
  assert.equal(r.perType, { MISC: { precision: 0, recall: 0, f1: 0, support: 1 }, PER: { precision: 1, recall: 1, f1: 1, support: 1 } });
});

t("a predicted type that is absent from gold counts against precision", () => {
  const r = seqevalReport([["B-A", "I-A", "O", "B-B"]], [["B-A", "I-A", "O", "B-A"]]);
  close(r.precision, 0.5); close(r.recall, 0.5); close(r.f1, 0.5);
  close(r.perType.A.precision, 0.5); close(r.perType.A.recall, 1); close(r.perType.A.f1, 2 / 3);
  assert.equal(r.perType.B, { precision: 0, recall: 0, f1: 0, support: 1 });
  const extra = seqevalReport([["B-A", "O", "O"]], [["B-A", "O", "B-A"]]);
  close(extra.precision, 0.5); close(extra.recall, 1); close(extra.f1, 2 / 3);
});

t("zero division gives 0; sequences never share an entity; lengths must match", () => {
  const none = seqevalReport([["B-A", "O"]], [["O", "O"]]);
  assert.equal([none.precision, none.recall, none.f1], [0, 0, 0]);
  const split = seqevalReport([["I-A"], ["I-A"]], [["B-A"], ["I-A"]]);
  assert.equal([split.trueEntities, split.f1], [2, 1]);
  assert.throws(() => seqevalReport([["O"]], [["O", "O"]]), /sequence 0: 1 gold tags but 2 predicted/);
  assert.throws(() => seqevalReport([["O"]], []), /1 gold sequences but 0 predicted/);
});

t.run();
