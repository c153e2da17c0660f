// A queue worker: takes document jobs, runs the document pipeline, stores each result, and only then acknowledges.
// BullMQ marks a job completed (with its result as the return value, in one Redis transaction) only after the
// processor below has returned, so a worker killed mid-job leaves the job active with an expiring lock; the
// stalled-job check of any live worker moves it back to waiting, and another worker runs it again.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../engine/io/atomic_write.ts";
import { loadBullMQ } from "./bullmq.ts";
import type { RedisConnection } from "./connection.ts";
import { parseJobData, readJobDocument, type DocumentJobData } from "./document_job.ts";

/**
 * Runs one document, given its bytes as checked against the job's hash (the file is not read again, so what runs
 * is what was checked); resolves to its result line, or throws (the job is retried, then ends in the failed set).
 */
export type DocumentProcessor = (job: DocumentJobData, bytes: Uint8Array, jobId: string) => Promise<object>;

export interface WorkerOptions {
  queue: string;
  connection: RedisConnection;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Also write each result to DIR/<job id>.json (fsync'd) before acknowledging. */
  resultsDir?: string;
  /** How long a job's lock lasts without renewal: a killed worker's job is handed on after at most this (ms). */
  lockMs: number;
  /** How many times a job may be found stalled (its worker died) before it fails. */
  maxStalled: number;
  /** A name for this worker, recorded on each job it processes (default host:pid). */
  name?: string;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { kind: "completed"; id: string; name: string; ms: number }
  | { kind: "failed"; id: string; name: string; error: string; willRetry: boolean }
  | { kind: "stalled"; id: string }
  | { kind: "error"; message: string };

export interface RunningWorker { close(): Promise<void>; closed: Promise<void> }

/**
 * One job as the worker runs it: its data checked, its document read once and checked against the job's hash, the
 * processor run on exactly those bytes, and the result stored in resultsDir/<id>.json (when given) before returning.
 */
export async function runDocumentJob(
  id: string, rawData: unknown, process: DocumentProcessor, resultsDir?: string,
): Promise<object> {
  const data = parseJobData(id, rawData);
  const bytes = readJobDocument(id, data); // refuses a document that changed since it was queued
  const result = await process(data, bytes, id);
  // Durable before the acknowledgement: a crash after this line re-runs the job, which rewrites the same file.
  if (resultsDir !== undefined) writeFileAtomic(join(resultsDir, `${id}.json`), `${JSON.stringify(result)}\n`);
  return result;
}

export async function startWorker(opts: WorkerOptions, process: DocumentProcessor): Promise<RunningWorker> {
  const { Worker } = await loadBullMQ();
  if (opts.resultsDir !== undefined) mkdirSync(opts.resultsDir, { recursive: true });
  const worker = new Worker(opts.queue, (job) => runDocumentJob(job.id!, job.data, process, opts.resultsDir), {
    connection: opts.connection,
    concurrency: opts.concurrency,
    lockDuration: opts.lockMs,
    stalledInterval: Math.max(1000, Math.round(opts.lockMs / 2)),
    maxStalledCount: opts.maxStalled,
    name: opts.name,
    autorun: true,
  });
  const emit = opts.onEvent ?? (() => {});
  worker.on("completed", (job) => {
    const ms = (job.finishedOn ?? 0) - (job.processedOn ?? 0);
    emit({ kind: "completed", id: job.id!, name: String(job.data?.name), ms });
  });
  worker.on("failed", (job, err) => {
    if (!job) return;
    const willRetry = job.attemptsMade < (job.opts.attempts ?? 1);
    emit({ kind: "failed", id: job.id!, name: String(job.data?.name), error: err.message, willRetry });
  });
  worker.on("stalled", (id) => emit({ kind: "stalled", id }));
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => { resolveClosed = r; });
  worker.on("closed", () => resolveClosed());
  // Without this the 'error' event (a lost connection, say) would be thrown; BullMQ reconnects by itself.
  worker.on("error", (err) => emit({ kind: "error", message: err.message }));
  await worker.waitUntilReady();
  return { close: () => worker.close(), closed };
}
