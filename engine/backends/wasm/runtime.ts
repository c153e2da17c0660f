// The wasm runtime: one module of every kernel and one linear memory, shared (a SharedArrayBuffer) wherever
// the host has them, so worker threads can run kernels on it and float32 tensors can live in it: a heap
// (heap.ts) hands out tensor blocks, and one more heap block is the scratch space kernels lay buffers out in.
// Growing a shared memory never detaches existing views, so a tensor's Float32Array stays valid for life.
import { availableParallelism } from "node:os";
import { encodeModule, type Code } from "./emit/module.ts";
import { hasRelaxedSimd } from "./emit/detect.ts";
import { GEMM, gemmFunctions } from "./kernels/gemm.ts";
import { mathFunctions } from "./kernels/math.ts";
import { rowFunctions } from "./kernels/rows.ts";
import { normFunctions } from "./kernels/norm.ts";
import { binaryFunctions } from "./kernels/binary.ts";
import { mapFunctions } from "./kernels/maps.ts";
import { broadcastFunctions } from "./kernels/broadcast.ts";
import { randomFunctions } from "./kernels/random.ts";
import { dropoutFunctions } from "./kernels/dropout.ts";
import { movementFunctions } from "./kernels/movement.ts";
import { extremeFunctions } from "./kernels/extremes.ts";
import { CONTROL_BYTES, WorkerPool, type Job } from "./pool.ts";
import { Heap, type HeapStats } from "./heap.ts";

const PAGE = 65536;
/** 65536 pages: all a 32-bit memory can address. */
export const MAX_MEMORY_BYTES = 65536 * PAGE;
type Kernel = (...args: number[]) => number | void;
const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

/** One operand of a kernel call: an input to read, an output to write, or scratch bytes. */
export type Operand = { read: Float32Array } | { write: Float32Array } | { scratch: number };

/** Bytes kernels copied between host arrays and linear memory (tests check that resident tensors copy nothing). */
export interface CopyStats { inBytes: number; outBytes: number }

export class WasmRuntime {
  readonly fma: boolean;
  /** Whether memory is a SharedArrayBuffer: needed for worker threads and for tensors to live in it. */
  readonly shared: boolean;
  readonly heap: Heap;
  readonly copies: CopyStats = { inBytes: 0, outBytes: 0 };
  readonly #memory: WebAssembly.Memory;
  readonly #fns: Record<string, Kernel> = {};
  readonly #pool: WorkerPool | null;
  /** Every buffer memory has had: a view over any of them is resident (old ones stay valid after growth). */
  readonly #buffers = new WeakSet<ArrayBufferLike>();
  #f32: Float32Array;
  #threads: number;
  #scratch = { addr: -1, bytes: 0 };

