// Where a tensor's elements live: a host typed array, a device buffer, or both (a cached copy).
// Views (reshape, detach) share one Storage, so a move between host and device is seen by all of them.
import { releaseFloat32, type DType, type TypedArray } from "./dtype.ts";
import { EngineError } from "./errors.ts";

/** One float32 buffer on an accelerator; only its device can read it. */
export interface DeviceBuffer {
  readonly length: number;
  readonly device: Device;
}

/** What Storage needs from an accelerator: copies in and out, and release. */
export interface Device {
  upload(data: Float32Array): DeviceBuffer;
  /** Blocks until the buffer's pending work is done (a host sync point). */
  readSync(buffer: DeviceBuffer): Float32Array;
  read(buffer: DeviceBuffer): Promise<Float32Array>;
  free(buffer: DeviceBuffer): void;
}

// Device memory follows the tensors that hold it: a collected Storage frees its buffer. Finalizers run
// only between tasks, so a long synchronous loop also needs tidy() (engine/memory.ts) to free per step.
const collected = new FinalizationRegistry<DeviceBuffer>((b) => b.device.free(b));

/** How many Storages wrap each host array: one that several share is left to the garbage collector. */
const holders = new WeakMap<TypedArray, number>();

/** Open tidy() scopes, innermost last: each collects the storages created while it is open. */
export const scopes: Set<Storage>[] = [];

/**
 * Coherence rule: the host array, when present, is the truth for writers. Taking it for writing
 * (`host()`) drops the device copy, so an in-place host update (an optimizer step) can never leave a
 * stale device buffer behind; `deviceBuffer()` uploads at most once until the next host write.
 */
export class Storage {
  private hostData: TypedArray | null;
  private dev: DeviceBuffer | null;

  private released = false;

  constructor(readonly dtype: DType, readonly length: number, host: TypedArray | null, dev: DeviceBuffer | null = null) {
    this.hostData = host;
    if (host !== null) holders.set(host, (holders.get(host) ?? 0) + 1);
    this.dev = null;
    if (dev) this.setDevice(dev);
    scopes.at(-1)?.add(this);
  }

  static onDevice(buffer: DeviceBuffer): Storage { return new Storage("float32", buffer.length, null, buffer); }

  get device(): Device | null { return this.dev?.device ?? null; }

  /** The host array for reading or writing; reads the device copy back (blocking) when needed, then drops it. */
  host(): TypedArray {
    if (this.hostData === null) this.hostData = this.deviceCopy().device.readSync(this.dev!);
    this.dropDevice();
    return this.hostData;
  }

  /** The host array without giving up the device copy, for callers that promise not to write. */
  peek(): TypedArray {
    if (this.hostData === null) this.hostData = this.deviceCopy().device.readSync(this.dev!);
    return this.hostData;
  }

  /** Reads without blocking: the host copy if there is one, else an asynchronous device read. */
  async read(): Promise<TypedArray> {
    if (this.hostData !== null) return this.hostData;
    const dev = this.deviceCopy();
    const data = await dev.device.read(dev);
    if (this.dev === dev && this.hostData === null) this.hostData = data;
    return data;
  }

  /** Makes `buffer` the only copy (an in-place update computed on the device, e.g. an optimizer step). */
  assignDevice(buffer: DeviceBuffer): void {
    this.dropDevice();
    this.freeHost();
    this.hostData = null;
    this.released = false;
    this.setDevice(buffer);
  }

  /** Takes over a temporary's device buffer (the temporary is left empty): an in-place update done out of place. */
  adopt(temp: Storage): void {
    const b = temp.dev;
    if (!b || temp.length !== this.length) throw new TypeError("adopt needs a device-resident storage of the same length");
    collected.unregister(temp);
    temp.dev = null;
    this.assignDevice(b);
  }

  /** The buffer on `device`, uploading the host copy (float32 only) when there is none there. */
  deviceBuffer(device: Device): DeviceBuffer {
    if (this.dev && this.dev.device === device) return this.dev;
    if (this.hostData === null) this.deviceCopy(); // throws for a released tensor
    const data = this.host();
    if (!(data instanceof Float32Array)) throw new TypeError(`only float32 storage can move to a device, got ${this.dtype}`);
    this.setDevice(device.upload(data));
    return this.dev!;
  }

  /**
   * Frees this storage at the end of the innermost open tidy() scope (unless its result reaches it); with no
   * scope open, a device buffer is freed now and wasm memory is left to the garbage collector. For memory that
   * someone may still hold a tensor of (a dropped .grad).
   */
  releaseLater(): void {
    const scope = scopes.at(-1);
    if (scope) scope.add(this);
    else if (this.dev) this.release();
  }

  /** The buffer on `device` for an in-place kernel: the host copy, now stale, is dropped (freed if in wasm memory). */
  deviceBufferForWrite(device: Device): DeviceBuffer {
    const b = this.deviceBuffer(device);
    this.freeHost();
    this.hostData = null;
    return b;
  }

  /** Takes this storage out of every open tidy() scope: it outlives them (keep(), stored gradients). */
  escapeScopes(): void {
    for (const scope of scopes) scope.delete(this);
  }

  /**
   * Frees memory now (dispose() or the end of a tidy() scope): the device buffer, else a host array in wasm
   * memory (CPU backend). A host copy beside a device buffer, and an array on the JS heap, stay valid; a
   * tensor whose only copy was freed is unusable afterwards, and says so when used.
   */
  release(): void {
    if (this.dev) {
      this.dropDevice();
      if (this.hostData === null) this.released = true;
    } else if (this.freeHost()) {
      this.released = true;
    }
  }

  private deviceCopy(): DeviceBuffer {
    if (this.dev) return this.dev;
    throw new EngineError("tensor", this.released
      ? `a tensor of ${this.length} elements was used after dispose() or the end of the tidy() that made it; keep() it, or return it from the tidy callback`
      : "storage has neither host nor device data");
  }

  /** Drops the host array, returning its wasm memory block when this storage alone holds it; true if freed. */
  private freeHost(): boolean {
    const host = this.hostData;
    if (host === null || holders.get(host) !== 1 || !releaseFloat32(host)) return false;
    this.hostData = null;
    return true;
  }

  private setDevice(b: DeviceBuffer): void {
    this.dev = b;
    collected.register(this, b, this);
  }

  private dropDevice(): void {
    if (!this.dev) return;
    collected.unregister(this);
    this.dev.device.free(this.dev);
    this.dev = null;
  }
}
