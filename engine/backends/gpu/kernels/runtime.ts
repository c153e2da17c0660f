// The machinery under GpuKernels: compiled-kernel cache, handle bookkeeping and size limits.
//
// Every kernel is created with { output: [n], constants, pipeline: true, immutable: true, precision: 'single' }
// and cached by (name, source variant, constants, n): loop bounds must be compile-time constants, so each new
// shape compiles once. `immutable: true` matters: without it a pipeline kernel hands out the same output buffer
// (WebGPU) or texture (GL) on every call, so a later call overwrites an earlier handle; with it each call
// returns a fresh buffer that only `free` releases.
import type { GPU, IKernelRunShortcut } from "gpu.js";
import { UPLOAD_SOURCE } from "./sources.ts";
import { DeviceError } from "../../../errors.ts";

/** A device-resident float32 array: a gpu.js pipeline result (WebGPUBufferResult, GL Texture; a Float32Array in cpu mode). */
export type GpuHandle = object;

/** A kernel-library operation: yields gpu.js call results (Promises on WebGPU), returns once resumed with each value. */
export type GpuOp<T> = Generator<unknown, T, unknown>;

/** Largest element count of any input or output: kernels index in float32, exact only below 2^24. */
export const MAX_ELEMENTS = 2 ** 24;

type Constants = Record<string, number | number[]>;

/** The handle of a zero-length array: never reaches a kernel. */
class EmptyHandle {
  readonly output = [0];
  toArray(): Float32Array { return new Float32Array(0); }
  delete(): void {}
}

export const EMPTY: GpuHandle = Object.freeze(new EmptyHandle());

