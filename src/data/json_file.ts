// Reads and parses a JSON file, turning a missing file or bad JSON into a DataError that names it.
import { existsSync, readFileSync } from "node:fs";
import { DataError } from "./errors.ts";

export function readJsonFile(loader: string, path: string): unknown {
  if (!existsSync(path)) throw new DataError(loader, path, "file is missing");
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new DataError(loader, path, `invalid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
export const isNumberArray = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x));
