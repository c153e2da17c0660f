// TensorFlow.js peer from bench/peers/node_modules: `--backend=cpu|wasm [--threads=N]`. The wasm backend runs
// its SIMD (XNNPACK) build: with 1 thread (the default) the plain SIMD build, which is what Node gets out of
// the box (its multithread flag is false in Node); with N > 1 the threaded SIMD build, made to work in Node
// by bench/engines/tfjs_threads.ts. Results are read *outside* tf.tidy: dataSync() inside a tidy scope ran
// 10–20× slower here (0.9 GFLOP/s on W1, the earlier invalid numbers).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CE_SHAPE, ENCODER, SOFTMAX_SHAPE, runEngine } from "../harness.ts";
import { setWasmBackendThreaded } from "./tfjs_threads.ts";

const require = createRequire(join(import.meta.dirname, "../peers/package.json"));
// Typed loosely on purpose: the peer is optional and not a dependency of the library.
type Tf = Record<string, (...args: never[]) => unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
const tf = require("@tensorflow/tfjs") as Tf;
const backend = process.argv.find((a) => a.startsWith("--backend="))?.slice(10) ?? "cpu";
const threads = Number(process.argv.find((a) => a.startsWith("--threads="))?.slice(10) ?? 1);
/** Reports a failure the way bench/run.ts shows it (as the peer's cell text) and stops. */
const fail = (error: string): never => { console.log(`RESULT ${JSON.stringify({ error })}`); process.exit(0); };
if (backend === "wasm") {
  const wasm = require("@tensorflow/tfjs-backend-wasm") as Tf;
  wasm.setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm")) + "/");
  if (threads > 1) {
    const got = await setWasmBackendThreaded(tf, wasm, require, threads).catch((e: Error) => fail(`tfjs wasm ${threads} threads: ${e.message}`));
    if (got !== threads) fail(`tfjs wasm asked for ${threads} threads, XNNPACK got ${got}`);
    console.error(`tfjs-wasm: threaded SIMD build, XNNPACK threads = ${got}`);
  }
}
if (backend !== "wasm" || threads <= 1) {
  if (!(await tf.setBackend(backend)) || tf.getBackend() !== backend) fail(`tfjs backend ${backend} failed to initialise`);
  await tf.ready();
}

/** Runs f in a tidy scope, then reads every result back (forcing the work) and frees it. */
const run = (f: () => any): void => { const out = tf.tidy(f); for (const t of Array.isArray(out) ? out : [out]) { t.dataSync(); t.dispose(); } };
const mm = (s: number) => () => { const a = tf.randomNormal([s, s]), b = tf.randomNormal([s, s]); return () => run(() => tf.matMul(a, b)); };

function encoder() {
  const { batch: B, seq: T, hidden: H, heads: NH, mlp: M } = ENCODER;
  const D = H / NH;
  const v = (shape: number[], scale = 0.02) => tf.variable(tf.randomNormal(shape).mul(scale));
  const P = { ln1w: v([H], 1), ln1b: v([H]), ln2w: v([H], 1), ln2b: v([H]), wq: v([H, H]), wk: v([H, H]), wv: v([H, H]), wo: v([H, H]), w1: v([H, M]), w2: v([M, H]), bq: v([H]), bk: v([H]), bv: v([H]), bo: v([H]), b1: v([M]), b2: v([H]) };
  const ln = (x: any, w: any, b: any) => { const { mean, variance } = tf.moments(x, -1, true); return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(w).add(b); };
  const lin = (x: any, w: any, b: any) => x.reshape([-1, w.shape[0]]).matMul(w).add(b).reshape([...x.shape.slice(0, -1), w.shape[1]]);
  const heads = (t: any) => t.reshape([B, T, NH, D]).transpose([0, 2, 1, 3]);
  const gelu = (x: any) => x.mul(0.5).mul(tf.erf(x.mul(Math.SQRT1_2)).add(1));
  const x = tf.randomNormal([B, T, H]);
  const forward = () => {
    const h1 = ln(x, P.ln1w, P.ln1b);
    const [q, k, vv] = [heads(lin(h1, P.wq, P.bq)), heads(lin(h1, P.wk, P.bk)), heads(lin(h1, P.wv, P.bv))];
    const att = tf.softmax(tf.matMul(q, k, false, true).mul(1 / Math.sqrt(D)));
    const ctx = tf.matMul(att, vv).transpose([0, 2, 1, 3]).reshape([B, T, H]);
    const h = x.add(lin(ctx, P.wo, P.bo));
    return h.add(lin(gelu(lin(ln(h, P.ln2w, P.ln2b), P.w1, P.b1)), P.w2, P.b2));
  };
  return forward;
}

runEngine({
  w1_512: mm(512), w1_1024: mm(1024), w1_2048: mm(2048),
  w2_fwd: () => { const f = encoder(); return () => run(f); },
  w2_fwdbwd: () => { const f = encoder(); return () => run(() => { const { value, grads } = tf.variableGrads(() => f().mean()); return [value, ...Object.values(grads)]; }); },
  w3_softmax_fwd: () => { const x = tf.randomNormal([...SOFTMAX_SHAPE]); return () => run(() => tf.softmax(x)); },
  w3_softmax_fwdbwd: () => {
    const x = tf.randomNormal([...SOFTMAX_SHAPE]), w = tf.randomNormal([...SOFTMAX_SHAPE]);
    const g = tf.grad((t: any) => tf.softmax(t).mul(w).sum());
    return () => run(() => g(x));
  },
  w3_ce_fwd: () => { const x = tf.randomNormal([...CE_SHAPE]), y = tf.oneHot(tf.randomUniform([CE_SHAPE[0]], 0, CE_SHAPE[1], "int32"), CE_SHAPE[1]); return () => run(() => tf.losses.softmaxCrossEntropy(y, x)); },
  w3_ce_fwdbwd: () => {
    const x = tf.randomNormal([...CE_SHAPE]), y = tf.oneHot(tf.randomUniform([CE_SHAPE[0]], 0, CE_SHAPE[1], "int32"), CE_SHAPE[1]);
    const g = tf.grad((t: any) => tf.losses.softmaxCrossEntropy(y, t));
    return () => run(() => g(x));
  },
}, backend === "cpu" ? { w2_fwd: "too slow for the suite (~25 s per run, see the issue)", w2_fwdbwd: "too slow for the suite (~25 s per run)" } : {});
// The threaded build's worker pool keeps the event loop alive; stdout to a pipe is synchronous on Linux.
process.stdout.write("", () => process.exit(0));
