// Worker threads that run exported kernel functions on the shared wasm memory, so one kernel call can
// use every core while the engine's API stays synchronous. One call is a list of independent jobs written to
// the control block; every thread (the calling one included) claims the next unclaimed job from one atomic
// word until none is left, so whichever thread is free takes the next job: a worker that wakes late, or is
// busy elsewhere, leaves its share to the others instead of making them wait. The caller then waits until
// every claimed job has finished. Only the first `active` workers (setActive) claim jobs, so lowering the
// thread count limits how many threads run even though started workers stay. Waiting first spins for a
// bounded time (back-to-back kernels then cost no futex wake-up), then blocks in Atomics.wait. Workers are
// unref()'d and never keep the process alive.
// In a page (cross-origin isolated, so memory can be shared) the workers are Web Workers: they start only
// once the page's thread yields (ready() awaits them), and the page's thread spins instead of Atomics.wait,
// which a page's main thread may not call.
import { Worker } from "node:worker_threads";

/** Bytes at the start of linear memory reserved for the control block: header, ready flags, job table. */
export const CONTROL_BYTES = 16384;
/**
 * Header words: CLAIM = jobs << 16 | next job to claim; PENDING = jobs not yet finished; SEQ = calls posted;
 * ERROR = a job of this call threw; ACTIVE = how many workers (numbers 1..ACTIVE) claim jobs.
 */
const [CLAIM, PENDING, SEQ, ERROR, ACTIVE] = [0, 1, 2, 3, 4];
const READY = 32; // READY + w: worker w (1-based) serves calls
export const MAX_WORKERS = 31;
// Job j at JOBS + j·JOB: fn index, arg count, args…, and in its last word the thread that ran it (0: the
// calling thread, else the worker's number). claimJobs spells these as literals.
const JOBS = 64;
const JOB = 32;
if (CLAIM !== 0 || PENDING !== 1 || ERROR !== 3 || JOBS !== 64 || JOB !== 32) {
  throw new Error("[wasm] pool layout out of sync with claimJobs");
}
const MAX_ARGS = JOB - 3;
/** Jobs one call may post: a caller splitting finer than this gets a typed error, never a silent wrong split. */
export const MAX_JOBS = (CONTROL_BYTES / 4 - JOBS) / JOB;
/**
 * How long a thread spins on the control block before it sleeps in Atomics.wait: about the gap between two
 * kernels of a training step, so back-to-back calls skip the 20–50 µs futex wake-up, while an idle pool stops
 * using the CPU within this time.
 */
export const SPIN_MS = 0.1;

/**
 * The claim loop, run by the workers (as source) and by the calling thread alike: take job `next` with
 * compareExchange on the CLAIM word, run it, record which thread ran it, count it done (PENDING), flag a throw
 * (ERROR). The word holds the job count too, so a thread that read a finished call's word fails its exchange
 * on a newer call unless that call has the same job count and next job; then the exchange succeeds, which is
 * harmless: the job table is read after the claim (and written before the word is published), so the job it
 * runs is the newer call's. The layout is written as literals (CLAIM 0, PENDING 1, ERROR 3, JOBS 64, JOB 32,
 * the runner at JOB − 1 = 31): this function's source is also the workers' code.
 */
function claimJobs(ctl: Int32Array, fns: ((...args: number[]) => unknown)[], args: number[], thread: number): void {
  for (;;) {
    const word = Atomics.load(ctl, 0);
    const next = word & 0xffff;
    if (next >= word >>> 16) return;
    if (Atomics.compareExchange(ctl, 0, word, word + 1) !== word) continue;
    const at = 64 + next * 32;
    const n = ctl[at + 1];
    args.length = n;
    for (let i = 0; i < n; i++) args[i] = ctl[at + 2 + i];
    ctl[at + 31] = thread;
    try { fns[ctl[at]](...args); } catch { Atomics.store(ctl, 3, 1); }
    if (Atomics.sub(ctl, 1, 1) === 1) Atomics.notify(ctl, 1);
  }
}

