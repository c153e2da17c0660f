// The wasm runtime: one module of every kernel, one linear memory (shared with the worker pool when
// threads > 1), and a bump arena that each kernel call lays its buffers out in.
import { availableParallelism } from "node:os";
import { encodeModule, type Code } from "./emit/module.ts";
import { hasRelaxedSimd } from "./emit/detect.ts";
import { GEMM, gemmFunctions } from "./kernels/gemm.ts";
import { mathFunctions } from "./kernels/math.ts";
import { rowFunctions } from "./kernels/rows.ts";
import { normFunctions } from "./kernels/norm.ts";
import { CONTROL_BYTES, WorkerPool, type Job } from "./pool.ts";

const PAGE = 65536;
type Kernel = (...args: number[]) => number | void;

/** One operand of a kernel call: an input to read, an output to write, or scratch bytes. */
export type Operand = { read: Float32Array } | { write: Float32Array } | { scratch: number };

export class WasmRuntime {
  readonly fma: boolean;
  readonly shared: boolean;
  readonly #memory: WebAssembly.Memory;
  readonly #fns: Record<string, Kernel> = {};
  readonly #pool: WorkerPool | null;
  #f32: Float32Array;
  #threads: number;

  constructor(threads: number) {
    this.fma = hasRelaxedSimd();
    const funcs: Record<string, Code> = { ...gemmFunctions(GEMM, this.fma), ...mathFunctions(), ...rowFunctions(), ...normFunctions() };
    this.shared = threads > 1 && typeof SharedArrayBuffer === "function";
    this.#memory = new WebAssembly.Memory(this.shared ? { initial: 16, maximum: 65536, shared: true } : { initial: 16 });
    const module = new WebAssembly.Module(encodeModule(funcs, this.shared));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.#memory } });
    for (const name of Object.keys(funcs)) this.#fns[name] = instance.exports[name] as Kernel;
    this.#f32 = new Float32Array(this.#memory.buffer);
    const runLocal = (fn: string, args: readonly number[]): void => { this.#fns[fn](...args); };
    this.#pool = this.shared ? new WorkerPool(module, this.#memory, Object.keys(funcs), runLocal) : null;
    this.#threads = 1;
    this.setThreads(threads);
  }

  /** Threads a kernel may split across (the main thread included); 1 when memory is not shared. */
  get threads(): number { return this.#threads; }

  setThreads(n: number): void {
    const want = Math.max(1, Math.floor(n));
    if (!this.#pool) { this.#threads = 1; return; }
    this.#pool.grow(want - 1);
    this.#threads = Math.min(want, this.#pool.size + 1);
  }

  /** A float32 view of all of memory; valid until the next reserve(). */
  get f32(): Float32Array { return this.#f32; }

  /** Makes room for `bytes` after the control block and returns the (64-byte aligned) base offset. */
  reserve(bytes: number): number {
    const need = CONTROL_BYTES + bytes;
    const have = this.#memory.buffer.byteLength;
    if (need > have) this.#memory.grow(Math.ceil((need - have) / PAGE));
    if (this.#f32.buffer !== this.#memory.buffer || this.#f32.length * 4 !== this.#memory.buffer.byteLength) this.#f32 = new Float32Array(this.#memory.buffer);
    return CONTROL_BYTES;
  }

  /**
   * Addresses for one kernel call's operands, laid out 64-byte aligned in scratch: inputs are copied in,
   * outputs and scratch are left as they are. The one place kernels copy host arrays in.
   */
  layout(ops: readonly Operand[]): number[] {
    const bytes = ops.map((o) => Math.ceil(("scratch" in o ? o.scratch : ("read" in o ? o.read : o.write).byteLength) / 64) * 64);
    let at = this.reserve(bytes.reduce((a, b) => a + b, 0));
    const addrs = bytes.map((b) => { const addr = at; at += b; return addr; });
    ops.forEach((o, i) => { if ("read" in o) this.f32.set(o.read, addrs[i] / 4); });
    return addrs;
  }

  /** Copies the outputs of a call laid out by layout() back to their arrays. */
  writeBack(ops: readonly Operand[], addrs: readonly number[]): void {
    ops.forEach((o, i) => {
      if (!("write" in o)) return;
      const at = addrs[i] / 4;
      o.write.set(this.f32.subarray(at, at + o.write.length));
    });
  }

  call(fn: string, ...args: number[]): void { this.#fns[fn](...args); }

  /** Runs up to `threads` jobs at once: the first here, the rest on workers. */
  parallel(jobs: readonly Job[]): void {
    if (this.#pool && jobs.length > 1) this.#pool.run(jobs);
    else for (const [fn, args] of jobs) this.#fns[fn](...args);
  }
}

/** Threads from AETNET_THREADS, else every core the OS offers. */
export function defaultThreads(): number {
  const env = Number(process.env.AETNET_THREADS);
  return Number.isFinite(env) && env >= 1 ? env : availableParallelism();
}
