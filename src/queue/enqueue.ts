// `aetnet queue add`: one job per document, keyed by content hash, so adding the same archive twice adds nothing.
import { loadBullMQ } from "./bullmq.ts";
import type { RedisConnection } from "./connection.ts";
import { DOCUMENT_JOB, documentJob } from "./document_job.ts";

export interface EnqueueOptions {
  queue: string;
  connection: RedisConnection;
  /** Attempts per document before it ends in the failed set (exponential backoff between them). */
  attempts: number;
  backoffMs: number;
}

export interface EnqueueReport { added: string[]; alreadyQueued: string[] }

export async function enqueueDocuments(paths: readonly string[], opts: EnqueueOptions): Promise<EnqueueReport> {
  const { Queue } = await loadBullMQ();
  const queue = new Queue(opts.queue, { connection: opts.connection });
  const report: EnqueueReport = { added: [], alreadyQueued: [] };
  try {
    await queue.waitUntilReady();
    for (const path of paths) {
      const { id, data } = documentJob(path);
      // A job id that exists (waiting, active, done or failed) is never added again; add() with the same id
      // is a no-op in Redis too, so two machines adding the same archive at once still queue it once.
      if (await queue.getJob(id)) { report.alreadyQueued.push(data.path); continue; }
      await queue.add(DOCUMENT_JOB, data, {
        jobId: id,
        attempts: opts.attempts,
        backoff: { type: "exponential", delay: opts.backoffMs },
        removeOnComplete: false, // the result lives on the completed job: `queue results` reads it
        removeOnFail: false,
      });
      report.added.push(data.path);
    }
  } finally {
    await queue.close();
  }
  return report;
}
