// Atomic writes (failures injected at every step leave the old file and no temp file), checkpoints and module save/load.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, nn, tensor, FormatError, ShapeError, manualSeed } from "../../../engine/index.ts";
import type { AtomicFs } from "../../../engine/io/index.ts";

const t = suite("io/checkpoint");
let dir = "";
t.before.each(() => { dir = fs.mkdtempSync(join(tmpdir(), "io-ckpt-")); });
t.after.each(() => { fs.rmSync(dir, { recursive: true, force: true }); });

/** Real fs, except that `step` throws (writeSync after writing half its bytes, to mimic a crash mid-write). */
function failingFs(step: keyof AtomicFs): AtomicFs {
  const boom = (): never => { throw new Error(`injected ${step} failure`); };
  return {
    openSync: step === "openSync" ? boom : fs.openSync,
    writeSync: step === "writeSync"
      ? (fd, data, offset, length) => { fs.writeSync(fd, data, offset, Math.max(1, length >> 1)); return boom(); }
      : (fd, data, offset, length) => fs.writeSync(fd, data, offset, length),
    fsyncSync: step === "fsyncSync" ? boom : fs.fsyncSync,
    closeSync: fs.closeSync,
    renameSync: step === "renameSync" ? boom : fs.renameSync,
    unlinkSync: fs.unlinkSync,
  };
}

t("writeFileAtomic writes strings and bytes, replacing the old content", () => {
  const path = join(dir, "a.txt");
  io.writeFileAtomic(path, "old");
  io.writeFileAtomic(path, Uint8Array.of(110, 101, 119));
  assert.is(fs.readFileSync(path, "utf8"), "new");
  assert.equal(fs.readdirSync(dir), ["a.txt"]);
});

for (const step of ["openSync", "writeSync", "fsyncSync", "renameSync"] as const) {
  t(`a failing ${step} leaves the old file intact and no temp file behind`, () => {
    const path = join(dir, "model.safetensors");
    io.saveSafetensors(path, { w: tensor([1, 2, 3]) });
    const before = fs.readFileSync(path);
    const big = new Uint8Array(1 << 16).fill(7);
    assert.throws(() => io.writeFileAtomic(path, big, { fs: failingFs(step) }), new RegExp(`injected ${step} failure`));
    assert.equal(fs.readFileSync(path), before);
    assert.equal(fs.readdirSync(dir), ["model.safetensors"]);
    assert.equal(Array.from(io.loadSafetensors(path).tensors.w.storage), [1, 2, 3]);
  });
}

t("rename onto a directory fails cleanly (real fs, no injection)", () => {
  const path = join(dir, "taken");
  fs.mkdirSync(path);
  fs.writeFileSync(join(path, "keep"), "x");
  assert.throws(() => io.writeFileAtomic(path, "data"));
  assert.equal(fs.readdirSync(dir), ["taken"]);
  assert.is(fs.readFileSync(join(path, "keep"), "utf8"), "x");
});

t("checkpoint round trip creates the directory and keeps weights, state and metadata exact", () => {
  const ckpt = join(dir, "run", "step_10");
  const weights = { "encoder.w": tensor([[0.1, -0.2], [3, 4]]), step: tensor(Int32Array.of(10), []), m: tensor(Float64Array.of(1 / 3), [1]) };
  const state = { step: 10, lr: 3e-4, history: [1.5, 1.25], optimizer: { betas: [0.9, 0.999], name: "adamw" }, done: false, note: null };
  io.saveCheckpoint(ckpt, { weights, state, metadata: { config: "tiny" } });
  assert.equal(fs.readdirSync(ckpt).sort(), ["model.safetensors", "state.json"]);
  const back = io.loadCheckpoint(ckpt);
  assert.equal(back.state, state);
  assert.is(back.metadata.config, "tiny");
  for (const [k, v] of Object.entries(weights)) {
    assert.is(back.weights[k].dtype, v.dtype, k);
    assert.equal(Array.from(back.weights[k].storage), Array.from(v.storage), k);
  }
  // Saving again over the same directory replaces both files.
  io.saveCheckpoint(ckpt, { weights: { w: tensor([9]) }, state: { step: 11 } });
  assert.equal(io.loadCheckpoint(ckpt).state, { step: 11 });
  assert.equal(fs.readdirSync(ckpt).sort(), ["model.safetensors", "state.json"]);
});

t("a version folder whose state and weights come from different saves is detected", () => {
  const ck = join(dir, "ck");
  io.saveCheckpoint(ck, { weights: { w: tensor([1]) }, state: { step: 1 } });
  const oldWeights = fs.readFileSync(join(ck, "model.safetensors"));
  io.saveCheckpoint(ck, { weights: { w: tensor([2]) }, state: { step: 2 } });
  fs.writeFileSync(join(ck, "model.safetensors"), oldWeights);
  // the newest is unreadable: the previous version is read instead, and the reason is reported
  const back = io.loadCheckpoint(ck);
  assert.equal(back.state, { step: 1 });
  assert.match(back.fellBack?.reason ?? "", /state\.json does not belong to model\.safetensors/);
  fs.rmSync(join(dir, "ck.v1"), { recursive: true });
  assert.throws(() => io.loadCheckpoint(ck), (e: unknown) => e instanceof FormatError && /state\.json does not belong to model\.safetensors/.test(e.message));
});

