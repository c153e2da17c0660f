// JSONL run log: one JSON object per line (step records, evaluations, run start/end), appended as training goes.
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export type LogRecord = { type: "start" | "step" | "skip" | "eval" | "end" | "resume"; [key: string]: unknown };

export class JsonlLog {
  constructor(readonly path: string) { mkdirSync(dirname(path), { recursive: true }); }

  write(record: LogRecord): void { appendFileSync(this.path, JSON.stringify(record) + "\n"); }

  /** Replaces the file with these records (a resumed run rewrites the log up to its checkpoint, then appends). */
  reset(records: readonly LogRecord[] = []): void {
    writeFileSync(this.path, records.map((r) => JSON.stringify(r) + "\n").join(""));
  }
}
