// Makes @tensorflow/tfjs-backend-wasm run its threaded SIMD build in Node with N threads. Out of the box it
// runs single-threaded there, for three reasons, each undone here for the duration of the backend's init:
// 1. WASM_HAS_MULTITHREAD_SUPPORT is hard-wired to false when IS_NODE → the flag is set to true.
// 2. The Emscripten pthread pool starts `new Worker(<blob: URL of the worker script>)` and sends each worker
//    the main script as a Blob; Node's worker_threads.Worker refuses blob: URLs (and a Blob would be read with
//    fs in the worker) → worker_threads.Worker is wrapped so a blob: URL becomes a temp file holding the same
//    worker script, and the "load" message carries the path of the package's own threaded-simd.js (the same
//    Emscripten build as the bundled factory) instead of the Blob.
// 3. XNNPACK's pool is capped at half the logical cores (os.cpus() in Node), so 1 thread on a 2-core machine
//    → os.cpus() reports at least 2·N cores until the pool exists, and setThreadsCount(N) asks for N.
// The pthread pool holds 8 workers (Emscripten's PTHREAD_POOL_SIZE); XNNPACK uses N − 1 of them plus the
// calling thread. The workers keep the event loop alive, so the engine script exits explicitly.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";

type Loose = { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type WorkerCtor = new (url: string | URL, options?: object) => { postMessage(msg: unknown, transfer?: readonly unknown[]): void };

const THREADED_JS = "wasm-out/tfjs-backend-wasm-threaded-simd.js";
const THREADED_WORKER_JS = "wasm-out/tfjs-backend-wasm-threaded-simd.worker.js";

/** Files the threaded build needs, or why it cannot run (the package layout of @tensorflow/tfjs-backend-wasm 4.x). */
export function threadedFiles(require: NodeJS.Require): { main: string; worker: string } | { missing: string } {
  try {
    const pkg = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json"));
    const main = join(pkg, THREADED_JS), worker = join(pkg, THREADED_WORKER_JS);
    require.resolve(main); require.resolve(worker);
    return { main, worker };
  } catch (e) {
    return { missing: `tfjs-backend-wasm threaded build not found (${(e as Error).message.split("\n")[0]})` };
  }
}

/**
 * Initialises tfjs's wasm backend with `threads` threads (call instead of tf.setBackend("wasm")).
 * Returns the threads XNNPACK really got (wasm.getThreadsCount()).
 */
export async function setWasmBackendThreaded(tf: Loose, wasm: Loose, require: NodeJS.Require, threads: number): Promise<number> {
  const files = threadedFiles(require);
  if ("missing" in files) throw new Error(files.missing);
  const workerThreads = require("node:worker_threads") as { Worker: WorkerCtor };
  const os = require("node:os") as { cpus: () => unknown[] };
  const dir = mkdtempSync(join(tmpdir(), "tfjs-wasm-threads-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  // The backend's own locateFile escapes "\n" the same way before making its Blob.
  const workerScript = join(dir, "worker.cjs");
  const { wasmWorkerContents } = require(files.worker) as { wasmWorkerContents: string };
  writeFileSync(workerScript, wasmWorkerContents.replace(/\n/g, "\\n"));

  const RealWorker = workerThreads.Worker;
  // The bundle copies worker_threads.Worker to globalThis.Worker when its factory runs (during init), and the
  // pool (and any worker started later) uses that copy, so the module's own export is restored afterwards.
  workerThreads.Worker = class extends RealWorker {
    constructor(url: string | URL, options?: object) {
      super(String(url).startsWith("blob:") ? workerScript : url, options);
    }
    override postMessage(msg: unknown, transfer?: readonly unknown[]): void {
      const m = msg as { cmd?: string; urlOrBlob?: unknown } | null;
      super.postMessage(m?.cmd === "load" && typeof m.urlOrBlob !== "string" ? { ...m, urlOrBlob: files.main } : msg, transfer);
    }
  };
  const realCpus = os.cpus;
  os.cpus = () => { const c = realCpus(); return Array.from({ length: Math.max(c.length, 2 * threads) }, (_, i) => c[i % c.length]); };
  try {
    tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
    wasm.setThreadsCount(threads);
    if (!(await tf.setBackend("wasm")) || tf.getBackend() !== "wasm") throw new Error("tfjs wasm backend (threaded) failed to initialise");
    await tf.ready();
  } finally {
    os.cpus = realCpus;
    workerThreads.Worker = RealWorker;
  }
  return wasm.getThreadsCount() as number;
}