t("two-phase commit: the name is a pointer to a complete version folder; the previous version is kept", () => {
  const ck = join(dir, "last");
  for (let step = 1; step <= 3; step++) io.saveCheckpoint(ck, { weights: { w: tensor([step]) }, state: { step } });
  assert.ok(fs.lstatSync(ck).isSymbolicLink());
  assert.is(fs.readlinkSync(ck), "last.v3");
  assert.equal(fs.readdirSync(dir).sort(), ["last", "last.v2", "last.v3"]);
  assert.equal(fs.readdirSync(ck).sort(), ["model.safetensors", "state.json"]);
  const back = io.loadCheckpoint(ck);
  assert.equal([back.state, back.folder, back.fellBack], [{ step: 3 }, join(dir, "last.v3"), undefined]);
  // a pointer lost (a crash before the first switch): the newest complete version is found
  fs.unlinkSync(ck);
  assert.is(io.findCheckpoint(ck), join(dir, "last.v3"));
  assert.equal(io.loadCheckpoint(ck).state, { step: 3 });
  io.saveCheckpoint(ck, { weights: { w: tensor([4]) }, state: { step: 4 } });
  assert.is(fs.readlinkSync(ck), "last.v4");
});

t("stale temp entries of dead writers are removed by the next save; live ones are left alone", () => {
  const ck = join(dir, "last");
  const dead = join(dir, ".last.tmp-999999999-0badcafe"), live = join(dir, `.last.tmp-${process.pid}-0000beef`);
  fs.mkdirSync(dead);
  fs.writeFileSync(join(dead, "state.json"), "{}");
  fs.writeFileSync(live, "x");
  assert.is(io.findCheckpoint(ck), null, "a temp folder is not a checkpoint");
  io.saveCheckpoint(ck, { weights: {}, state: { step: 1 } });
  assert.ok(!fs.existsSync(dead));
  assert.ok(fs.existsSync(live));
  assert.equal(io.removeStaleTemps(dir), []);
});

t("a plain checkpoint folder (the layout before pointers) becomes the first version", () => {
  const ck = join(dir, "best");
  fs.mkdirSync(ck);
  io.saveSafetensors(join(ck, "model.safetensors"), { w: tensor([7]) });
  fs.writeFileSync(join(ck, "state.json"), JSON.stringify({ step: 7 }));
  assert.equal(io.loadCheckpoint(ck).state, { step: 7 });
  io.saveCheckpoint(ck, { weights: { w: tensor([8]) }, state: { step: 8 } });
  assert.equal(fs.readdirSync(dir).sort(), ["best", "best.v1", "best.v2"]);
  assert.equal(io.loadCheckpoint(ck).state, { step: 8 });
  const other = join(dir, "notes");
  fs.mkdirSync(other);
  fs.writeFileSync(join(other, "readme.txt"), "mine");
  assert.throws(() => io.saveCheckpoint(other, { weights: {}, state: {} }), /exists and is not a checkpoint/);
  assert.is(fs.readFileSync(join(other, "readme.txt"), "utf8"), "mine");
});

t("loadCheckpoint: clear errors for a missing directory, a file, missing files and bad JSON", () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof FormatError && e.message.startsWith("[loadCheckpoint]") && re.test(e.message);
  assert.throws(() => io.loadCheckpoint(join(dir, "nope")), is(/nope: checkpoint directory does not exist/));
  fs.writeFileSync(join(dir, "file"), "x");
  assert.throws(() => io.loadCheckpoint(join(dir, "file")), is(/is a file, expected a checkpoint directory/));
  const ck = join(dir, "ck");
  io.saveCheckpoint(ck, { weights: {}, state: {} });
  fs.rmSync(join(ck, "model.safetensors"));
  assert.throws(() => io.loadCheckpoint(ck), is(/model\.safetensors: missing/));
  fs.rmSync(join(ck, "state.json"));
  assert.throws(() => io.loadCheckpoint(ck), is(/state\.json: missing/));
  io.saveSafetensors(join(ck, "model.safetensors"), {});
  fs.writeFileSync(join(ck, "state.json"), "{oops");
  assert.throws(() => io.loadCheckpoint(ck), is(/state\.json: not valid JSON/));
});

t("saveCheckpoint refuses state JSON cannot hold exactly, naming the path", () => {
  const is = (re: RegExp) => (e: unknown) => e instanceof FormatError && re.test(e.message);
  const ck = join(dir, "ck");
  assert.throws(() => io.saveCheckpoint(ck, { weights: {}, state: { loss: NaN } }), is(/state\.loss is NaN/));
  assert.throws(() => io.saveCheckpoint(ck, { weights: {}, state: { a: [1, undefined] } }), is(/state\.a\[1\] is of type undefined/));
  assert.throws(() => io.saveCheckpoint(ck, { weights: {}, state: { t: tensor([1]) } }), is(/state\.t is a Tensor instance/));
  assert.equal(fs.readdirSync(dir), []);
});

t("saveModule / loadModule round trip, strict and non-strict", () => {
  manualSeed(0);
  const a = new nn.Linear(3, 2);
  const path = join(dir, "lin.safetensors");
  io.saveModule(path, a, { arch: "linear" });
  const b = new nn.Linear(3, 2);
  const res = io.loadModule(path, b);
  assert.equal(Array.from(b.weight.storage), Array.from(a.weight.storage));
  assert.equal(Array.from(b.bias!.storage), Array.from(a.bias!.storage));
  assert.is(res.metadata.arch, "linear");
  const c = new nn.Linear(3, 2, { bias: false });
  assert.throws(() => io.loadModule(path, c), (e: unknown) => e instanceof ShapeError);
  assert.equal(io.loadModule(path, c, { strict: false }).unexpected, ["bias"]);
  assert.equal(Array.from(c.weight.storage), Array.from(a.weight.storage));
});

t.run();
