// Crash-safe file replacement: write a temp file beside the target, fsync it, then rename it over the target.
import * as nodeFs from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { crashPoint } from "./crash_points.ts";

/** The few fs calls an atomic write makes; tests pass a wrapped copy to inject failures at each step. */
export interface AtomicFs {
  openSync: typeof nodeFs.openSync;
  writeSync: (fd: number, data: Uint8Array, offset: number, length: number) => number;
  fsyncSync: typeof nodeFs.fsyncSync;
  closeSync: typeof nodeFs.closeSync;
  renameSync: typeof nodeFs.renameSync;
  unlinkSync: typeof nodeFs.unlinkSync;
}

/** Options of writeFileAtomic: the file-system calls to use (tests inject failures here). */
export interface AtomicWriteOptions { fs?: AtomicFs }

/** Temp files start with this so a directory listing (or a cleanup script) can tell them apart. */
export const TEMP_MARKER = ".tmp-";

/**
 * Replaces `path` with `data` so that a reader (or a restart after a crash) sees either the old
 * file or the complete new one, never a prefix. rename(2) within one directory is atomic on POSIX;
 * the fsync before it makes sure the data is on disk before the name points at it, and the fsync of
 * the directory after it makes the rename itself durable. On any error the temp file is removed
 * and the old file is untouched. A process killed mid-write can leave a temp file behind (named
 * `.<name>.tmp-*`); it never shadows the real name.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, options: AtomicWriteOptions = {}): void {
  const fs = options.fs ?? nodeFs;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString("hex")}`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, "wx", 0o644); // wx: never reuse someone else's file
    let written = 0;
    while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    crashPoint(`fsync ${tmp}`);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    crashPoint(`rename ${tmp} -> ${path}`);
    fs.renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) try { fs.closeSync(fd); } catch { /* already failing; keep the first error */ }
    try { fs.unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    throw err;
  }
  syncDir(dir);
}

/**
 * Makes the entries of `dir` (names created, renamed or removed in it) durable. Best effort: some filesystems
 * (and Windows) refuse to open or fsync a directory; the data itself is already safe.
 */
export function syncDir(dir: string): void {
  crashPoint(`fsync ${dir}/`);
  let fd: number | null = null;
  try {
    fd = nodeFs.openSync(dir, "r");
    nodeFs.fsyncSync(fd);
  } catch { /* not supported here */ } finally {
    if (fd !== null) nodeFs.closeSync(fd);
  }
}
