// Reads and parses a JSON file, turning a missing file or bad JSON into a DataError that names it.
import { DataError } from "./errors.ts";
import { readDataText } from "./read_file.ts";

export function readJsonFile(loader: string, path: string): unknown {
  const text = readDataText(loader, path);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new DataError(loader, path, `invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}
