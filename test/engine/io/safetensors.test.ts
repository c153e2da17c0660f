// safetensors: exact round trips, deterministic bytes, narrow-type decoding, and a file written by an independent (Python) writer.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { io, Tensor, tensor, FormatError, type DType } from "../../../engine/index.ts";
import { fromStorage } from "../../../engine/tensor.ts";
import { RUNS } from "../../helpers.ts";
import { fileWith } from "./build_file.ts";

const t = suite("io/safetensors");
const FIXTURES = resolve(import.meta.dirname, "../../fixtures");

const bytesOf = (x: Tensor): Uint8Array => new Uint8Array(x.storage.buffer, x.storage.byteOffset, x.storage.byteLength);
/** Same dtype, shape and bit pattern (so NaN payloads and -0 count). */
function assertSameTensor(a: Tensor, b: Tensor, name: string): void {
  assert.is(a.dtype, b.dtype, `${name} dtype`);
  assert.equal(a.shape, b.shape, `${name} shape`);
  assert.equal(Array.from(bytesOf(a)), Array.from(bytesOf(b)), `${name} bytes`);
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 4 });
const tensorArb: fc.Arbitrary<Tensor> = fc.tuple(fc.constantFrom<DType>("float32", "float64", "int32"), shapeArb).chain(([dtype, shape]) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const value = dtype === "float32" ? fc.float() : dtype === "float64" ? fc.double() : fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  return fc.array(value, { minLength: n, maxLength: n }).map((vals) => {
    const storage = dtype === "float32" ? Float32Array.from(vals) : dtype === "float64" ? Float64Array.from(vals) : Int32Array.from(vals);
    return fromStorage(storage, shape);
  });
});
const nameArb = fc.string({ minLength: 0, maxLength: 6 }).filter((s) => s !== "__metadata__");

t("round trip of every writable dtype, random shapes incl. 0-d and empty, and metadata", () => {
  fc.assert(fc.property(fc.dictionary(nameArb, tensorArb, { maxKeys: 5 }), fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), { nil: undefined }), (tensors, metadata) => {
    const bytes = io.serializeSafetensors(tensors, metadata);
    const back = io.parseSafetensors(bytes);
    assert.equal(Object.keys(back.tensors).sort(), Object.keys(tensors).sort());
    for (const [k, v] of Object.entries(tensors)) assertSameTensor(back.tensors[k], v, k);
    assert.equal(back.metadata, { ...metadata }); // spread: fast-check may build null-prototype objects
    // The buffer starts 8-byte aligned and the output is a pure function of the input.
    assert.is(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8, 0);
    assert.equal(io.serializeSafetensors(tensors, metadata), bytes);
  }), { numRuns: RUNS });
});

t("deterministic bytes: insertion order does not matter, layout is dtype then name", () => {
  const a = tensor([1, 2], [2]);
  const b = tensor([3], [1], { dtype: "float64" });
  const c = tensor([4, 5, 6], [3], { dtype: "int32" });
  const one = io.serializeSafetensors({ c, a, b }, { y: "1", x: "2" });
  const two = io.serializeSafetensors({ b, c, a }, { y: "1", x: "2" });
  assert.equal(one, two);
  const headerLen = Number(new DataView(one.buffer).getBigUint64(0, true));
  const header: unknown = JSON.parse(new TextDecoder().decode(one.subarray(8, 8 + headerLen)));
  assert.equal(header, {
    __metadata__: { y: "1", x: "2" },
    b: { dtype: "F64", shape: [1], data_offsets: [0, 8] },
    a: { dtype: "F32", shape: [2], data_offsets: [8, 16] },
    c: { dtype: "I32", shape: [3], data_offsets: [16, 28] },
  });
  assert.is(one.length, 8 + headerLen + 28);
});

t("names that are JS-special (__proto__, constructor) survive", () => {
  const tensors = Object.fromEntries([["__proto__", tensor([1], [1])], ["constructor", tensor([2], [1])]]);
  const back = io.parseSafetensors(io.serializeSafetensors(tensors));
  assert.equal(Object.keys(back.tensors).sort(), ["__proto__", "constructor"]);
  assert.is(back.tensors["__proto__"].item(), 1);
});

t("writer rejects a tensor named __metadata__ and non-string metadata", () => {
  assert.throws(() => io.serializeSafetensors({ __metadata__: tensor([1], [1]) }), (e: unknown) => e instanceof FormatError && /reserved/.test(e.message));
  const bad: Record<string, string> = JSON.parse('{"k": 3}');
  assert.throws(() => io.serializeSafetensors({}, bad), (e: unknown) => e instanceof FormatError && /"k" must be a string/.test(e.message));
});

t("F16 decoding is exact: zero, -0, subnormals, normals, max, ±inf, NaN", () => {
  const cases: [number, number][] = [
    [0x0000, 0], [0x8000, -0], [0x0001, 2 ** -24], [0x03ff, 1023 * 2 ** -24], [0x0400, 2 ** -14], [0x3c00, 1],
    [0x3555, 0.333251953125], [0xc100, -2.5], [0x7bff, 65504], [0x7c00, Infinity], [0xfc00, -Infinity], [0x7e00, NaN], [0xfc01, NaN],
  ];
  const raw = new Uint8Array(cases.length * 2);
  cases.forEach(([h], i) => { raw[2 * i] = h & 0xff; raw[2 * i + 1] = h >> 8; });
  const x = io.parseSafetensors(fileWith({ h: { dtype: "F16", shape: [cases.length], data_offsets: [0, raw.length] } }, raw)).tensors.h;
  assert.is(x.dtype, "float32");
  cases.forEach(([h, v], i) => assert.ok(Object.is(x.storage[i], v), `0x${h.toString(16)} → ${x.storage[i]}, expected ${v}`));
});

