// Reads and validates a safetensors header: the u64 length prefix, the JSON, every tensor entry and the byte layout.
import { FormatError } from "../errors.ts";
import { SAFE_DTYPE_SIZE, isSafeDType, type SafeDType } from "./safetensors_dtypes.ts";

/** One validated tensor entry; begin/end are relative to the start of the byte buffer. */
export interface TensorEntry { name: string; dtype: SafeDType; shape: number[]; begin: number; end: number }
export interface Header { entries: TensorEntry[]; metadata: Record<string, string>; bufferStart: number }

/** The reference implementation's limit: a larger header is a corrupt or hostile file, not a big model. */
export const MAX_HEADER_BYTES = 100_000_000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * Parses the header and checks everything the reference reader checks, so that a file passing
 * here decodes without surprises: known dtypes, integer shapes, byte counts that match the shape,
 * and data_offsets that tile the byte buffer exactly (no gaps, no overlap, nothing left over).
 * Every message names `source` (the file path) and, where one is to blame, the tensor.
 */
export function parseHeader(bytes: Uint8Array, op: string, source: string): Header {
  // Declared with an explicit type so TypeScript narrows after each `if (...) fail(...)`.
  const fail: (detail: string) => never = (detail) => { throw new FormatError(op, `${source}: ${detail}`); };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, shorter than the 8-byte header length prefix`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt length prefix?)`);
  const headerLen = Number(n);
  if (8 + headerLen > bytes.length) fail(`header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`);

  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
  } catch {
    fail("header is not valid UTF-8");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!isRecord(json)) fail(`header must be a JSON object, got ${Array.isArray(json) ? "an array" : json === null ? "null" : typeof json}`);
  // Records are built with Object.fromEntries so that a key such as "__proto__" stays an own property.
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === "__metadata__") {
      if (value === null) continue; // the reference writer emits null for "no metadata"
      if (!isRecord(value)) fail(`__metadata__ must be an object of strings, got ${Array.isArray(value) ? "an array" : typeof value}`);
      const pairs: [string, string][] = [];
      for (const [k, v] of Object.entries(value)) {
        if (typeof v !== "string") fail(`__metadata__ value for key "${k}" must be a string, got ${JSON.stringify(v)}`);
        pairs.push([k, v]);
      }
      metadata = Object.fromEntries(pairs);
      continue;
    }
    entries.push(parseEntry(name, value, fail));
  }

  checkLayout(entries, bytes.length - 8 - headerLen, fail);
  return { entries, metadata, bufferStart: 8 + headerLen };
}

function parseEntry(name: string, value: unknown, fail: (detail: string) => never): TensorEntry {
  const bad = (detail: string): never => fail(`tensor "${name}": ${detail}`);
  if (!isRecord(value)) return bad(`entry must be an object with dtype, shape and data_offsets, got ${JSON.stringify(value)}`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== "string") return bad(`dtype must be a string, got ${JSON.stringify(dtype)}`);
  if (!isSafeDType(dtype)) return bad(`unknown dtype "${dtype}" (supported: ${Object.keys(SAFE_DTYPE_SIZE).join(", ")})`);
  if (!Array.isArray(shape) || !shape.every(isIndex)) return bad(`shape must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    return bad(`data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const dims: number[] = shape.slice();
  const [begin, end]: number[] = offsets;
  if (end < begin) return bad(`data_offsets end ${end} is before begin ${begin}`);
  const numel = dims.reduce((a, b) => a * b, 1);
  const expected = numel * SAFE_DTYPE_SIZE[dtype];
  if (expected !== end - begin) {
    return bad(`data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${dims.join(", ")}] of ${dtype} needs ${expected}`);
  }
  return { name, dtype, shape: dims, begin, end };
}

/** Every byte of the buffer must belong to exactly one tensor, as the reference reader demands. */
function checkLayout(entries: TensorEntry[], bufferLen: number, fail: (detail: string) => never): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of sorted) {
    if (e.end > bufferLen) fail(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] run past the ${bufferLen}-byte data buffer`);
    if (e.begin < pos) fail(`tensor "${e.name}": data_offsets [${e.begin}, ${e.end}] overlap the previous tensor, which ends at ${pos}`);
    if (e.begin > pos) fail(`tensor "${e.name}": data_offsets begin at ${e.begin} but the previous tensor ends at ${pos}; the gap is not covered by any tensor`);
    pos = e.end;
  }
  if (pos !== bufferLen) fail(`tensors cover ${pos} bytes but the data buffer has ${bufferLen}; ${bufferLen - pos} trailing bytes belong to no tensor`);
}
