// Where the real datasets live ($AETNET_DATA, else the project root's sibling folder shared/data), and paths from
// list files kept inside their dataset folder.
import { isAbsolute, resolve, sep } from "node:path";
import { DataError } from "./errors.ts";

/** The datasets folder (holding funsd/, sroie/, ...); never inside the repository, which must not hold data copies. */
export function dataRoot(): string {
  return process.env.AETNET_DATA ?? resolve(import.meta.dirname, "../../../shared/data");
}

/**
 * `folder` joined with `entry`, a relative path read from a list file (`listFile`: a split list, a label file),
 * refusing an entry that is absolute, holds a NUL byte, or leaves `folder` through `..`: a list file names files
 * of its dataset and nothing else on the machine.
 */
export function pathInFolder(loader: string, listFile: string, folder: string, entry: string): string {
  const base = resolve(folder);
  const path = resolve(base, entry);
  if (entry.includes("\0") || isAbsolute(entry) || !path.startsWith(base + sep)) {
    throw new DataError(loader, listFile, `entry ${JSON.stringify(entry)} is not a path inside ${folder}`);
  }
  return path;
}