t("BF16 decoding is exact: subnormals, ±inf, NaN, rounding-free widening", () => {
  const cases: [number, number][] = [
    [0x0000, 0], [0x8000, -0], [0x0001, 2 ** -133], [0x007f, 127 * 2 ** -133], [0x3f80, 1], [0xc0e8, -7.25],
    [0x3eab, 0.333984375], [0x7f7f, 3.3895313892515355e38], [0x7f80, Infinity], [0xff80, -Infinity], [0x7fc0, NaN],
  ];
  const raw = new Uint8Array(cases.length * 2);
  cases.forEach(([h], i) => { raw[2 * i] = h & 0xff; raw[2 * i + 1] = h >> 8; });
  const x = io.parseSafetensors(fileWith({ b: { dtype: "BF16", shape: [cases.length], data_offsets: [0, raw.length] } }, raw)).tensors.b;
  assert.is(x.dtype, "float32");
  cases.forEach(([h, v], i) => assert.ok(Object.is(x.storage[i], v), `0x${h.toString(16)} → ${x.storage[i]}, expected ${v}`));
  // NaN payload bits are kept, not canonicalised.
  assert.is(new Uint32Array(x.storage.buffer)[10], 0x7fc00000);
});

t("I64 → int32 exact at the int32 limits; a value out of range names the tensor", () => {
  const vals = [-(2n ** 31n), 2n ** 31n - 1n, 0n, -1n];
  const raw = new Uint8Array(new BigInt64Array(vals).buffer);
  const x = io.parseSafetensors(fileWith({ ids: { dtype: "I64", shape: [2, 2], data_offsets: [0, 32] } }, raw)).tensors.ids;
  assert.is(x.dtype, "int32");
  assert.equal(Array.from(x.storage), [-(2 ** 31), 2 ** 31 - 1, 0, -1]);
  const over = new Uint8Array(new BigInt64Array([1n, 2n ** 31n]).buffer);
  assert.throws(() => io.parseSafetensors(fileWith({ ids: { dtype: "I64", shape: [2], data_offsets: [0, 16] } }, over), "big.safetensors"),
    (e: unknown) => e instanceof FormatError && /big\.safetensors/.test(e.message) && /"ids"/.test(e.message) && /2147483648/.test(e.message));
});

t("U8, I8, BOOL → int32", () => {
  const raw = Uint8Array.from([0, 200, 255, 0x80, 0x7f, 0xff, 0, 1, 1]);
  const f = io.parseSafetensors(fileWith({
    u: { dtype: "U8", shape: [3], data_offsets: [0, 3] }, i: { dtype: "I8", shape: [3], data_offsets: [3, 6] }, b: { dtype: "BOOL", shape: [3], data_offsets: [6, 9] },
  }, raw));
  assert.equal(Array.from(f.tensors.u.storage), [0, 200, 255]);
  assert.equal(Array.from(f.tensors.i.storage), [-128, 127, -1]);
  assert.equal(Array.from(f.tensors.b.storage), [0, 1, 1]);
  assert.is(f.tensors.b.dtype, "int32");
});

t("file written by an independent Python writer (test/golden/gen_safetensors.py) decodes exactly", () => {
  type Expected = { metadata: Record<string, string>; tensors: Record<string, { dtype: DType; shape: number[]; values: string[] }> };
  const expected: Expected = JSON.parse(readFileSync(join(FIXTURES, "torch_written.json"), "utf8"));
  const got = io.loadSafetensors(join(FIXTURES, "torch_written.safetensors"));
  assert.equal(got.metadata, expected.metadata);
  assert.equal(Object.keys(got.tensors).sort(), Object.keys(expected.tensors).sort());
  const num = (s: string): number => (s === "nan" ? NaN : s === "inf" ? Infinity : s === "-inf" ? -Infinity : Number(s));
  for (const [name, e] of Object.entries(expected.tensors)) {
    const x = got.tensors[name];
    assert.is(x.dtype, e.dtype, name);
    assert.equal(x.shape, e.shape, name);
    e.values.forEach((s, i) => assert.ok(Object.is(x.storage[i], num(s)), `${name}[${i}] = ${x.storage[i]}, expected ${s}`));
  }
});

t("saveSafetensors / loadSafetensors through a real file", () => {
  const dir = mkdtempSync(join(tmpdir(), "io-st-"));
  try {
    const path = join(dir, "w.safetensors");
    const w = { w: tensor([[1, 2], [3, 4]]), s: tensor(Float64Array.of(Math.PI), []) };
    io.saveSafetensors(path, w, { step: "3" });
    const back = io.loadSafetensors(path);
    for (const [k, v] of Object.entries(w)) assertSameTensor(back.tensors[k], v, k);
    assert.equal(back.metadata, { step: "3" });
    assert.throws(() => io.loadSafetensors(join(dir, "nope.safetensors")), (e: unknown) => e instanceof FormatError && /nope\.safetensors/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

t.run();
