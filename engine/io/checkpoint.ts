// Training checkpoints as a two-phase commit. A checkpoint `dir` is a pointer (a relative symlink) to a version
// folder `dir.vN` holding model.safetensors (weights) and state.json (step, optimizer, config...). A save writes a
// new version folder completely under a temp name, fsyncs its files and itself, renames it to `dir.vN+1`, then
// switches the pointer with one atomic rename. The previous version is kept: when the newest cannot be read,
// loadCheckpoint falls back to it and says so in `fellBack`.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, rmdirSync, statSync, symlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Tensor } from "../tensor.ts";
import { FormatError } from "../errors.ts";
import { syncDir, TEMP_MARKER } from "./atomic_write.ts";
import { crashPoint } from "./crash_points.ts";
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

/** A checkpoint as loadCheckpoint read it: its contents, the version folder, and whether it fell back to an older one. */
export interface LoadedCheckpoint extends Required<Checkpoint> {
  /** The version folder that was read. */
  folder: string;
  /** Set when the newest checkpoint could not be read and an older complete one was: why the newest failed. */
  fellBack?: { reason: string };
}

/**
 * Commits `checkpoint` as the new content of `dir` (see the file comment). A crash at any point leaves `dir`
 * pointing at the previous complete version (or, during the very first save, at nothing: then there is no
 * checkpoint, and nothing needs deleting by hand). Stale temp folders of crashed saves are removed first, and
 * versions older than the previous one are removed last. A plain folder at `dir` (the layout before pointers)
 * becomes the first version.
 */
export function saveCheckpoint(dir: string, checkpoint: Checkpoint): void {
  checkJson(checkpoint.state, "state");
  const stateText = JSON.stringify(checkpoint.state, null, 2) + "\n";
  const metadata = { ...checkpoint.metadata, [STATE_HASH_KEY]: sha256(stateText) };
  const weights = serializeSafetensors(checkpoint.weights, metadata);
  const parent = dirname(dir), name = basename(dir);
  mkdirSync(parent, { recursive: true });
  removeStaleTemps(parent);
  adoptPlainFolder(dir);
  const current = findCheckpoint(dir); // the last good version: kept through this save
  const previous = current === null ? null : basename(current);
  const version = `${name}.v${Math.max(0, ...versions(dir).map((v) => v.n)) + 1}`;
  const tmp = join(parent, tempName(name));
  mkdirSync(tmp);
  writeDurable(join(tmp, STATE_FILE), new TextEncoder().encode(stateText));
  writeDurable(join(tmp, WEIGHTS_FILE), weights);
  syncDir(tmp);
  crashPoint(`rename ${tmp} -> ${version}`);
  renameSync(tmp, join(parent, version));
  syncDir(parent);
  const link = join(parent, tempName(name));
  symlinkSync(version, link, "dir");
  crashPoint(`rename ${link} -> ${dir}`);
  renameSync(link, dir); // the commit: rename(2) replaces the old pointer atomically
  syncDir(parent);
  for (const v of versions(dir)) if (v.name !== version && v.name !== previous) discard(join(parent, v.name));
}

/**
 * Reads the checkpoint at `dir`: the version its pointer names, else (unreadable, or no pointer after a crash)
 * the newest other complete version. `dir` may also be a plain folder holding the two files.
 */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const candidates = checkpointCandidates(dir);
  if (candidates.length === 0) return { ...loadFolder(dir), folder: dir }; // throws the precise reason
  let first: FormatError | null = null;
  for (const folder of candidates) {
    try {
      const loaded = { ...loadFolder(folder), folder };
      return first === null ? loaded : { ...loaded, fellBack: { reason: first.message } };
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      first ??= err;
    }
  }
  throw first!;
}

/**
 * The folder loadCheckpoint would try first, or null when `dir` holds no checkpoint with both files present
 * (cheap: no hashing). Use it to ask "is there a checkpoint to resume from?".
 */
export function findCheckpoint(dir: string): string | null {
  return checkpointCandidates(dir).find((f) => isFile(join(f, STATE_FILE)) && isFile(join(f, WEIGHTS_FILE))) ?? null;
}

