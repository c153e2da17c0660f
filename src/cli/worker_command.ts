// `aetnet worker`: loads a checkpoint once, then takes document jobs from the queue until stopped (Ctrl-C, SIGTERM).
import { hostname } from "node:os";
import { num, parse, str } from "./args.ts";
import { displayUrl, redisConnection } from "../queue/connection.ts";
import { documentProcessor } from "../queue/document_processor.ts";
import { startWorker, type WorkerEvent } from "../queue/worker.ts";

export const WORKER_HELP = `aetnet worker — process documents queued by "aetnet queue add", on this machine

Usage: aetnet worker --checkpoint DIR --queue NAME [--redis URL] [--concurrency N] [--results DIR]

  --checkpoint DIR   the model (a run folder or checkpoint, as "aetnet predict" takes); loaded once
  --queue NAME       the queue to take jobs from
  --redis URL        redis://[:password@]host:port[/db] (default $AETNET_REDIS, else redis://127.0.0.1:6379)
  --concurrency N    documents this process works on at once (default 1; OCR overlaps with the model)
  --results DIR      also write each result to DIR/<job id>.json, fsync'd before the job is acknowledged
                     (the result is always kept on the finished job too: "aetnet queue results" collects it)
  --lock-ms MS       a job whose worker stops renewing its lock for this long is handed to another worker
                     (default 30000; keep it well above the time one document takes)
  --name NAME        this worker's name on the jobs it processes (default host:pid)
  -h, --help         this text

Runs until interrupted; SIGINT/SIGTERM finish the documents in hand, then exit. A worker killed outright loses
nothing: its job is handed on after --lock-ms and run again.`;

const OPTIONS = {
  checkpoint: { type: "string" }, queue: { type: "string" }, redis: { type: "string" }, concurrency: { type: "string" },
  results: { type: "string" }, "lock-ms": { type: "string" }, name: { type: "string" },
} as const;

function logEvent(e: WorkerEvent): void {
  if (e.kind === "completed") console.error(`done   ${e.id} ${e.name} (${(e.ms / 1000).toFixed(2)} s)`);
  else if (e.kind === "failed") console.error(`failed ${e.id} ${e.name}: ${e.error}${e.willRetry ? " (will retry)" : ""}`);
  else if (e.kind === "stalled") console.error(`stalled ${e.id}: its worker stopped; handed back to the queue`);
  else console.error(`worker: ${e.message}`);
}

export async function workerCommand(argv: readonly string[]): Promise<void> {
  const p = parse(argv, OPTIONS, WORKER_HELP);
  if (p.help) { console.log(WORKER_HELP); return; }
  const checkpoint = str(p, "checkpoint", WORKER_HELP, true);
  const queue = str(p, "queue", WORKER_HELP, true);
  const connection = redisConnection(str(p, "redis", WORKER_HELP));
  const concurrency = num(p, "concurrency", WORKER_HELP, 1, { min: 1, max: 64, integer: true });
  const lockMs = num(p, "lock-ms", WORKER_HELP, 30_000, { min: 1000, max: 3_600_000, integer: true });
  const name = str(p, "name", WORKER_HELP) ?? `${hostname()}:${process.pid}`;
  const processor = documentProcessor(checkpoint);
  const worker = await startWorker({ queue, connection, concurrency, lockMs, maxStalled: 3, name, resultsDir: str(p, "results", WORKER_HELP), onEvent: logEvent }, processor);
  console.error(`worker ${name}: queue ${queue} at ${displayUrl(connection.url)}, concurrency ${concurrency}`);
  const stop = (): void => { console.error(`worker ${name}: finishing the documents in hand, then exiting`); void worker.close(); };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  await worker.closed;
  await processor.close();
}
