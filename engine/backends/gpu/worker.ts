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

const reply = (r: Reply): void => port.postMessage(r);

async function handle(msg: Request): Promise<void> {
  const e = exec!;
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
      await close?.();
      reply({ t: "destroyed", req: msg.req });
      return;
  }
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
  queue = queue.then(() => handle(msg)).catch((err: Error) => { failure ??= `${msg.t} failed: ${err.message}`; });
});
