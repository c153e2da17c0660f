// Module walking, state dicts, containers, dtype conversion and parameterCount.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tensor, tensor, zeros, nn, ShapeError } from "../../../engine/index.ts";

const { Module, Linear, LayerNorm, Sequential, ModuleList, Dropout, GELU, parameterCount } = nn;

class Block extends Module {
  fc = new Linear(3, 4);
  norm = new LayerNorm(4);
  drop = new Dropout(0.5);
  forward(x: Tensor): Tensor { return this.drop.forward(this.norm.forward(this.fc.forward(x))); }
}

class Net extends Module {
  embed = new Linear(2, 3, { bias: false });
  blocks = [new Block(), new Block()];
  head = new Linear(4, 3);
  scale = tensor([1], [1]).requiresGrad_();
  #cache = zeros([5]); // private state stays out of the walk
  constructor() {
    super();
    this.registerBuffer("steps", zeros([1]));
  }
  get cacheSize(): number { return this.#cache.numel; }
}

const t = suite("nn.Module");

t("nested modules and arrays are walked with dotted names, in order", () => {
  const net = new Net();
  assert.equal([...net.namedParameters()].map(([k]) => k), [
    "scale", "embed.weight",
    "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.0.norm.weight", "blocks.0.norm.bias",
    "blocks.1.fc.weight", "blocks.1.fc.bias", "blocks.1.norm.weight", "blocks.1.norm.bias",
    "head.weight", "head.bias",
  ]);
  assert.equal([...net.namedModules()].map(([k]) => k), ["", "embed", "blocks.0", "blocks.0.fc", "blocks.0.norm", "blocks.0.drop", "blocks.1", "blocks.1.fc", "blocks.1.norm", "blocks.1.drop", "head"]);
  assert.is(net.cacheSize, 5);
});

t("shared parameters and shared modules are counted once", () => {
  const net = new Net();
  net.blocks[1].fc = net.blocks[0].fc; // tied layer
  const names = [...net.namedParameters()].map(([k]) => k);
  assert.ok(!names.includes("blocks.1.fc.weight"));
  assert.is(new Set(net.parameters()).size, net.parameters().length);
  assert.is(parameterCount(net), 1 + 6 + (12 + 4 + 4 + 4) + (4 + 4) + 12 + 3);
  const tied = new Linear(2, 2);
  class Tied extends Module { a = tied; b = tied; }
  assert.is(parameterCount(new Tied()), 6);
  assert.equal([...new Tied().namedModules()].map(([k]) => k), ["", "a"]);
});

t("frozen parameters stay in parameters() and the state dict; trainableOnly counts skip them", () => {
  const lin = new Linear(2, 3);
  lin.requiresGrad_(false);
  assert.equal(Object.keys(lin.stateDict()), ["weight", "bias"]);
  assert.is(parameterCount(lin), 9);
  assert.is(parameterCount(lin, { trainableOnly: true }), 0);
  lin.requiresGrad_(true);
  assert.is(parameterCount(lin, { trainableOnly: true }), 9);
});

t("buffers are in the state dict with dotted names", () => {
  const net = new Net();
  net.blocks[0].registerBuffer("runningMean", zeros([4]));
  const keys = Object.keys(net.stateDict());
  assert.ok(keys.includes("steps"));
  assert.ok(keys.includes("blocks.0.runningMean"));
  assert.equal([...net.namedBuffers()].map(([k]) => k), ["steps", "blocks.0.runningMean"]);
  assert.throws(() => net.getBuffer("nope"), /\[getBuffer\] no buffer named nope/);
  assert.throws(() => net.setBuffer("steps", zeros([2])), /\[setBuffer\]/);
});

t("train/eval propagate to every descendant", () => {
  const net = new Net();
  assert.ok([...net.modules()].every((m) => m.training));
  net.eval();
  assert.ok([...net.modules()].every((m) => !m.training));
  net.blocks[1].train();
  assert.ok(net.blocks[1].drop.training && !net.blocks[0].drop.training && !net.training);
  const x = tensor([[1, 2, 3]]);
  net.eval();
  const a = net.blocks[0].forward(x).tolist();
  assert.equal(net.blocks[0].forward(x).tolist(), a); // dropout off in eval
});

t("state dict round trip copies values, not tensors", () => {
  const a = new Net();
  const b = new Net();
  a.getBuffer("steps").storage[0] = 7;
  b.loadStateDict(a.stateDict());
  for (const [k, v] of Object.entries(a.stateDict())) {
    assert.equal(Array.from(b.stateDict()[k].storage), Array.from(v.storage), k);
    assert.ok(b.stateDict()[k] !== v);
  }
  assert.is(b.getBuffer("steps").storage[0], 7);
});

t("strict load lists missing, unexpected and shape-mismatched keys", () => {
  const net = new Net();
  const sd = { ...net.stateDict() };
  delete sd["head.bias"];
  sd["extra.weight"] = zeros([2]);
  sd["embed.weight"] = zeros([4, 2]);
  try {
    net.loadStateDict(sd);
    assert.unreachable("should throw");
  } catch (e) {
    assert.instance(e, ShapeError);
    const msg = (e as Error).message;
    assert.ok(msg.startsWith("[loadStateDict]"), msg);
    assert.match(msg, /missing: head\.bias/);
    assert.match(msg, /unexpected: extra\.weight/);
    assert.match(msg, /embed\.weight: checkpoint \[4, 2\] vs model \[3, 2\]/);
  }
  const before = Array.from(net.embed.weight.storage);
  sd["scale"] = tensor([5], [1]);
  const res = net.loadStateDict(sd, { strict: false });
  assert.equal(res.missing, ["head.bias"]);
  assert.equal(res.unexpected, ["extra.weight"]);
  assert.is(res.mismatched.length, 1);
  assert.equal(Array.from(net.embed.weight.storage), before); // mismatched key left alone
  assert.is(net.scale.storage[0], 5);
});

t("Sequential and ModuleList name children 0, 1, ... like torch", () => {
  class M extends Module {
    seq = new Sequential(new Linear(2, 3), new GELU(), new Linear(3, 1));
    list = new ModuleList([new Linear(1, 1)]);
  }
  const m = new M();
  assert.equal(Object.keys(m.stateDict()), ["seq.0.weight", "seq.0.bias", "seq.2.weight", "seq.2.bias", "list.0.weight", "list.0.bias"]);
  assert.is(m.seq.length, 3);
  assert.is(m.seq.layers.length, 3);
  assert.equal(m.seq.forward(tensor([[1, 2]])).shape, [1, 1]);
  m.list.push(new Linear(1, 2));
  assert.ok(Object.keys(m.stateDict()).includes("list.1.bias"));
  assert.ok(m.list.at(-1) === [...m.list][1]);
  assert.throws(() => m.list.at(5), /\[ModuleList.at\] index 5 out of range/);
  m.eval();
  assert.ok(!m.list.at(0).training);
});

t("to('float64') converts parameters and buffers, keeps sharing and requiresGrad", () => {
  const net = new Net();
  net.blocks[1].fc = net.blocks[0].fc;
  const before = Array.from(net.blocks[0].fc.weight.storage);
  net.to("float64");
  for (const p of net.parameters()) { assert.is(p.dtype, "float64"); assert.ok(p.requiresGrad); }
  assert.is(net.getBuffer("steps").dtype, "float64");
  assert.ok(net.blocks[1].fc.weight === net.blocks[0].fc.weight);
  assert.equal(Array.from(net.blocks[0].fc.weight.storage), before);
  const y = net.blocks[0].forward(tensor(Float64Array.from([1, 2, 3]), [1, 3]));
  assert.is(y.dtype, "float64");
  assert.throws(() => net.to("int32"), /\[Module.to\]/);
});

t("zeroGrad clears every parameter's grad", () => {
  const lin = new Linear(2, 2);
  lin.forward(tensor([[1, 2]])).sum().backward();
  assert.ok(lin.weight.grad !== null);
  lin.zeroGrad();
  assert.ok(lin.parameters().every((p) => p.grad === null));
});

t.run();
