// One job per document: its id is the hash of the file's bytes, so a document is queued (and its result kept) once.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { QueueError } from "./errors.ts";

/** What a job carries: where the document is (a path every worker can read) and the hash it must still have. */
export interface DocumentJobData { path: string; name: string; sha256: string }

/** The BullMQ job name of every document job. */
export const DOCUMENT_JOB = "document";

export const sha256Of = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** Job ids are "doc-" + the first 32 hex digits (128 bits) of the document's SHA-256. */
export const jobIdFor = (sha256: string): string => `doc-${sha256.slice(0, 32)}`;

export function documentJob(path: string): { id: string; data: DocumentJobData } {
  const abs = resolve(path);
  let bytes: Buffer;
  try { bytes = readFileSync(abs); } catch (err) {
    throw new QueueError(`${abs}: cannot read the document (${err instanceof Error ? err.message : String(err)})`);
  }
  const sha256 = sha256Of(bytes);
  return { id: jobIdFor(sha256), data: { path: abs, name: basename(abs), sha256 } };
}

/** Validates a job's data as read back from Redis (another version of the program may have queued it). */
export function parseJobData(id: string, data: unknown): DocumentJobData {
  const d = data as Partial<DocumentJobData> | null;
  if (typeof d !== "object" || d === null || typeof d.path !== "string" || typeof d.name !== "string" || typeof d.sha256 !== "string") {
    throw new QueueError(`job ${id}: expected data {"path", "name", "sha256"} (strings), got ${JSON.stringify(data)}`);
  }
  return { path: d.path, name: d.name, sha256: d.sha256 };
}

/** The document's bytes, refused when they are no longer the bytes that were queued. */
export function readJobDocument(id: string, job: DocumentJobData): Buffer {
  let bytes: Buffer;
  try { bytes = readFileSync(job.path); } catch (err) {
    throw new QueueError(`job ${id}: cannot read ${job.path} on this machine (${err instanceof Error ? err.message : String(err)})`);
  }
  const now = sha256Of(bytes);
  if (now !== job.sha256) throw new QueueError(`job ${id}: ${job.path} changed since it was queued (sha256 ${now.slice(0, 12)}…, queued ${job.sha256.slice(0, 12)}…)`);
  return bytes;
}
