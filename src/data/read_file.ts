// Reading a dataset file: missing, a folder, or unreadable is a DataError naming it, never a raw fs error.
import { readFileSync, statSync } from "node:fs";
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
