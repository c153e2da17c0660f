// One queue job as the worker runs it (runDocumentJob, no Redis needed): the processor must get the bytes the hash
// check read, so a document rewritten on disk right after the check is not what runs, and a document that no longer
// has its queued hash never reaches the processor.
import fs, { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { documentJob } from "../../../src/queue/document_job.ts";
import { QueueError } from "../../../src/queue/errors.ts";
import { runDocumentJob, type DocumentProcessor } from "../../../src/queue/worker.ts";

const t = suite("queue worker: one job");
const QUEUED = new TextEncoder().encode("%PDF-1.4 the document as it was queued\n");
const LATER = new TextEncoder().encode("%PDF-1.4 the same file, rewritten after the worker checked it\n");

/** A processor that records the bytes it was given and answers with their length. */
function spyProcessor(): { process: DocumentProcessor; seen: Uint8Array[] } {
  const seen: Uint8Array[] = [];
  const process: DocumentProcessor = async (_job, bytes) => {
    seen.push(Uint8Array.from(bytes));
    return { bytes: bytes.length };
  };
  return { process, seen };
}

/**
 * Runs fn with fs.readFileSync (as every module sees it, ES imports included) rewriting `path` to `later` right after
 * its first read returns: the worker's hash check. Whatever reads the file after that gets `later`.
 */
async function rewrittenAfterFirstRead<T>(path: string, later: Uint8Array, fn: () => Promise<T>): Promise<T> {
  const real = fs.readFileSync;
  let reads = 0;
  fs.readFileSync = ((file: unknown, ...rest: unknown[]) => {
    const out = (real as (...args: unknown[]) => unknown)(file, ...rest);
    if (file === path && reads++ === 0) writeFileSync(path, later);
    return out;
  }) as typeof real;
  syncBuiltinESMExports();
  try { return await fn(); } finally {
    fs.readFileSync = real;
    syncBuiltinESMExports();
  }
}

function withDocument(fn: (dir: string, path: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "aetnet-worker-"));
    try {
      const path = join(dir, "form.pdf");
      writeFileSync(path, QUEUED);
      await fn(dir, path);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  };
}

const CHECKED_BYTES = "the processor gets the bytes the hash check read, not the file as it is on disk afterwards";
t(CHECKED_BYTES, withDocument(async (dir, path) => {
  const job = documentJob(path);
  const { process, seen } = spyProcessor();
  const results = join(dir, "results");
  mkdirSync(results);
  const result = await rewrittenAfterFirstRead(path, LATER, () => runDocumentJob(job.id, job.data, process, results));
  assert.ok(Buffer.from(readFileSync(path)).equals(Buffer.from(LATER)), "the file was rewritten right after the check");
  assert.is(seen.length, 1);
  const got = new TextDecoder().decode(seen[0]);
  assert.ok(Buffer.from(seen[0]).equals(Buffer.from(QUEUED)), `the processor got: ${got}`);
  assert.equal(result, { bytes: QUEUED.length });
  assert.equal(JSON.parse(readFileSync(join(results, `${job.id}.json`), "utf8")), result, "stored before returning");
}));

const CHANGED = "a document changed since it was queued is refused before the processor runs; nothing is stored";
t(CHANGED, withDocument(async (dir, path) => {
  const job = documentJob(path);
  writeFileSync(path, LATER);
  const { process, seen } = spyProcessor();
  try {
    await runDocumentJob(job.id, job.data, process, dir);
    assert.unreachable("should throw");
  } catch (err) {
    assert.instance(err, QueueError);
    assert.match((err as Error).message, new RegExp(`job ${job.id}: .*form\\.pdf changed since it was queued`));
  }
  assert.is(seen.length, 0);
  assert.not.ok(existsSync(join(dir, `${job.id}.json`)));
}));

t("job data that is not {path, name, sha256} is a typed error naming the job", withDocument(async (_dir, path) => {
  const { process, seen } = spyProcessor();
  try {
    await runDocumentJob("doc-x", { path }, process);
    assert.unreachable("should throw");
  } catch (err) {
    assert.instance(err, QueueError);
    assert.match((err as Error).message, /job doc-x: expected data \{"path", "name", "sha256"\}/);
  }
  assert.is(seen.length, 0);
}));

t.run();
