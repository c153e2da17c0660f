// Worker threads that run exported kernel functions on the shared wasm memory, so one kernel call can
// use every core while the engine's API stays synchronous: the main thread runs its share, then blocks
// in Atomics.wait until the workers are done. Workers are unref()'d and never keep the process alive.
import { Worker } from "node:worker_threads";

/** Bytes at the start of linear memory reserved for the control slots (one per worker). */
export const CONTROL_BYTES = 4096;
const SLOT = 32; // int32s per worker: seq, done, ready, error, fn, nargs, args…
const [SEQ, DONE, READY, ERROR, FN, NARGS, ARGS] = [0, 1, 2, 3, 4, 5, 6];
const MAX_ARGS = SLOT - ARGS;
export const MAX_WORKERS = CONTROL_BYTES / 4 / SLOT - 1;

/** The worker body, plain JS: instantiate the shared module, then serve calls forever. */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, slot, names } = workerData;
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

export type Job = readonly [fn: string, args: readonly number[]];

export class WorkerPool {
  readonly #ctl: Int32Array;
  readonly #names: string[];
  readonly #run: (fn: string, args: readonly number[]) => void;
  readonly #workers: Worker[] = [];
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

  /** Starts workers until there are `n`, waiting (up to 5 s each) until they serve calls. */
  grow(n: number): void {
    const count = Math.min(n, MAX_WORKERS);
    while (this.#workers.length < count) {
      const slot = (this.#workers.length + 1) * SLOT;
      Atomics.store(this.#ctl, slot + READY, 0);
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module: this.#module, memory: this.#memory, slot, names: this.#names } });
      worker.unref();
      Atomics.wait(this.#ctl, slot + READY, 0, 5000);
      if (Atomics.load(this.#ctl, slot + READY) !== 1) { void worker.terminate(); throw new Error("[wasm] worker thread did not start"); }
      this.#workers.push(worker);
    }
  }

  /** Runs jobs[0] here and jobs[1..] on workers 1.., returning when all are done. */
  run(jobs: readonly Job[]): void {
    const ctl = this.#ctl;
    const sent: number[] = [];
    for (let w = 1; w < jobs.length; w++) {
      if (w > this.#workers.length) { this.#run(...jobs[w]); continue; }
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
      for (let done = Atomics.load(ctl, slot + DONE); done !== seq; done = Atomics.load(ctl, slot + DONE)) Atomics.wait(ctl, slot + DONE, done);
      if (Atomics.exchange(ctl, slot + ERROR, 0) !== 0) failed = true;
    }
    if (failed) throw new Error("[wasm] a kernel trapped in a worker thread");
  }
}
