// BullMQ is an optional dependency: only the queue commands load it, so the library's install stays light.
import { QueueError } from "./errors.ts";

export type BullMQ = typeof import("bullmq");

let loaded: Promise<BullMQ> | undefined;

/** The bullmq module (with its Redis client, ioredis), or a one-line QueueError that says what to install. */
export function loadBullMQ(): Promise<BullMQ> {
  loaded ??= (async () => {
    try {
      await import("ioredis");
      return await import("bullmq");
    } catch (err) {
      loaded = undefined;
      const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
      throw new QueueError(`the job queue needs the optional packages bullmq and ioredis (npm install bullmq ioredis): ${why}`);
    }
  })();
  return loaded;
}
