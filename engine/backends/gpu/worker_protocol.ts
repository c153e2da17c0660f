// Messages between the main thread and the device worker (worker_device.ts ↔ worker.ts).
import type { MessagePort } from "node:worker_threads";
import type { LibMethod } from "./device.ts";

export interface InitRequest { t: "init"; mode: string; syncPort: MessagePort }
export type Request =
  | { t: "upload"; id: number; data: Float32Array }
  | { t: "call"; method: LibMethod; args: unknown[]; outs: (number | null)[] }
  | { t: "free"; id: number }
  /** A blocking read: the reply goes to the sync port, then flag[0] becomes 1 and is notified. */
  | { t: "readSync"; id: number; flag: Int32Array }
  | { t: "read"; id: number; req: number }
  | { t: "destroy"; req: number }
  /**
   * Synchronous shutdown at process exit: drop queued work, close Dawn, end the worker thread; flag[0]
   * becomes 1 once Dawn is closed and 2 as the thread exits (each notified).
   */
  | { t: "shutdown"; flag: Int32Array };

export type Reply =
  | { t: "ready"; kernel: string; adapter: string }
  | { t: "initError"; message: string }
  | { t: "read"; req: number; data?: Float32Array; error?: string }
  | { t: "destroyed"; req: number };

export type SyncReply = { data?: Float32Array; error?: string };
