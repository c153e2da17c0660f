// results.jsonl: one DocumentResult per line, appended and fsynced one document at a time, so that a run stopped
// at any moment loses at most the document in progress and a rerun skips what is already there.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import type { DocumentResult } from "./result.ts";

/**
 * The documents already recorded in `path` (none when it does not exist). A last line cut short by a crash is
 * removed from the file, so the next append starts on a fresh line.
 */
export function readDoneDocuments(path: string): Set<string> {
  const done = new Set<string>();
  if (!existsSync(path)) return done;
  const text = readFileSync(path, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
  for (const line of text.slice(0, end).split("\n")) {
    if (line.trim() === "") continue;
    try {
      const record: unknown = JSON.parse(line);
      const ok = typeof record === "object" && record !== null && "document" in record && typeof record.document === "string";
      if (ok) done.add(record.document as string);
    } catch { /* a damaged line: its document is simply processed again */ }
  }
  return done;
}

/** Appends one record as a line and flushes it to disk before returning. */
export function appendResult(path: string, result: DocumentResult): void {
  const fd = openSync(path, "a");
  try {
    writeSync(fd, JSON.stringify(result) + "\n");
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
