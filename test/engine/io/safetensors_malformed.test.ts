// safetensors validation: every malformed file raises a FormatError naming the file, the tensor and the problem.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io, FormatError } from "../../../engine/index.ts";
import { fileWith } from "./build_file.ts";

const t = suite("io/safetensors_malformed");
const SOURCE = "bad_model.safetensors";
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const f32 = (shape: number[], begin: number, end: number) => ({ dtype: "F32", shape, data_offsets: [begin, end] });

/** Asserts a FormatError from [parseSafetensors] that names the file and matches every pattern. */
function rejects(bytes: Uint8Array, ...patterns: RegExp[]): void {
  try {
    io.parseSafetensors(bytes, SOURCE);
  } catch (e) {
    assert.instance(e, FormatError);
    const msg = e instanceof Error ? e.message : "";
    assert.ok(msg.startsWith("[parseSafetensors] bad_model.safetensors: "), msg);
    for (const p of patterns) assert.match(msg, p);
    return;
  }
  assert.unreachable(`expected a FormatError matching ${patterns.join(", ")}`);
}

const cases: [string, Uint8Array, RegExp[]][] = [
  ["shorter than 8 bytes", new Uint8Array(5), [/5 bytes, shorter than the 8-byte/]],
  ["empty file", new Uint8Array(0), [/0 bytes/]],
  ["header length absurd (> 100 MB)", fileWith({}, undefined, { headerLen: 2n ** 62n }), [/exceeds the 100000000-byte limit/]],
  ["header length beyond the file", fileWith({}, undefined, { headerLen: 1000n }), [/header length 1000 runs past the end of the file/]],
  ["header not JSON", fileWith(null, undefined, { rawHeader: enc("{not json") }), [/not valid JSON/]],
  ["header not UTF-8", fileWith(null, undefined, { rawHeader: Uint8Array.of(0x7b, 0xff, 0x7d) }), [/not valid UTF-8/]],
  ["header an array", fileWith([1, 2]), [/must be a JSON object, got an array/]],
  ["header a number", fileWith(7), [/must be a JSON object, got number/]],
  ["entry not an object", fileWith({ w: 3 }), [/tensor "w"/, /must be an object/]],
  ["unknown dtype", fileWith({ w: { dtype: "F8_E4M3", shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), [/tensor "w"/, /unknown dtype "F8_E4M3"/]],
  ["dtype not a string", fileWith({ w: { dtype: 4, shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), [/tensor "w"/, /dtype must be a string/]],
  ["shape not a list", fileWith({ w: { dtype: "F32", shape: 3, data_offsets: [0, 12] } }, new Uint8Array(12)), [/tensor "w"/, /shape must be a list/]],
  ["shape with a negative dim", fileWith({ w: f32([-1, 3], 0, 12) }, new Uint8Array(12)), [/tensor "w"/, /non-negative integers/]],
  ["shape with a fractional dim", fileWith({ w: f32([1.5], 0, 4) }, new Uint8Array(4)), [/tensor "w"/, /non-negative integers/]],
  ["shape with a string dim", fileWith({ w: { dtype: "F32", shape: ["2"], data_offsets: [0, 8] } }, new Uint8Array(8)), [/tensor "w"/, /shape must be/]],
  ["data_offsets missing", fileWith({ w: { dtype: "F32", shape: [1] } }, new Uint8Array(4)), [/tensor "w"/, /data_offsets must be \[begin, end\]/]],
  ["data_offsets of length 3", fileWith({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4, 8] } }, new Uint8Array(4)), [/tensor "w"/, /data_offsets must be/]],
  ["data_offsets not integers", fileWith({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4.5] } }, new Uint8Array(4)), [/tensor "w"/, /data_offsets must be/]],
  ["end < begin", fileWith({ w: f32([0], 4, 0) }, new Uint8Array(4)), [/tensor "w"/, /end 0 is before begin 4/]],
  ["byte size != numel * size", fileWith({ w: f32([2, 3], 0, 20) }, new Uint8Array(20)), [/tensor "w"/, /hold 20 bytes but shape \[2, 3\] of F32 needs 24/]],
  ["offsets out of the buffer", fileWith({ w: f32([2], 0, 8) }, new Uint8Array(4)), [/tensor "w"/, /run past the 4-byte data buffer/]],
  ["overlapping offsets", fileWith({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, new Uint8Array(12)), [/tensor "b"/, /overlap the previous tensor, which ends at 8/]],
  ["gap between tensors", fileWith({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, new Uint8Array(12)), [/tensor "b"/, /begin at 8 but the previous tensor ends at 4/]],
  ["gap at the start", fileWith({ a: f32([1], 4, 8) }, new Uint8Array(8)), [/tensor "a"/, /begin at 4/]],
  ["trailing bytes", fileWith({ a: f32([1], 0, 4) }, new Uint8Array(6)), [/cover 4 bytes but the data buffer has 6; 2 trailing bytes/]],
  ["metadata not an object", fileWith({ __metadata__: ["x"] }), [/__metadata__ must be an object of strings, got an array/]],
  ["metadata value not a string", fileWith({ __metadata__: { epoch: 3 } }), [/__metadata__ value for key "epoch" must be a string, got 3/]],
  ["I64 value does not fit int32", fileWith({ n: { dtype: "I64", shape: [1], data_offsets: [0, 8] } }, new Uint8Array(new BigInt64Array([-(2n ** 40n)]).buffer)), [/tensor "n"/, /does not fit in int32/]],
];
for (const [name, bytes, patterns] of cases) t(name, () => rejects(bytes, ...patterns));

t("valid edge cases are accepted: empty header, null metadata, two empty tensors at one offset, padded header", () => {
  assert.equal(io.parseSafetensors(fileWith({})).tensors, {});
  assert.equal(io.parseSafetensors(fileWith({ __metadata__: null })).metadata, {});
  const f = io.parseSafetensors(fileWith({ e1: f32([0], 4, 4), a: f32([1], 0, 4), e2: f32([2, 0], 4, 4), b: f32([], 4, 8) }, new Uint8Array(8)));
  assert.equal(f.tensors.e2.shape, [2, 0]);
  assert.equal(f.tensors.b.shape, []);
  assert.is(io.parseSafetensors(fileWith(null, undefined, { rawHeader: enc("{}      ") })).metadata.constructor, Object);
});

t("loadSafetensors names the path in the message", () => {
  const dir = mkdtempSync(join(tmpdir(), "io-bad-"));
  try {
    const path = join(dir, "broken.safetensors");
    writeFileSync(path, fileWith({ w: f32([3], 0, 4) }, new Uint8Array(4)));
    assert.throws(() => io.loadSafetensors(path), (e: unknown) => e instanceof FormatError && e.message.startsWith(`[loadSafetensors] ${path}: tensor "w"`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
