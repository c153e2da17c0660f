// Training checkpoints: a directory holding model.safetensors (weights) and state.json (step, optimizer, config...).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Tensor } from "../tensor.ts";
import { FormatError } from "../errors.ts";
import { writeFileAtomic } from "./atomic_write.ts";
import { loadSafetensors, serializeSafetensors } from "./safetensors.ts";

/** The checkpoint folder's safetensors weights file name. */
export const WEIGHTS_FILE = "model.safetensors";
/** The checkpoint folder's JSON state file name. */
export const STATE_FILE = "state.json";
/** Metadata key in model.safetensors that ties it to the state.json written by the same save. */
export const STATE_HASH_KEY = "state_sha256";

/** What a checkpoint folder holds: the weights, a JSON-serialisable state, and safetensors metadata. */
export interface Checkpoint {
  weights: Record<string, Tensor>;
  /** Anything JSON can hold exactly: plain objects, arrays, strings, finite numbers, booleans, null. */
  state: unknown;
  /** Extra string metadata stored in model.safetensors. */
  metadata?: Record<string, string>;
}

/**
 * Each file is replaced atomically, so neither is ever half-written. The pair is written state
 * first and weights last, and the weights carry the sha256 of the state text: a crash between the
 * two renames leaves new state beside old weights, which loadCheckpoint detects instead of
 * silently resuming from a mixed checkpoint.
 */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  checkJson(checkpoint.state, "state");
  const stateText = JSON.stringify(checkpoint.state, null, 2) + "\n";
  const metadata = { ...checkpoint.metadata, [STATE_HASH_KEY]: sha256(stateText) };
  const weights = serializeSafetensors(checkpoint.weights, metadata);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(join(dir, STATE_FILE), stateText);
  writeFileAtomic(join(dir, WEIGHTS_FILE), weights);
}

/** Reads a checkpoint folder written by saveCheckpoint; a missing or malformed file is a FormatError naming it. */
export function loadCheckpoint(dir: string): Required<Checkpoint> {
  const op = "loadCheckpoint";
  let isDir = false;
  try { isDir = statSync(dir).isDirectory(); } catch { throw new FormatError(op, `${dir}: checkpoint directory does not exist`); }
  if (!isDir) throw new FormatError(op, `${dir}: is a file, expected a checkpoint directory holding ${WEIGHTS_FILE} and ${STATE_FILE}`);
  const weightsPath = join(dir, WEIGHTS_FILE);
  const statePath = join(dir, STATE_FILE);
  let stateText: string;
  try { stateText = readFileSync(statePath, "utf8"); } catch { throw new FormatError(op, `${statePath}: missing (a checkpoint directory holds ${WEIGHTS_FILE} and ${STATE_FILE})`); }
  try { statSync(weightsPath); } catch { throw new FormatError(op, `${weightsPath}: missing (a checkpoint directory holds ${WEIGHTS_FILE} and ${STATE_FILE})`); }
  const { tensors, metadata } = loadSafetensors(weightsPath);
  const expected = metadata[STATE_HASH_KEY];
  if (expected !== undefined && expected !== sha256(stateText)) {
    throw new FormatError(op, `${dir}: ${STATE_FILE} does not belong to ${WEIGHTS_FILE} (sha256 mismatch); the two come from different saves, probably a crash between them`);
  }
  let state: unknown;
  try { state = JSON.parse(stateText); } catch (e) { throw new FormatError(op, `${statePath}: not valid JSON (${e instanceof Error ? e.message : String(e)})`); }
  return { weights: tensors, state, metadata };
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** JSON.stringify silently turns NaN into null and drops undefined and functions; refuse instead, naming the path. */
function checkJson(value: unknown, path: string): void {
  const bad = (what: string): never => { throw new FormatError("saveCheckpoint", `${path} is ${what}, which JSON cannot store exactly`); };
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") { if (!Number.isFinite(value)) bad(String(value)); return; }
  if (Array.isArray(value)) { value.forEach((v, i) => checkJson(v, `${path}[${i}]`)); return; }
  if (typeof value !== "object") return bad(`of type ${typeof value}`);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return bad(`a ${value.constructor?.name ?? "class"} instance (tensors belong in weights)`);
  for (const [k, v] of Object.entries(value)) checkJson(v, `${path}.${k}`);
}
