// BullMQ and its Redis client are optional peer dependencies: only the queue commands load them, so the library's
// install stays light. BullMQ finds ioredis itself; it is checked here so that its absence is the same one line.
import { importOptional } from "../../engine/index.ts";

export type BullMQ = typeof import("bullmq");

/** The bullmq module, or a MissingDependencyError naming the package to install. */
export async function loadBullMQ(): Promise<BullMQ> {
  await importOptional("ioredis", "queue");
  return importOptional<BullMQ>("bullmq", "queue");
}
