// Reading a dataset file: missing, a folder, or unreadable is a DataError naming it, never a raw fs error.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { DataError } from "./errors.ts";

/** Throws a DataError unless `path` is an existing regular file; `what` names it ("image file", "label file"). */
export function checkIsFile(loader: string, path: string, what = "file"): void {
  let isFile: boolean;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new DataError(loader, path, `${what} is missing`);
  }
  if (!isFile) throw new DataError(loader, path, `${what} is a folder or device, not a file`);
}

/** The bytes of `path` (see checkIsFile). */
export function readDataFile(loader: string, path: string, what = "file"): Buffer {
  checkIsFile(loader, path, what);
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DataError(loader, path, `cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** The text of `path` as UTF-8 (see readDataFile). */
export const readDataText = (loader: string, path: string, what = "file"): string => readDataFile(loader, path, what).toString("utf8");

/** The entry names in folder `dir` (sorted); missing, not a folder, or unreadable is a DataError naming it. */
export function listFolder(loader: string, dir: string, what = "folder"): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(loader, dir, code === "ENOENT" ? `${what} is missing` : code === "ENOTDIR" ? `${what} is a file, not a folder` : `cannot read ${what} (${code ?? String(err)})`);
  }
}

/** Whether `path` is a folder; false for a missing path or a broken link. */
export function isFolder(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}
