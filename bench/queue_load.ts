// Throughput of the document job queue on this machine: folder mode (one process, no queue) against the queue with
// 1 and 2 `aetnet worker` processes on a real Redis over loopback, on the same documents and checkpoint.
//   npx tsx bench/queue_load.ts [documents=40] [scans|pdfs]
// "pdfs" are digital PDFs (text layer, no OCR); "scans" are the same pages rendered to PNG, read by OCR.
// The test suite runs a small instance (test/src/queue/load.test.ts) and checks only that every document finished.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import { setBackend } from "../engine/index.ts";
import { lazyOcr } from "../src/extract/ocr.ts";
import { loadEntityModel } from "../src/extract/load_entity_model.ts";
import { processDocument } from "../src/extract/process_document.ts";
import { readPdf } from "../src/extract/pdf.ts";
import { encodePng } from "../src/train/page_svg.ts";
import { redisConnection } from "../src/queue/connection.ts";
import { enqueueDocuments } from "../src/queue/enqueue.ts";
import { startRedis } from "../test/src/queue/redis_server.ts";
import { trainCheckpoint, writeDocuments } from "../test/src/queue/documents.ts";
import { spawnWorker, waitFor } from "../test/src/queue/workers.ts";

export interface LoadRow { mode: string; documents: number; wallS: number; perMinute: number; msPerDocument: number }

/** Wall time of processing `paths` with `workers` worker processes, from the first job taken to the last done. */
async function queueRun(url: string, checkpoint: string, paths: string[], workers: number, name: string): Promise<LoadRow> {
  const connection = redisConnection(url);
  const procs = Array.from({ length: workers }, (_, i) => spawnWorker(`${name}-${i}`, ["--checkpoint", checkpoint, "--queue", name, "--redis", url]));
  const queue = new Queue(name, { connection });
  try {
    // Every worker has loaded the model and is listening before the documents are queued, so the run measures
    // processing (each worker's first document still pays its warm-up, as folder mode's does).
    await waitFor(`${name} workers to start`, async () => (procs.every((p) => /worker \S+: queue/.test(p.log())) ? true : undefined), 120_000, 50);
    await enqueueDocuments(paths, { queue: name, connection, attempts: 1, backoffMs: 1000 });
    const counts = await waitFor(`${name} to finish`, async () => {
      const c = await queue.getJobCounts("completed", "failed");
      return c.completed + c.failed === paths.length ? c : undefined;
    }, 300_000 + 30_000 * paths.length, 200);
    if (counts.failed > 0) throw new Error(`${name}: ${counts.failed} of ${paths.length} documents failed`);
    const jobs = await queue.getCompleted(0, -1);
    const first = Math.min(...jobs.map((j) => j.processedOn!)), last = Math.max(...jobs.map((j) => j.finishedOn!));
    const wallS = (last - first) / 1000;
    return { mode: `queue, ${workers} worker${workers > 1 ? "s" : ""}`, documents: paths.length, wallS, perMinute: (paths.length * 60) / wallS, msPerDocument: (wallS * 1000) / paths.length };
  } finally {
    for (const p of procs) p.child.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));
    await queue.close();
  }
}

/** Folder mode's cost in one process with the model and OCR already loaded (what a worker has after start-up). */
async function folderRun(checkpoint: string, paths: string[]): Promise<LoadRow> {
  await setBackend("cpu", { threads: 1 }); // as each worker runs (AETNET_THREADS=1), so the rows compare
  const model = loadEntityModel(checkpoint);
  const ocr = lazyOcr();
  const t0 = performance.now();
  for (const path of paths) await processDocument(path, model, { ocr });
  const wallS = (performance.now() - t0) / 1000;
  await ocr.close();
  return { mode: "folder mode, 1 process", documents: paths.length, wallS, perMinute: (paths.length * 60) / wallS, msPerDocument: (wallS * 1000) / paths.length };
}

/** PNG scans of the PDFs' pages (rendered at 150 dpi), so the workload includes OCR as a scanned archive does. */
async function toScans(pdfs: string[], dir: string): Promise<string[]> {
  return Promise.all(pdfs.map(async (pdf, i) => {
    const [page] = await readPdf(pdf);
    const path = join(dir, `scan-${i}.png`);
    writeFileSync(path, encodePng(page.image));
    return path;
  }));
}

export async function queueLoad(documents: number, kind: "pdfs" | "scans", workerCounts: readonly number[] = [1, 2]): Promise<LoadRow[]> {
  const redis = await startRedis();
  try {
    const dir = mkdtempSync(join(tmpdir(), "aetnet-queue-load-"));
    const checkpoint = trainCheckpoint(join(dir, "run"));
    const pdfs = await writeDocuments(join(dir, "docs"), documents, false);
    const paths = kind === "pdfs" ? pdfs : await toScans(pdfs, dir);
    const rows = [await folderRun(checkpoint, paths)];
    // A queue per run: job ids (content hashes) are per queue, so each run processes every document afresh.
    for (const n of workerCounts) rows.push(await queueRun(redis.url, checkpoint, paths, n, `load-w${n}`));
    return rows;
  } finally {
    await redis.stop();
  }
}

export function formatRows(rows: readonly LoadRow[]): string {
  const base = rows[0].msPerDocument;
  return rows.map((r) => `${r.mode.padEnd(24)} ${String(r.documents).padStart(4)} docs  ${r.wallS.toFixed(1).padStart(7)} s  ${r.perMinute.toFixed(1).padStart(7)} docs/min  ${r.msPerDocument.toFixed(0).padStart(6)} ms/doc  (${(r.msPerDocument - base >= 0 ? "+" : "")}${(r.msPerDocument - base).toFixed(0)} ms vs folder)`).join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const documents = Number(process.argv[2] ?? 40);
  const kind = process.argv[3] === "scans" ? "scans" : "pdfs";
  console.log(`queue load: ${documents} ${kind}, micro checkpoint, redis-server on loopback`);
  console.log(formatRows(await queueLoad(documents, kind)));
}
