// Node's WebGPU device: Dawn runs in a worker thread, because WebGPU can only read back asynchronously
// and the engine's host reads are synchronous. Kernel calls are posted and not waited for; a host read
// blocks in Atomics.wait until the worker has run everything before it and copied the buffer out.
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from "node:worker_threads";
import { DeviceError } from "../../errors.ts";
import { GpuBuffer, emptyStats, mapLeaves, type GpuDevice, type GpuStats, type LibArgs, type LibMethod, type WireBuffer } from "./device.ts";
import type { Reply, Request, SyncReply } from "./worker_protocol.ts";

export class WorkerGpuDevice implements GpuDevice {
  readonly stats: GpuStats = emptyStats();
  #next = 1;
  #req = 1;
  readonly #pending = new Map<number, { resolve(r: Reply): void }>();
  #closed = false;

  private constructor(private readonly worker: Worker, private readonly syncPort: MessagePort, readonly mode: string, readonly kernel: string, readonly adapter: string) {
    worker.on("message", (r: Reply) => {
      if (r.t === "read" || r.t === "destroyed") {
        this.#pending.get(r.req)?.resolve(r);
        this.#pending.delete(r.req);
        if (this.#pending.size === 0) worker.unref();
      }
    });
    worker.unref(); // listening re-refs the worker's port; only a pending request may keep the process alive
    // Dawn must be shut down before the process ends, or Node hangs (a live device keeps the event loop busy)
    // or aborts (the worker terminated inside a Dawn call). Ending naturally: the asynchronous destroy at
    // beforeExit. process.exit() or an uncaught error: only synchronous code runs at 'exit'.
    process.once("beforeExit", this.#atBeforeExit);
    process.once("exit", this.#atExit);
  }

  readonly #atBeforeExit = (): void => { void this.destroy(); };
  readonly #atExit = (): void => this.shutdownSync();

  /** Marks the device closed (no more calls) and drops the process hooks; false if it already was. */
  #close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    process.off("beforeExit", this.#atBeforeExit);
    process.off("exit", this.#atExit);
    return true;
  }

  /** Starts the worker and waits until its device has passed the self-test. */
  static async open(mode: string): Promise<WorkerGpuDevice> {
    const worker = startWorker(new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url));
    const { port1, port2 } = new MessageChannel();
    const ready = await new Promise<Reply>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
      worker.postMessage({ t: "init", mode, syncPort: port2 }, [port2]);
    }).catch(async (err: Error) => { await worker.terminate(); throw new DeviceError("gpu", `the device worker failed to start: ${err.message}`); });
    if (ready.t !== "ready") {
      await worker.terminate();
      throw new DeviceError("gpu", ready.t === "initError" ? ready.message : `unexpected reply ${ready.t}`);
    }
    worker.unref();
    port1.unref(); // read with receiveMessageOnPort only; it must not keep the process alive
    return new WorkerGpuDevice(worker, port1, mode, ready.kernel, ready.adapter);
  }

  private post(msg: Request): void {
    if (this.#closed) throw new DeviceError("gpu", "the gpu device was destroyed; call setBackend('gpu') again");
    this.worker.postMessage(msg);
  }

  upload(data: Float32Array): GpuBuffer {
    const b = new GpuBuffer(this.#next++, data.length, this);
    // A view of shared memory (a tensor in wasm memory) would be shared, not copied, by postMessage, and the
    // worker reads it later: by then the block may hold another tensor. Copy it now.
    this.post({ t: "upload", id: b.id, data: data.buffer instanceof SharedArrayBuffer ? data.slice() : data });
    this.stats.uploads++;
    this.stats.liveBuffers++;
    return b;
  }

  alloc(n: number): GpuBuffer {
    this.stats.liveBuffers++;
    return new GpuBuffer(this.#next++, n, this);
  }

  call<M extends LibMethod>(method: M, args: LibArgs<M>, outs: readonly (GpuBuffer | null)[]): void {
    const wire = args.map((a) => mapLeaves(a, (v) => (v instanceof GpuBuffer ? ({ __gpuBuffer: v.id } satisfies WireBuffer) : undefined)));
    this.post({ t: "call", method, args: wire, outs: outs.map((b) => b?.id ?? null) });
    this.stats.kernelCalls++;
  }

  readSync(b: GpuBuffer): Float32Array {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    this.post({ t: "readSync", id: b.id, flag });
    Atomics.wait(flag, 0, 0);
    const reply = receiveMessageOnPort(this.syncPort)?.message as SyncReply | undefined;
    this.stats.syncReads++;
    if (!reply?.data) throw new DeviceError("gpu", `reading device buffer #${b.id} (${b.length} floats) failed: ${reply?.error ?? "no reply"}`);
    return reply.data;
  }

  read(b: GpuBuffer): Promise<Float32Array> {
    this.stats.asyncReads++;
    return this.request({ t: "read", id: b.id, req: 0 }).then((r) => {
      if (r.t !== "read" || !r.data) throw new DeviceError("gpu", `reading device buffer #${b.id} (${b.length} floats) failed: ${r.t === "read" ? r.error : r.t}`);
      return r.data;
    });
  }

  free(b: GpuBuffer): void {
    if (this.#closed) return;
    this.worker.postMessage({ t: "free", id: b.id } satisfies Request);
    this.stats.liveBuffers--;
  }

  async destroy(): Promise<void> {
    if (this.#closed) return;
    await this.request({ t: "destroy", req: 0 });
    if (!this.#close()) return;
    this.syncPort.close();
    await this.worker.terminate();
  }

  /**
   * For the process's 'exit' event, where nothing asynchronous runs any more: asks the worker to close Dawn
   * and end its own thread, and blocks until it has (at most `timeoutMs`). Node then finds the worker gone
   * instead of terminating it in the middle of a Dawn call, which aborts the process.
   */
  shutdownSync(timeoutMs = 10_000): void {
    if (!this.#close()) return;
    const flag = new Int32Array(new SharedArrayBuffer(4));
    this.worker.postMessage({ t: "shutdown", flag } satisfies Request);
    const deadline = Date.now() + timeoutMs;
    for (let left = timeoutMs; Atomics.load(flag, 0) < 2 && left > 0; left = deadline - Date.now()) {
      Atomics.wait(flag, 0, Atomics.load(flag, 0), left);
    }
  }

  /** Sends a request that expects a reply; the worker keeps the process alive only while one is due. */
  private request(msg: Extract<Request, { req: number }>): Promise<Reply> {
    const req = this.#req++;
    return new Promise<Reply>((resolve) => {
      this.#pending.set(req, { resolve });
      this.worker.ref();
      this.post({ ...msg, req });
    });
  }
}

/** The worker is TypeScript: it registers tsx's loader first (workers do not inherit the main thread's hooks). */
function startWorker(entry: URL): Worker {
  // Dawn's OpenGL path reads EGL_PLATFORM through the C environment, which only the main thread can set.
  process.env.EGL_PLATFORM ??= "surfaceless";
  if (!entry.pathname.endsWith(".ts")) return new Worker(entry);
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((api) => api.register()).then(() => import(${JSON.stringify(entry.href)}))`;
  return new Worker(boot, { eval: true });
}
