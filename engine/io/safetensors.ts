// The safetensors format (huggingface/safetensors): u64 header length, JSON header, one flat byte buffer.
import { readFileSync } from "node:fs";
import { Tensor, fromStorage } from "../tensor.ts";
import { FormatError, fmtShape } from "../errors.ts";
import type { DType } from "../dtype.ts";
import { ENGINE_TO_SAFE, decode, encode } from "./safetensors_dtypes.ts";
import { parseHeader } from "./safetensors_header.ts";
import { writeFileAtomic } from "./atomic_write.ts";

/** A safetensors file's tensors by name and its string metadata. */
export interface Safetensors { tensors: Record<string, Tensor>; metadata: Record<string, string> }

const METADATA_KEY = "__metadata__";
/** The reference writer sorts by its dtype enum, descending; for the writable types that is F64, F32, I32. */
const WRITE_RANK: Record<DType, number> = { float64: 2, float32: 1, int32: 0 };

/**
 * Encodes tensors (float32 → F32, float64 → F64, int32 → I32) and string metadata. The output is
 * deterministic: like the reference writer, tensors are laid out by dtype (F64, F32, I32: largest
 * first, which keeps each tensor aligned to its element size) then by name, and the header lists
 * them in that order after __metadata__. The header is space-padded so the buffer starts 8-byte aligned.
 */
export function serializeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  return encodeFile(tensors, metadata, "serializeSafetensors");
}

function encodeFile(tensors: Record<string, Tensor>, metadata: Record<string, string> | undefined, op: string): Uint8Array {
  for (const [name, t] of Object.entries(tensors)) {
    if (name === METADATA_KEY) throw new FormatError(op, `"${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new FormatError(op, `value for "${name}" is not a Tensor`);
  }
  const names = Object.keys(tensors).sort((a, b) =>
    WRITE_RANK[tensors[b].dtype] - WRITE_RANK[tensors[a].dtype] || (a < b ? -1 : a > b ? 1 : 0)); // code-unit order, as Rust compares ASCII names
  // Entries, not assignments, so that a name such as "__proto__" becomes a real key of the header.
  const header: [string, unknown][] = [];
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") throw new FormatError(op, `metadata value for key "${k}" must be a string, got ${typeof v}`);
    }
    header.push([METADATA_KEY, metadata]);
  }
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const size = t.storage.byteLength;
    header.push([name, { dtype: ENGINE_TO_SAFE[t.dtype], shape: t.shape, data_offsets: [offset, offset + size] }]);
    offset += size;
  }
  const json = new TextEncoder().encode(JSON.stringify(Object.fromEntries(header)));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen); // spaces: still valid JSON whitespace
  let pos = 8 + headerLen;
  for (const name of names) {
    const bytes = encode(tensors[name].storage);
    out.set(bytes, pos);
    pos += bytes.length;
  }
  return out;
}

/** Decodes safetensors bytes; `source` names the origin (a path) in every error message. */
export function parseSafetensors(bytes: Uint8Array, source = "<bytes>"): Safetensors {
  return decodeFile(bytes, source, "parseSafetensors");
}

function decodeFile(bytes: Uint8Array, source: string, op: string): Safetensors {
  const { entries, metadata, bufferStart } = parseHeader(bytes, op, source);
  const tensors = Object.fromEntries(entries.map((e): [string, Tensor] => {
    const raw = bytes.subarray(bufferStart + e.begin, bufferStart + e.end);
    const numel = e.shape.reduce((a, b) => a * b, 1);
    const storage = decode(e.dtype, raw, numel, op, `${source}: tensor "${e.name}" (${e.dtype} ${fmtShape(e.shape)})`);
    return [e.name, fromStorage(storage, e.shape)];
  }));
  return { tensors, metadata };
}

/** Writes a .safetensors file atomically (see writeFileAtomic). */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeFile(tensors, metadata, "saveSafetensors"));
}

/** Reads a safetensors file; the header is validated and a bad one is a FormatError naming the file. */
export function loadSafetensors(path: string): Safetensors {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new FormatError("loadSafetensors", `${path}: cannot read file (${err instanceof Error ? err.message : String(err)})`);
  }
  return decodeFile(bytes, path, "loadSafetensors");
}
