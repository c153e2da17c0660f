// Worker threads that run exported kernel functions on the shared wasm memory, so one kernel call can
// use every core while the engine's API stays synchronous: the main thread runs its share, then blocks
// in Atomics.wait until the workers are done. Workers are unref()'d and never keep the process alive.
// In a page (cross-origin isolated, so memory can be shared) the workers are Web Workers: they start only
// once the page's thread yields, so each is used from when it reports ready (ready() awaits them all), and
// the page's thread spins instead of Atomics.wait, which a page's main thread may not call.
import { Worker } from "node:worker_threads";

/** Bytes at the start of linear memory reserved for the control slots (one per worker). */
export const CONTROL_BYTES = 4096;
const SLOT = 32; // int32s per worker: seq, done, ready, error, fn, nargs, args…
const [SEQ, DONE, READY, ERROR, FN, NARGS, ARGS] = [0, 1, 2, 3, 4, 5, 6];
const MAX_ARGS = SLOT - ARGS;
export const MAX_WORKERS = CONTROL_BYTES / 4 / SLOT - 1;

/** The worker body, plain JS: instantiate the shared module, then serve calls forever. */
const WORKER_LOOP = `
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
Atomics.store(ctl, slot + ${READY}, 1);
Atomics.notify(ctl, slot + ${READY});
let seen = 0;
for (;;) {
  Atomics.wait(ctl, slot + ${SEQ}, seen);
  seen = Atomics.load(ctl, slot + ${SEQ});
  const args = [];
  for (let i = 0; i < ctl[slot + ${NARGS}]; i++) args.push(ctl[slot + ${ARGS} + i]);
  try { fns[ctl[slot + ${FN}]](...args); } catch (e) { Atomics.store(ctl, slot + ${ERROR}, 1); }
  Atomics.store(ctl, slot + ${DONE}, seen);
  Atomics.notify(ctl, slot + ${DONE});
}
`;
const NODE_SOURCE = `const { module, memory, slot, names } = require("node:worker_threads").workerData;\n${WORKER_LOOP}`;
const WEB_SOURCE = `self.onmessage = (e) => { const { module, memory, slot, names } = e.data;\n${WORKER_LOOP}\n};`;

/** Node (worker_threads), or a browser (Web Workers; the bundle stubs node:worker_threads). */
const inNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** The slice of the DOM's Worker, Blob and URL used here (the project compiles without the DOM lib). */
interface WebWorkerApi {
  Worker: new (url: string) => { postMessage(data: unknown): void; terminate(): void };
  Blob: new (parts: string[], options: { type: string }) => unknown;
  URL: { createObjectURL(blob: unknown): string };
}

export type Job = readonly [fn: string, args: readonly number[]];

export class WorkerPool {
  readonly #ctl: Int32Array;
  readonly #names: string[];
  readonly #run: (fn: string, args: readonly number[]) => void;
  readonly #workers: { terminate(): unknown }[] = [];
  readonly #module: WebAssembly.Module;
  readonly #memory: WebAssembly.Memory;

  constructor(module: WebAssembly.Module, memory: WebAssembly.Memory, names: string[], runLocal: (fn: string, args: readonly number[]) => void) {
    this.#module = module;
    this.#memory = memory;
    this.#names = names;
    this.#run = runLocal;
    this.#ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
  }

  /** Workers that have started (the main thread is not counted). */
  get size(): number { return this.#workers.length; }

  /** Starts workers until there are `n`; in Node, waiting (up to 5 s each) until they serve calls. */
  grow(n: number): void {
    const count = Math.min(n, MAX_WORKERS);
    while (this.#workers.length < count) {
      const slot = (this.#workers.length + 1) * SLOT;
      Atomics.store(this.#ctl, slot + READY, 0);
      const data = { module: this.#module, memory: this.#memory, slot, names: this.#names };
      if (!inNode) { this.#workers.push(startWebWorker(data)); continue; }
      const worker = new Worker(NODE_SOURCE, { eval: true, workerData: data });
      worker.unref();
      Atomics.wait(this.#ctl, slot + READY, 0, 5000);
      if (Atomics.load(this.#ctl, slot + READY) !== 1) { void worker.terminate(); throw new Error("[wasm] worker thread did not start"); }
      this.#workers.push(worker);
    }
  }

  /** Workers 1..k that serve calls (all started ones in Node; in a page, those that have started running). */
  #ready(): number {
    let k = 0;
    while (k < this.#workers.length && Atomics.load(this.#ctl, (k + 1) * SLOT + READY) === 1) k++;
    return k;
  }

  /** Resolves once every started worker serves calls (a page's Web Workers need its thread to yield first). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#ready() < this.#workers.length) {
      if (Date.now() > until) throw new Error(`[wasm] ${this.#workers.length - this.#ready()} worker threads did not start`);
      await new Promise((done) => setTimeout(done, 5));
    }
  }

  /** Runs jobs[0] here and jobs[1..] on workers 1.., returning when all are done. */
  run(jobs: readonly Job[]): void {
    const ctl = this.#ctl;
    const sent: number[] = [];
    const ready = this.#ready();
    for (let w = 1; w < jobs.length; w++) {
      if (w > ready) { this.#run(...jobs[w]); continue; }
      const slot = w * SLOT;
      const [fn, args] = jobs[w];
      if (args.length > MAX_ARGS) throw new Error(`[wasm] job ${fn} has ${args.length} args, max ${MAX_ARGS}`);
      ctl[slot + FN] = this.#names.indexOf(fn);
      ctl[slot + NARGS] = args.length;
      for (let i = 0; i < args.length; i++) ctl[slot + ARGS + i] = args[i];
      Atomics.add(ctl, slot + SEQ, 1);
      Atomics.notify(ctl, slot + SEQ);
      sent.push(w);
    }
    if (jobs.length > 0) this.#run(...jobs[0]);
    let failed = false;
    for (const w of sent) {
      const slot = w * SLOT;
      const seq = Atomics.load(ctl, slot + SEQ);
      for (let done = Atomics.load(ctl, slot + DONE); done !== seq; done = Atomics.load(ctl, slot + DONE)) {
        if (inNode) Atomics.wait(ctl, slot + DONE, done); // else spin: a page's thread may not wait
      }
      if (Atomics.exchange(ctl, slot + ERROR, 0) !== 0) failed = true;
    }
    if (failed) throw new Error("[wasm] a kernel trapped in a worker thread");
  }
}

/** A Web Worker running WEB_SOURCE, handed the module, memory and its slot; it reports READY when it runs. */
function startWebWorker(data: Record<string, unknown>): { terminate(): void } {
  const web = globalThis as unknown as WebWorkerApi;
  const worker = new web.Worker(web.URL.createObjectURL(new web.Blob([WEB_SOURCE], { type: "text/javascript" })));
  worker.postMessage(data);
  return worker;
}
