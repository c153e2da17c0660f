// Where the real datasets live: $AETNET_DATA, else the project root's sibling folder shared/data.
import { resolve } from "node:path";

/** The datasets folder (holding funsd/, sroie/, ...); never inside the repository, which must not hold data copies. */
export function dataRoot(): string {
  return process.env.AETNET_DATA ?? resolve(import.meta.dirname, "../../../shared/data");
}
