// `aetnet queue add | status | results`: the producer and observer side of the distributed job queue (BullMQ on Redis).
import { UsageError, num, parse, str } from "./args.ts";
import { displayUrl, redisConnection } from "../queue/connection.ts";
import { enqueueDocuments } from "../queue/enqueue.ts";
import { collectResults } from "../queue/results.ts";
import { formatStatus, queueStatus } from "../queue/status.ts";
import { inputFiles } from "../extract/input_files.ts";

export const QUEUE_HELP = `aetnet queue — enqueue documents for "aetnet worker" processes on any number of machines, and follow them

Usage: aetnet queue add --input DIR_OR_GLOB --queue NAME [--redis URL] [--attempts N]
       aetnet queue status --queue NAME [--redis URL]
       aetnet queue results --queue NAME [--redis URL] --out results.jsonl

  --input DIR_OR_GLOB  documents to add (images or PDFs, as "aetnet predict --input" takes); one job per document,
                       its id the hash of the file's bytes: a document already queued, done or failed is not added again.
                       Workers read the document from this path, so give a path every worker machine can read.
  --queue NAME         the queue's name (several queues can share one Redis)
  --redis URL          redis://[:password@]host:port[/db] (default $AETNET_REDIS, else redis://127.0.0.1:6379)
  --attempts N         tries per document before it ends in the failed set, with exponential backoff (default 3)
  --out FILE           results: append one JSON line per finished document not yet in FILE (as "predict --input"
                       writes; failed documents get a line with their error)
  -h, --help           this text`;

const OPTIONS = {
  input: { type: "string" }, queue: { type: "string" }, redis: { type: "string" }, attempts: { type: "string" }, out: { type: "string" },
} as const;

export async function queueCommand(argv: readonly string[]): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h") { console.log(QUEUE_HELP); if (sub === undefined) throw new UsageError("expected add, status or results", QUEUE_HELP); return; }
  const p = parse(rest, OPTIONS, QUEUE_HELP);
  if (p.help) { console.log(QUEUE_HELP); return; }
  const name = str(p, "queue", QUEUE_HELP, true);
  const connection = redisConnection(str(p, "redis", QUEUE_HELP));
  if (sub === "add") {
    const input = str(p, "input", QUEUE_HELP, true);
    const attempts = num(p, "attempts", QUEUE_HELP, 3, { min: 1, max: 100, integer: true });
    const paths = inputFiles(input);
    const r = await enqueueDocuments(paths, { queue: name, connection, attempts, backoffMs: 2000 });
    console.log(`queue ${name} at ${displayUrl(connection.url)}: added ${r.added.length}, already queued or done ${r.alreadyQueued.length}`);
  } else if (sub === "status") {
    console.log(formatStatus(name, await queueStatus(name, connection)));
  } else if (sub === "results") {
    const out = str(p, "out", QUEUE_HELP, true);
    const r = await collectResults(name, connection, out);
    console.log(`${out}: ${r.written} new lines (${r.done} done, ${r.failed} failed), ${r.skipped} already there; ${r.pending} documents not finished yet`);
  } else {
    throw new UsageError(`unknown queue command "${sub}"; expected add, status or results`, QUEUE_HELP);
  }
}