  /** `limitBytes` caps the tensor heap (scratch may pass it, up to what the memory can address). */
  constructor(threads: number, limitBytes = MAX_MEMORY_BYTES) {
    this.fma = hasRelaxedSimd();
    const funcs: Record<string, Code> = { ...gemmFunctions(GEMM, this.fma), ...mathFunctions(), ...rowFunctions(), ...normFunctions(), ...binaryFunctions(),
      ...mapFunctions(), ...broadcastFunctions(), ...randomFunctions(), ...dropoutFunctions(), ...movementFunctions(),
      ...extremeFunctions() };
    this.shared = typeof SharedArrayBuffer === "function";
    this.#memory = new WebAssembly.Memory(this.shared ? { initial: 16, maximum: 65536, shared: true } : { initial: 16 });
    const module = new WebAssembly.Module(encodeModule(funcs, this.shared));
    const instance = new WebAssembly.Instance(module, { env: { memory: this.#memory } });
    for (const name of Object.keys(funcs)) this.#fns[name] = instance.exports[name] as Kernel;
    this.#f32 = this.#view();
    this.heap = new Heap({ ensure: (bytes) => this.#ensure(bytes) }, CONTROL_BYTES, limitBytes);
    const names = Object.keys(funcs);
    this.#pool = this.shared ? new WorkerPool(module, this.#memory, names, names.map((n) => this.#fns[n])) : null;
    this.#threads = 1;
    this.setThreads(threads);
  }

  /** Threads a kernel may split across (the main thread included); 1 when memory is not shared. */
  get threads(): number { return this.#threads; }

  setThreads(n: number): void {
    const want = Math.max(1, Math.floor(n));
    if (!this.#pool) { this.#threads = 1; return; }
    this.#pool.grow(want - 1);
    this.#pool.setActive(want - 1);
    this.#threads = this.#pool.active + 1;
  }

  /** Resolves once the worker threads serve calls (immediate in Node; a page's Web Workers start later). */
  async ready(): Promise<void> { await this.#pool?.ready(); }

  /** A float32 view of all of memory as it is now (refreshed after growth). */
  get f32(): Float32Array {
    if (this.#f32.byteLength !== this.#memory.buffer.byteLength) this.#f32 = this.#view();
    return this.#f32;
  }

  /** The byte address of `x` in linear memory when it lives there, else -1. */
  addressOf(x: ArrayBufferView): number { return this.#buffers.has(x.buffer) ? x.byteOffset : -1; }

  /**
   * Scratch space of at least `bytes` for one kernel call, 64-byte aligned; valid until the next reserve().
   * It is a heap block of its own, so it never overlaps a tensor; it may pass the heap's limit.
   */
  reserve(bytes: number): number {
    if (bytes <= this.#scratch.bytes) return this.#scratch.addr;
    if (this.#scratch.addr >= 0) this.heap.free(this.#scratch.addr);
    const want = Math.max(bytes, Math.ceil(this.#scratch.bytes * 1.5), PAGE);
    let addr = this.heap.alloc(want, MAX_MEMORY_BYTES);
    if (addr < 0) addr = this.heap.alloc(bytes, MAX_MEMORY_BYTES);
    if (addr < 0) {
      this.#scratch = { addr: -1, bytes: 0 };
      throw new RangeError(`[wasm] no room for ${bytes} bytes of kernel scratch in linear memory (4 GiB at most)`);
    }
    this.#scratch = { addr, bytes: this.heap.sizeOf(addr) };
    return addr;
  }

  /**
   * Where an operand of a kernel call lives in linear memory, or -1 when it must be staged through scratch.
   * Inputs are used in place wherever they are resident. Outputs too, when the kernel cannot write past them:
   * kernels store whole 4-lane vectors, so a length that is not a multiple of 4 needs a view that starts a heap
   * block (blocks are padded to 64 bytes) to be written in place.
   */
  residentAddress(o: Operand): number {
    if ("scratch" in o) return -1;
    const x = "read" in o ? o.read : o.write;
    const addr = this.addressOf(x);
    if (addr < 0 || "read" in o || x.length % 4 === 0) return addr;
    return this.heap.sizeOf(addr) >= x.byteLength ? addr : -1;
  }

  /**
   * Addresses for one kernel call's operands. A resident array is used where it lives (no copy); a host one
   * gets scratch space, and inputs are copied in. Call writeBack(ops, addrs) after the kernel ran.
   */
  layout(ops: readonly Operand[]): number[] {
    // Plain loops: this runs once per kernel call, and the closures of map/forEach showed in profiles.
    const addrs = new Array<number>(ops.length);
    let staged = 0;
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      addrs[i] = this.residentAddress(o);
      if (addrs[i] < 0) staged += align64("scratch" in o ? o.scratch : ("read" in o ? o.read : o.write).byteLength);
    }
    if (staged === 0) return addrs;
    let at = this.reserve(staged);
    for (let i = 0; i < ops.length; i++) {
      if (addrs[i] >= 0) continue;
      const o = ops[i];
      addrs[i] = at;
      at += align64("scratch" in o ? o.scratch : ("read" in o ? o.read : o.write).byteLength);
      if (!("read" in o)) continue;
      this.f32.set(o.read, addrs[i] / 4);
      this.copies.inBytes += o.read.byteLength;
    }
    return addrs;
  }

  /** Copies the outputs that were staged through scratch back to their arrays. */
  writeBack(ops: readonly Operand[], addrs: readonly number[]): void {
    for (let i = 0; i < ops.length; i++) {
      const o = ops[i];
      if (!("write" in o) || addrs[i] === o.write.byteOffset && this.addressOf(o.write) >= 0) continue;
      const at = addrs[i] / 4;
      o.write.set(this.f32.subarray(at, at + o.write.length));
      this.copies.outBytes += o.write.byteLength;
    }
  }

  /**
   * A float32 array of n elements in linear memory (zero-filled unless `zero` is false: the caller then writes
   * every element), or null when the heap has no room under its limit or memory is not shared.
   */
  allocF32(n: number, zero = true): Float32Array | null {
    if (!this.shared) return null;
    const addr = this.heap.alloc(n * 4);
    if (addr < 0) return null;
    const view = new Float32Array(this.#memory.buffer, addr, n);
    this.#buffers.add(view.buffer);
    if (zero) view.fill(0);
    return view;
  }

  /** Returns the block of an array allocF32 made (the caller guarantees nothing uses it any more). */
  freeF32(view: Float32Array): void { this.heap.free(view.byteOffset); }

  /** The heap's numbers, and how many of its live bytes are kernel scratch rather than tensors. */
  heapStats(): HeapStats & { scratchBytes: number } { return { ...this.heap.stats(), scratchBytes: this.#scratch.bytes }; }

  call(fn: string, ...args: number[]): void { this.#fns[fn](...args); }

  /** Which thread ran each of the last split call's first `count` jobs (0: this one); tests check the limit. */
  jobThreads(count: number): number[] { return this.#pool?.jobThreads(count) ?? []; }

  /** Runs independent jobs on this thread and the workers, each job taken by whichever thread is free next. */
  parallel(jobs: readonly Job[]): void {
    if (this.#pool && jobs.length > 1) this.#pool.run(jobs);
    else for (const [fn, args] of jobs) this.#fns[fn](...args);
  }

  #view(): Float32Array {
    const buffer = this.#memory.buffer;
    this.#buffers.add(buffer);
    return new Float32Array(buffer);
  }

  /** Grows memory to hold `bytes`, by at least an eighth more to keep growth steps few. */
  #ensure(bytes: number): boolean {
    const have = this.#memory.buffer.byteLength;
    if (bytes <= have) return true;
    if (bytes > MAX_MEMORY_BYTES) return false;
    const pages = Math.min(MAX_MEMORY_BYTES / PAGE, Math.max(Math.ceil(bytes / PAGE), Math.ceil((have * 1.125) / PAGE))) - have / PAGE;
    try {
      this.#memory.grow(pages);
    } catch {
      try { this.#memory.grow(Math.ceil((bytes - have) / PAGE)); } catch { return false; }
    }
    this.#buffers.add(this.#memory.buffer);
    return true;
  }
}

/** Every core the OS offers (setThreads, or AETNET_THREADS through setBackendFromEnv, chooses fewer). */
export function defaultThreads(): number {
  return availableParallelism();
}