function constantsKey(c: Constants): string {
  return JSON.stringify(c, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

export class KernelRuntime {
  /** Constructor name of the gpu.js kernel that ran last ('WebGPUKernel', 'WebGL2Kernel', 'HeadlessGLKernel', 'CPUKernel'). */
  kernelName = "";
  private readonly cache = new Map<string, IKernelRunShortcut>();
  private readonly lengths = new WeakMap<object, number>();
  private dummy: GpuHandle | null = null;

  constructor(readonly gpu: GPU, readonly maxKernels = 512) {}

  /** Number of compiled kernels held. */
  get size(): number { return this.cache.size; }

  /** Logical element count of a handle. */
  lengthOf(h: GpuHandle): number {
    const known = this.lengths.get(h);
    if (known !== undefined) return known;
    if (h instanceof Float32Array) return h.length;
    const out = (h as { output?: number[] }).output;
    if (Array.isArray(out)) return out.reduce((a, b) => a * b, 1);
    throw new DeviceError("gpu kernels", "not a gpu.js handle");
  }

  private kernel(name: string, source: string, constants: Constants, n: number): IKernelRunShortcut {
    const key = `${name}|${n}|${constantsKey(constants)}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // re-insert: the Map's order is least recently used first
      this.cache.set(key, hit);
      return hit;
    }
    const k = this.gpu.createKernel(source, {
      output: [n],
      constants,
      pipeline: true,
      immutable: true,
      precision: "single",
      tactic: "precision",
    });
    this.cache.set(key, k);
    if (this.cache.size > this.maxKernels) {
      const [oldKey, old] = this.cache.entries().next().value as [string, IKernelRunShortcut];
      this.cache.delete(oldKey);
      old.destroy(); // handles it returned keep their own reference to their buffers
    }
    return k;
  }

  /**
   * Runs kernel `name` (source + constants) to an output of n elements. Handle arguments are checked against
   * MAX_ELEMENTS; zero-length ones are replaced by a 1-element dummy (kernels never read them).
   */
  *run(name: string, source: string, constants: Constants, n: number, args: readonly unknown[]): GpuOp<GpuHandle> {
    if (n > MAX_ELEMENTS) throw new DeviceError(`gpu kernel ${name}`, `output of ${n} elements exceeds the limit of ${MAX_ELEMENTS} (2^24, float32 indexing)`);
    if (n === 0) return EMPTY;
    const call: unknown[] = [];
    for (const a of args) {
      if (typeof a === "object" && a !== null) {
        const len = this.lengthOf(a);
        if (len > MAX_ELEMENTS) throw new DeviceError(`gpu kernel ${name}`, `an input of ${len} elements exceeds the limit of ${MAX_ELEMENTS} (2^24, float32 indexing)`);
        if (len === 0) {
          if (!this.dummy) this.dummy = yield* this.run("upload", UPLOAD_SOURCE, {}, 1, [new Float32Array(1)]);
          call.push(this.dummy);
          continue;
        }
      }
      call.push(a);
    }
    const k = this.kernel(name, source, constants, n);
    let out: unknown;
    try {
      out = yield k(...(call as Parameters<IKernelRunShortcut>));
    } catch (e) {
      const err = e as Error;
      throw new DeviceError(`gpu kernel ${name}`, `output ${n}, constants ${constantsKey(constants)}: ${err.message}`, { cause: e });
    }
    this.kernelName = (k.kernel as object).constructor.name;
    this.dropKernelReference(k);
    if (typeof out !== "object" || out === null) throw new DeviceError(`gpu kernel ${name}`, `the kernel returned no handle (${String(out)})`);
    this.lengths.set(out, n);
    return out;
  }

  /** Reads a handle back as a Float32Array of exactly its logical length (a Promise on WebGPU). */
  read(h: GpuHandle): Float32Array | Promise<Float32Array> {
    const n = this.lengthOf(h);
    if (h instanceof EmptyHandle) return new Float32Array(0);
    if (h instanceof Float32Array) return h.slice(0, n);
    const r = (h as { toArray(): unknown }).toArray();
    return isThenable(r) ? Promise.resolve(r).then((v) => flat(v, n)) : flat(r, n);
  }

  free(h: GpuHandle | null | undefined): void {
    if (!h || h === EMPTY || h === this.dummy) return;
    const d = (h as { delete?: () => void }).delete;
    if (typeof d === "function") d.call(h);
  }

  /**
   * A WebGPU kernel keeps its own reference to its latest output buffer until its next call, so a freed result would
   * stay allocated; dropping that reference leaves the handle the only owner (a later call allocates afresh anyway).
   */
  private dropKernelReference(k: IKernelRunShortcut): void {
    const inner = k.kernel as unknown as { outputBuffer?: { _refs?: number; destroy(): void } | null; bindGroupDirty?: boolean };
    const buf = inner.outputBuffer;
    if ((k.kernel as object).constructor.name !== "WebGPUKernel" || !buf || typeof buf._refs !== "number") return;
    if (--buf._refs === 0) buf.destroy();
    inner.outputBuffer = null;
    inner.bindGroupDirty = true;
  }

  /** After an upload on WebGPU, drops the kernel's own copy of the host data (gpu.js keeps it for reuse). */
  releaseArgumentBuffers(name: string, constants: Constants, n: number): void {
    const k = this.cache.get(`${name}|${n}|${constantsKey(constants)}`);
    const inner = k?.kernel as unknown as { paramsLayout?: { arrayArgs?: { buffer: { destroy(): void } | null; boundBuffer: unknown }[] }; bindGroupDirty?: boolean } | undefined;
    const records = inner?.paramsLayout?.arrayArgs;
    if (!inner || !records || (k!.kernel as object).constructor.name !== "WebGPUKernel") return;
    for (const r of records) {
      if (r.buffer) { r.buffer.destroy(); r.buffer = null; r.boundBuffer = null; inner.bindGroupDirty = true; }
    }
  }
}

function flat(v: unknown, n: number): Float32Array {
  if (v instanceof Float32Array) return v.slice(0, n);
  if (ArrayBuffer.isView(v)) return Float32Array.from(v as unknown as ArrayLike<number>).subarray(0, n);
  if (Array.isArray(v)) {
    const out = new Float32Array(n);
    let i = 0;
    const walk = (x: unknown): void => {
      if (i >= n) return;
      if (typeof x === "number") out[i++] = x;
      else if (Array.isArray(x) || ArrayBuffer.isView(x)) for (const y of Array.from(x as ArrayLike<unknown>)) walk(y);
    };
    walk(v);
    return out;
  }
  throw new DeviceError("gpu kernels", "a handle read back as neither an array nor a typed array");
}