/** Spins up to `ms` while ctl[i] === value; true when it changed (then no Atomics.wait is needed). */
function spinWhile(ctl: Int32Array, i: number, value: number, ms: number): boolean {
  const until = performance.now() + ms;
  for (let n = 0; ; n++) {
    if (Atomics.load(ctl, i) !== value) return true;
    if ((n & 63) === 63 && performance.now() > until) return false;
  }
}

/**
 * The worker body, plain JS: instantiate the shared module, then serve calls forever; a worker numbered above
 * ACTIVE sleeps on that word instead of claiming. It is built from claimJobs' and spinWhile's source text, so
 * code instrumentation that rewrites functions (coverage tools) breaks the workers.
 */
const WORKER_LOOP = `
const instance = new WebAssembly.Instance(module, { env: { memory } });
const fns = names.map((n) => instance.exports[n]);
const ctl = new Int32Array(memory.buffer, 0, ${CONTROL_BYTES / 4});
const args = [];
const claimJobs = ${claimJobs.toString()};
const spinWhile = ${spinWhile.toString()};
let seen = Atomics.load(ctl, ${SEQ});
Atomics.store(ctl, ${READY} + worker, 1);
Atomics.notify(ctl, ${READY} + worker);
for (;;) {
  const active = Atomics.load(ctl, ${ACTIVE});
  if (worker > active) {
    Atomics.wait(ctl, ${ACTIVE}, active);
    seen = Atomics.load(ctl, ${SEQ});
    continue;
  }
  if (!spinWhile(ctl, ${SEQ}, seen, ${SPIN_MS})) Atomics.wait(ctl, ${SEQ}, seen);
  seen = Atomics.load(ctl, ${SEQ});
  if (worker <= Atomics.load(ctl, ${ACTIVE})) claimJobs(ctl, fns, args, worker);
}
`;
const NODE_SOURCE =
  `const { module, memory, worker, names } = require("node:worker_threads").workerData;\n${WORKER_LOOP}`;