/** The pointer's target first, then the other versions newest first; a plain folder is its only candidate. */
function checkpointCandidates(dir: string): string[] {
  const parent = dirname(dir);
  if (isPlainFolder(dir)) return [dir];
  const target = pointerTarget(dir);
  const rest = versions(dir).filter((v) => v.name !== target).sort((a, b) => b.n - a.n).map((v) => join(parent, v.name));
  return target !== null && isDirectory(join(parent, target)) ? [join(parent, target), ...rest] : rest;
}

function loadFolder(dir: string): Required<Checkpoint> {
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
    throw new FormatError(op, `${dir}: ${STATE_FILE} does not belong to ${WEIGHTS_FILE} (sha256 mismatch); the two come from different saves`);
  }
  let state: unknown;
  try { state = JSON.parse(stateText); } catch (e) { throw new FormatError(op, `${statePath}: not valid JSON (${e instanceof Error ? e.message : String(e)})`); }
  return { weights: tensors, state, metadata };
}

/** Writes a new file and makes its bytes durable before anything may point at it. */
function writeDurable(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "wx", 0o644);
  try {
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    crashPoint(`fsync ${path}`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const tempName = (name: string): string => `.${name}${TEMP_MARKER}${process.pid}-${randomBytes(4).toString("hex")}`;

/** The versions `dir.vN` beside `dir`. */
function versions(dir: string): { name: string; n: number }[] {
  const prefix = `${basename(dir)}.v`;
  let entries: string[];
  try { entries = readdirSync(dirname(dir)); } catch { return []; }
  return entries.flatMap((e) => (e.startsWith(prefix) && /^\d+$/.test(e.slice(prefix.length)) ? [{ name: e, n: Number(e.slice(prefix.length)) }] : []));
}

/** The version name the pointer at `dir` names, or null when `dir` is not a pointer. */
function pointerTarget(dir: string): string | null {
  try { return lstatSync(dir).isSymbolicLink() ? basename(readlinkSync(dir)) : null; } catch { return null; }
}

const isPlainFolder = (dir: string): boolean => { try { return lstatSync(dir).isDirectory(); } catch { return false; } };
const isDirectory = (path: string): boolean => { try { return statSync(path).isDirectory(); } catch { return false; } };
const isFile = (path: string): boolean => { try { return statSync(path).isFile(); } catch { return false; } };

/** A plain folder at `dir` becomes version 1 beside it (renamed whole, so it stays complete); an empty one goes. */
function adoptPlainFolder(dir: string): void {
  if (!isPlainFolder(dir)) return;
  if (readdirSync(dir).length === 0) { rmdirSync(dir); return; }
  if (!isFile(join(dir, STATE_FILE))) throw new FormatError("saveCheckpoint", `${dir}: exists and is not a checkpoint (no ${STATE_FILE}); refusing to replace it`);
  const version = `${basename(dir)}.v${Math.max(0, ...versions(dir).map((v) => v.n)) + 1}`;
  crashPoint(`rename ${dir} -> ${version}`);
  renameSync(dir, join(dirname(dir), version));
  syncDir(dirname(dir));
}

/** Renames a version out of the way first (one atomic step), so a half-deleted folder never looks like a version. */
function discard(folder: string): void {
  const doomed = join(dirname(folder), tempName(basename(folder)));
  renameSync(folder, doomed);
  rmSync(doomed, { recursive: true, force: true });
}

/**
 * Removes temp files and folders (`.NAME.tmp-PID-…`) left in `dir` by writers that died: those whose process is
 * gone. A live process's temp entries (a save in progress elsewhere) are left alone.
 */
export function removeStaleTemps(dir: string): string[] {
  let entries: string[];
  try { entries = readdirSync(dir); } catch { return []; }
  const removed: string[] = [];
  for (const e of entries) {
    const m = e.startsWith(".") ? TEMP_PATTERN.exec(e) : null;
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || isAlive(pid)) continue; // a write in progress, here or in another live process
    rmSync(join(dir, e), { recursive: true, force: true });
    removed.push(e);
  }
  return removed;
}

const TEMP_PATTERN = new RegExp(`${TEMP_MARKER.replace(".", "\\.")}(\\d+)-[0-9a-f]+$`);

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === "EPERM"; }
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
