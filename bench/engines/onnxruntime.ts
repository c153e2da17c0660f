// ONNX Runtime (onnxruntime-node, CPU execution provider) peer: forward-only workloads as one-op graphs
// written by bench/engines/onnx_proto.ts (MatMul for W1, Softmax for W3). 2 intra-op threads, as the
// other 2-thread columns. No training API in the Node package, so no backward workloads.
import { createRequire } from "node:module";
import { join } from "node:path";
import { SOFTMAX_SHAPE, WORKLOADS, runEngine, type Measurement } from "../harness.ts";
import { oneOpModel, type OneOpGraph } from "./onnx_proto.ts";

const require = createRequire(join(import.meta.dirname, "../peers/package.json"));
// Typed loosely on purpose: the peer is optional and not a dependency of the library.
const ort = require("onnxruntime-node") as { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

const random = (n: number): Float32Array => Float32Array.from({ length: n }, () => Math.random() * 2 - 1);

/** A session for the graph and its random feeds; runSync is not offered, so each run is awaited. */
async function prepare(graph: OneOpGraph): Promise<() => Promise<void>> {
  const session = await ort.InferenceSession.create(oneOpModel(graph), { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: "all" });
  const feeds = Object.fromEntries(Object.entries(graph.inputs).map(([n, s]) => [n, new ort.Tensor("float32", random(s.reduce((a, b) => a * b, 1)), [...s])]));
  return async () => { await session.run(feeds); };
}

/** Times an async run in a plain loop (benchmark.js is synchronous): ≥ 3 runs, up to ~0.5 s (quick) or 3 s. */
async function time(run: () => Promise<void>, quick: boolean): Promise<Measurement> {
  await run();
  const s: number[] = [];
  const start = performance.now();
  while (s.length < 3 || (performance.now() - start < (quick ? 500 : 3000) && s.length < 50)) {
    const t0 = performance.now(); await run(); s.push((performance.now() - t0) / 1000);
  }
  s.sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (s.length - 1));
  return { median: s[s.length >> 1], min: s[0], max: s[s.length - 1], rme: (100 * 1.96 * sd) / Math.sqrt(s.length) / mean, samples: s.length };
}

const quick = process.argv.includes("--quick");
const mm = (s: number): OneOpGraph => ({ op: "MatMul", inputs: { A: [s, s], B: [s, s] }, output: ["Y", [s, s]] });
const sm: OneOpGraph = { op: "Softmax", inputs: { X: [...SOFTMAX_SHAPE] }, output: ["Y", [...SOFTMAX_SHAPE]] };
const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const want = (id: string): boolean => (!only || only.includes(id)) && (!quick || WORKLOADS.some((w) => w.id === id && w.quick));
const ready: Record<string, Measurement> = {};
for (const [id, g] of [["w1_512", mm(512)], ["w1_1024", mm(1024)], ["w1_2048", mm(2048)], ["w3_softmax_fwd", sm]] as const) {
  if (want(id)) ready[id] = await time(await prepare(g), quick);
}
runEngine({}, { w2_fwd: "not built (one-op graphs only)", w2_fwdbwd: "forward only (no training API in onnxruntime-node)", w3_softmax_fwdbwd: "forward only", w3_ce_fwdbwd: "forward only" }, ready);
