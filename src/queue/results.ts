// `aetnet queue results`: the finished documents' result lines, appended to a results.jsonl as folder mode writes
// it (the same records, the same resume rule: a document already in the file is not written again).
import { appendResult, readDoneDocuments } from "../extract/results_file.ts";
import type { DocumentResult } from "../extract/result.ts";
import { loadBullMQ } from "./bullmq.ts";
import type { RedisConnection } from "./connection.ts";
import { parseJobData } from "./document_job.ts";

export interface CollectReport { written: number; done: number; failed: number; skipped: number; pending: number }

/** Jobs read from Redis per round trip. */
const PAGE = 500;

export async function collectResults(name: string, connection: RedisConnection, out: string): Promise<CollectReport> {
  const { Queue } = await loadBullMQ();
  const queue = new Queue(name, { connection });
  const seen = readDoneDocuments(out);
  const report: CollectReport = { written: 0, done: 0, failed: 0, skipped: 0, pending: 0 };
  const write = (result: DocumentResult): void => {
    if (seen.has(result.document)) { report.skipped++; return; }
    seen.add(result.document);
    appendResult(out, result);
    report.written++;
  };
  try {
    for (const state of ["completed", "failed"] as const) {
      for (let start = 0; ; start += PAGE) {
        const jobs = await queue.getJobs([state], start, start + PAGE - 1, true);
        for (const job of jobs) {
          const data = parseJobData(job.id!, job.data);
          if (state === "completed") { report.done++; write(job.returnvalue as DocumentResult); continue; }
          report.failed++;
          const error = (job.failedReason ?? "failed").split("\n")[0];
          write({ document: data.path, pages: [], entities: [], timing: { loadMs: 0, modelMs: 0, totalMs: 0 }, error });
        }
        if (jobs.length < PAGE) break;
      }
    }
    const c = await queue.getJobCounts("waiting", "prioritized", "active", "delayed");
    report.pending = Object.values(c).reduce((a, b) => a + b, 0);
  } finally {
    await queue.close();
  }
  return report;
}
