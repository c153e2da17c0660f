// The device worker: owns the WebGPU device (Dawn in Node) and runs kernel calls in the order they were
// sent. The main thread never waits for a kernel, only for reads, so a chain of ops stays on the device.
import { parentPort, type MessagePort } from "node:worker_threads";
import { Executor } from "./executor.ts";
import { runAsync } from "./generators.ts";
import { openGpu } from "./open_gpu.ts";
import type { InitRequest, Reply, Request, SyncReply } from "./worker_protocol.ts";

const port = parentPort!;
let exec: Executor | null = null;
let close: (() => Promise<void>) | null = null;
let syncPort: MessagePort | null = null;
/** The first failure poisons the device: every later read reports it, naming the call that failed. */
let failure: string | null = null;
let queue: Promise<void> = Promise.resolve();
/** Set by a shutdown request: queued work is dropped, only closing Dawn remains. */
let stopping = false;

const reply = (r: Reply): void => port.postMessage(r);

async function handle(msg: Request): Promise<void> {
  const e = exec!;
  if (stopping) return;
  switch (msg.t) {
    case "upload":
      if (!failure) await runAsync(e.upload(msg.id, msg.data));
      return;
    case "call":
      if (failure) return;
      try { await runAsync(e.call(msg.method, msg.args, msg.outs)); } catch (err) { failure = `${msg.method} failed: ${(err as Error).message}`; }
      return;
    case "free":
      e.free(msg.id);
      return;
    case "readSync": {
      const out: SyncReply = {};
      try {
        if (failure) throw new Error(failure);
        out.data = await e.read(msg.id);
      } catch (err) { out.error = (err as Error).message; }
      syncPort!.postMessage(out);
      Atomics.store(msg.flag, 0, 1);
      Atomics.notify(msg.flag, 0);
      return;
    }
    case "read":
      try {
        if (failure) throw new Error(failure);
        reply({ t: "read", req: msg.req, data: await e.read(msg.id) });
      } catch (err) { reply({ t: "read", req: msg.req, error: (err as Error).message }); }
      return;
    case "destroy":
      await closeDawn();
      reply({ t: "destroyed", req: msg.req });
      return;
    case "shutdown":
      return; // handled on arrival (below)
  }
}

async function closeDawn(): Promise<void> {
  const c = close;
  close = null;
  await c?.();
}

const signal = (flag: Int32Array, value: number): void => { Atomics.store(flag, 0, value); Atomics.notify(flag, 0); };

/**
 * The process is exiting and its main thread waits on `flag`. Node would terminate this thread wherever it
 * stands, and a termination that lands while Dawn's binding is inside a call aborts the whole process
 * (`napi_throw` fails during teardown). So the thread stops itself at a safe point: after the kernel running
 * now, with Dawn closed, by its own process.exit(), which never interrupts native code.
 */
function shutdown(flag: Int32Array): void {
  stopping = true;
  queue = queue.catch(() => {}).then(closeDawn).catch(() => {}).then(() => {
    signal(flag, 1);
    process.once("exit", () => signal(flag, 2));
    process.exit(0);
  });
}

port.on("message", (msg: InitRequest | Request) => {
  if (msg.t === "init") {
    syncPort = msg.syncPort;
    queue = openGpu(msg.mode).then(
      (g) => { exec = new Executor(g.lib); close = g.close; reply({ t: "ready", kernel: g.lib.kernelName, adapter: g.adapter }); },
      (err: Error) => reply({ t: "initError", message: err.message }),
    );
    return;
  }
  if (msg.t === "shutdown") { shutdown(msg.flag); return; }
  queue = queue.then(() => handle(msg)).catch((err: Error) => { failure ??= `${msg.t} failed: ${err.message}`; });
});
