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

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const isNumberArray = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x));