const WEB_SOURCE = `self.onmessage = (e) => { const { module, memory, worker, names } = e.data;\n${WORKER_LOOP}\n};`;

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
  readonly #index: Map<string, number>;
  readonly #fns: ((...args: number[]) => unknown)[];
  readonly #args: number[] = [];
  readonly #workers: { terminate(): unknown }[] = [];
  readonly #module: WebAssembly.Module;
  readonly #memory: WebAssembly.Memory;

  /** `fns[i]` runs export `names[i]` on this thread. */
  constructor(
    module: WebAssembly.Module, memory: WebAssembly.Memory, names: string[], fns: ((...args: number[]) => unknown)[],
  ) {
    this.#module = module;
    this.#memory = memory;
    this.#names = names;
    this.#index = new Map(names.map((n, i) => [n, i]));
    this.#fns = fns;
    this.#ctl = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
  }

  /** Workers that have started (the main thread is not counted). */
  get size(): number { return this.#workers.length; }

  /** Workers that claim jobs (the main thread is not counted): the first n started ones; the rest sleep. */
  get active(): number { return Math.min(Atomics.load(this.#ctl, ACTIVE), this.#workers.length); }

  /**
   * Lets only workers 1..n claim jobs. Every waiting worker is woken: one that became active then waits for
   * calls, one that became inactive then sleeps on ACTIVE, so a call's wake-ups reach only active workers.
   * Called between calls (run() is synchronous), so no job is in flight on a worker being turned off.
   */
  setActive(n: number): void {
    Atomics.store(this.#ctl, ACTIVE, Math.max(0, Math.min(n, this.#workers.length)));
    Atomics.notify(this.#ctl, ACTIVE);
    Atomics.notify(this.#ctl, SEQ);
  }

  /** Which thread ran each of the last call's first `count` jobs: 0 the calling thread, else a worker's number. */
  jobThreads(count: number): number[] {
    const last = (j: number): number => Atomics.load(this.#ctl, JOBS + j * JOB + JOB - 1);
    return Array.from({ length: Math.min(count, MAX_JOBS) }, (_, j) => last(j));
  }

  /** Starts workers until there are `n`; in Node, waiting (up to 5 s each) until they serve calls. */
  grow(n: number): void {
    const count = Math.min(n, MAX_WORKERS);
    while (this.#workers.length < count) {
      const worker = this.#workers.length + 1;
      Atomics.store(this.#ctl, READY + worker, 0);
      const data = { module: this.#module, memory: this.#memory, worker, names: this.#names };
      if (!inNode) { this.#workers.push(startWebWorker(data)); continue; }
      const thread = new Worker(NODE_SOURCE, { eval: true, workerData: data });
      thread.unref();
      Atomics.wait(this.#ctl, READY + worker, 0, 5000);
      if (Atomics.load(this.#ctl, READY + worker) !== 1) {
        void thread.terminate();
        throw new Error("[wasm] worker thread did not start");
      }
      this.#workers.push(thread);
    }
  }

  /** Workers that serve calls (all started ones in Node; in a page, those that have started running). */
  #ready(): number {
    let k = 0;
    for (let w = 1; w <= this.#workers.length; w++) k += Atomics.load(this.#ctl, READY + w);
    return k;
  }

  /** Resolves once every started worker serves calls (a page's Web Workers need its thread to yield first). */
  async ready(timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#ready() < this.#workers.length) {
      if (Date.now() > until) {
        throw new Error(`[wasm] ${this.#workers.length - this.#ready()} worker threads did not start`);
      }
      await new Promise((done) => setTimeout(done, 5));
    }
  }

  /**
   * Runs every job, each exactly once, on whichever threads are free (this one included); returns when all
   * are done. Jobs must be independent of each other and of which thread runs them (scratch per job, not per
   * thread); a worker that has not started yet, or is not active, simply takes none.
   */
  run(jobs: readonly Job[]): void {
    const ctl = this.#ctl;
    if (jobs.length > MAX_JOBS) throw new Error(`[wasm] ${jobs.length} jobs in one call, max ${MAX_JOBS}`);
    for (let j = 0; j < jobs.length; j++) {
      const [fn, args] = jobs[j];
      const at = JOBS + j * JOB;
      const index = this.#index.get(fn);
      if (index === undefined) throw new Error(`[wasm] job ${fn} is not a kernel of the module`);
      if (args.length > MAX_ARGS) throw new Error(`[wasm] job ${fn} has ${args.length} args, max ${MAX_ARGS}`);
      ctl[at] = index;
      ctl[at + 1] = args.length;
      for (let i = 0; i < args.length; i++) ctl[at + 2 + i] = args[i];
    }
    Atomics.store(ctl, ERROR, 0);
    Atomics.store(ctl, PENDING, jobs.length);
    Atomics.store(ctl, CLAIM, jobs.length << 16); // publishes the table: claims start from here
    Atomics.add(ctl, SEQ, 1);
    Atomics.notify(ctl, SEQ, Math.min(jobs.length - 1, this.active));
    claimJobs(ctl, this.#fns, this.#args, 0);
    // Every job is claimed; wait for those still running on workers.
    for (let left = Atomics.load(ctl, PENDING); left !== 0; left = Atomics.load(ctl, PENDING)) {
      if (!inNode) continue; // a page's thread may not wait: it spins
      if (!spinWhile(ctl, PENDING, left, SPIN_MS)) Atomics.wait(ctl, PENDING, left);
    }
    if (Atomics.load(ctl, ERROR) !== 0) throw new Error("[wasm] a kernel trapped while running a split call");
  }
}

/** A Web Worker running WEB_SOURCE, handed the module, memory and its number; it reports READY when it runs. */
function startWebWorker(data: Record<string, unknown>): { terminate(): void } {
  const web = globalThis as unknown as WebWorkerApi;
  const worker = new web.Worker(web.URL.createObjectURL(new web.Blob([WEB_SOURCE], { type: "text/javascript" })));
  worker.postMessage(data);
  return worker;
}
