// `aetnet queue status`: how many documents wait, run, are done or failed, and how fast they are being done.
import { loadBullMQ } from "./bullmq.ts";
import type { RedisConnection } from "./connection.ts";

export interface QueueStatus {
  waiting: number; active: number; delayed: number; done: number; failed: number;
  /** Documents finished per minute over the span of the most recent completions (null with fewer than 2). */
  perMinute: number | null;
  /** Mean processing time of those completions, ms (null when none). */
  meanMs: number | null;
  /** How many completions the two rates above are computed from. */
  sample: number;
}

/** Completions the throughput is measured over: the most recent ones, so the rate reflects the workers now. */
const SAMPLE = 200;

export async function queueStatus(name: string, connection: RedisConnection): Promise<QueueStatus> {
  const { Queue } = await loadBullMQ();
  const queue = new Queue(name, { connection });
  try {
    const c = await queue.getJobCounts("waiting", "prioritized", "active", "delayed", "completed", "failed");
    const recent = await queue.getCompleted(0, SAMPLE - 1);
    const spans = recent.filter((j) => j.processedOn !== undefined && j.finishedOn !== undefined);
    const meanMs = spans.length === 0 ? null : spans.reduce((s, j) => s + (j.finishedOn! - j.processedOn!), 0) / spans.length;
    let perMinute: number | null = null;
    if (spans.length >= 2) {
      const first = Math.min(...spans.map((j) => j.processedOn!)), last = Math.max(...spans.map((j) => j.finishedOn!));
      perMinute = last > first ? (spans.length * 60_000) / (last - first) : null;
    }
    return {
      waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0,
      done: c.completed ?? 0, failed: c.failed ?? 0, perMinute, meanMs, sample: spans.length,
    };
  } finally {
    await queue.close();
  }
}

export function formatStatus(name: string, s: QueueStatus): string {
  const rate = s.perMinute === null ? "throughput: not enough completions yet"
    : `throughput: ${s.perMinute.toFixed(1)} documents/min over the last ${s.sample} done, ${(s.meanMs! / 1000).toFixed(2)} s each`;
  return `queue ${name}: ${s.waiting} waiting, ${s.active} active, ${s.delayed} retrying later, ${s.done} done, ${s.failed} failed\n${rate}`;
}
