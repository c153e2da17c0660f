// Loading a training checkpoint: state.json is checked field by field (one-line FormatError naming the file and
// the field), and neither a "__proto__" key in state.json nor a tensor named optimizer.__proto__.x can reach
// Object.prototype.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FormatError, io, tensor } from "../../../engine/index.ts";
import { loadTrainingCheckpoint } from "../../../src/train/checkpoint.ts";
import { Trainer, LAST_DIR } from "../../../src/train/trainer.ts";
import { micro, syntheticSetup } from "./fixtures.ts";

const t = suite("state.json validation");
const out = mkdtempSync(join(tmpdir(), "aetnet-state-"));
new Trainer({ config: micro, ...syntheticSetup(2, 1), outDir: out, stopAfter: 1, progress: null, print: () => {} }).fit();
const good = io.loadCheckpoint(join(out, LAST_DIR));

type Json = Record<string, unknown>;
const clone = (): Json => JSON.parse(JSON.stringify(good.state)) as Json;
let n = 0;
/** A checkpoint folder holding `state` and the good weights (plus `extra` tensors), consistently hashed. */
function checkpointWith(state: unknown, extra: Record<string, ReturnType<typeof tensor>> = {}): string {
  const dir = join(out, `case-${n++}`);
  io.saveCheckpoint(dir, { weights: { ...good.weights, ...extra }, state, metadata: { format: "aetnet-train-v1" } });
  return dir;
}
const unpolluted = (): void => {
  for (const k of ["polluted", "x", "lr"]) assert.not.ok(k in Object.prototype, `Object.prototype.${k} was set`);
};
const refused = (field: RegExp) => (e: unknown) =>
  e instanceof FormatError && /state\.json: not an aetnet-train-v1 training checkpoint/.test(e.message) && field.test(e.message) && !e.message.includes("\n");

t("the good checkpoint loads", () => {
  assert.is(loadTrainingCheckpoint(join(out, LAST_DIR)).state.step, 1);
});

t("__proto__ keys in state.json are refused and pollute nothing", () => {
  const withProto = (at: (s: Json) => Json): unknown => { const s = clone(); const target = at(s); Object.defineProperty(target, "__proto__", { value: JSON.parse('{"polluted": 1, "lr": 5}'), enumerable: true }); return s; };
  for (const state of [
    withProto((s) => s),
    withProto((s) => (s.optimizer as Json).numbers as Json),
    withProto((s) => ((s.optimizer as Json).numbers as Json)["0"] as Json ?? s),
    withProto((s) => s.settings as Json),
  ]) {
    assert.throws(() => loadTrainingCheckpoint(checkpointWith(state)), refused(/"__proto__"/));
    unpolluted();
  }
});

t("optimizer tensors named optimizer.__proto__.x (or not <index>.<name>) are refused and pollute nothing", () => {
  for (const name of ["optimizer.__proto__.x", "optimizer.0.__proto__", "optimizer.constructor.x", "optimizer.0.a.b", "optimizer.1e3.x"]) {
    const dir = checkpointWith(clone(), { [name]: tensor([1, 2]) });
    assert.throws(() => loadTrainingCheckpoint(dir), (e: unknown) => e instanceof FormatError && /optimizer state/.test(e.message) && e.message.includes(JSON.stringify(name.slice("optimizer.".length))), name);
    unpolluted();
  }
});

t("malformed fields deep inside are one-line FormatErrors naming the field", () => {
  const cases: [(s: Json) => void, RegExp][] = [
    [(s) => { (s.settings as Json).lr = "fast"; }, /state\.settings\.lr must be a finite number, got "fast"/],
    [(s) => { delete s.settings; }, /state\.settings must be an object/],
    [(s) => { ((s.config as Json).fusion as Json).hidden = 1.5; }, /state\.config\.fusion\.hidden must be an integer/],
    [(s) => { (s.history as Json).steps = {}; }, /state\.history\.steps must be an array/],
    [(s) => { ((s.rng as Json).global as Json).words = [1, 2]; }, /state\.rng\.global\.words must be an array of 4/],
    [(s) => { (s.tokenizer as Json).merges = [["a"]]; }, /state\.tokenizer\.merges\[0\] must be an array of 2/],
    [(s) => { s.best = { x: 1 }; }, /state\.best\.documentAccuracy must be a finite number/],
    [(s) => { ((s.optimizer as Json).paramGroups as Json[])[0].lr = { a: 1 }; }, /state\.optimizer\.paramGroups\[0\]\.lr must be an array/],
    [(s) => { s.step = -1; }, /state\.step must be an integer ≥ 0/],
  ];
  for (const [mutate, field] of cases) {
    const s = clone();
    mutate(s);
    assert.throws(() => loadTrainingCheckpoint(checkpointWith(s)), refused(field), String(field));
  }
});

t.run();
