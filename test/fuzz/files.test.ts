// Fuzzing the file parsers outside the datasets: safetensors (bytes and header claims), PNG/JPEG headers and
// bodies, a training checkpoint's state.json, tokenizer files (tokenizer.json, vocab.json + merges.txt), and
// command-line arguments. Random and damaged inputs end in a valid result or a typed one-line error (harness.ts).
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { FormatError, io, tensor } from "../../engine/index.ts";
import { parseSafetensors, serializeSafetensors } from "../../engine/io/safetensors.ts";
import { num, parse, choice, str } from "../../src/cli/args.ts";
import { decodeImageBytes } from "../../src/data/image/decode.ts";
import { readImageSize } from "../../src/data/image/image_size.ts";
import { loadTokenizerJson, loadVocabMerges } from "../../src/data/tokenizer/files.ts";
import { trainBpe } from "../../src/data/tokenizer/train_bpe.ts";
import { loadTrainingCheckpoint } from "../../src/train/checkpoint.ts";
import { Trainer, LAST_DIR } from "../../src/train/trainer.ts";
import { jpegBytes, pngBytes, tempDir } from "../src/data/fixtures.ts";
import { micro, syntheticSetup } from "../src/train/fixtures.ts";
import { assertContract, fuzz, FUZZ_RUNS, mutatedBytes, mutatedText, randomJsonText } from "./harness.ts";

const t = suite("fuzz: files and arguments");
const dir = tempDir("fuzz-files");

const SAFETENSORS = serializeSafetensors({ a: tensor([1, 2, 3, 4], [2, 2]), b: tensor(Int32Array.from([7, 8, 9]), [3]), c: tensor(Float64Array.from([0.5]), []) }, { note: "x" });

/** A safetensors file whose JSON header is `header` (text), with `dataBytes` bytes of data after it. */
function withHeader(header: string, dataBytes: number): Uint8Array {
  const json = Buffer.from(header, "utf8");
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

t("safetensors: damaged files and random bytes", () => {
  fuzz(fc.property(fc.oneof(mutatedBytes(SAFETENSORS), fc.uint8Array({ maxLength: 64 })), (bytes) => {
    assertContract(() => parseSafetensors(bytes, "fuzz.safetensors"));
  }));
});

t("safetensors: headers claiming huge shapes, offsets and lengths allocate nothing and fail typed", () => {
  const header = SAFETENSORS.subarray(8, 8 + Number(new DataView(SAFETENSORS.buffer).getBigUint64(0, true)));
  const text = new TextDecoder().decode(header).trimEnd();
  const huge = fc.constantFrom("4294967296", "9007199254740991", "1e300", "-1", "0", "1.5", "\"8\"", "null");
  const claims = fc.oneof(
    mutatedText(text).map((h) => withHeader(h, 44)),
    fc.tuple(huge, huge, huge).map(([d, b, e]) => withHeader(`{"x":{"dtype":"F32","shape":[${d},${d}],"data_offsets":[${b},${e}]}}`, 16)),
    fc.bigUint64Array({ minLength: 1, maxLength: 1 }).map(([n]) => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, n, true); return b; }),
  );
  fuzz(fc.property(claims, (bytes) => assertContract(() => parseSafetensors(bytes, "claims.safetensors"))));
  assert.throws(() => parseSafetensors(withHeader('{"x":{"dtype":"F32","shape":[65536,65536],"data_offsets":[0,17179869184]}}', 8)), (e: unknown) => e instanceof FormatError);
});

const PNG = pngBytes(6, 5, (x, y) => [x * 40, y * 50, 100, 255]);
const JPEG = jpegBytes(8, 8, (x, y) => [x * 30, y * 30, 60]);

t("PNG and JPEG: damaged headers and bodies, decoded and size-read", () => {
  const path = join(dir, "image.bin");
  fuzz(fc.property(fc.oneof(mutatedBytes(PNG), mutatedBytes(JPEG), fc.uint8Array({ maxLength: 40 })), (bytes) => {
    assertContract(() => decodeImageBytes(bytes, "fuzz.png"));
    writeFileSync(path, bytes);
    assertContract(() => readImageSize(path));
  }));
});

const state = (() => {
  const out = tempDir("fuzz-state");
  new Trainer({ config: micro, ...syntheticSetup(2, 1), outDir: out, stopAfter: 1, progress: null, print: () => {} }).fit();
  return io.loadCheckpoint(join(out, LAST_DIR));
})();
const STATE_TEXT = JSON.stringify(state.state, null, 1);

t("state.json: damaged text loads as a checkpoint or fails typed", () => {
  const ckpt = join(dir, "ckpt");
  mkdirSync(ckpt, { recursive: true });
  // The weights file carries the hash of the state text, as a real save writes it, so the damage reaches the parser.
  fuzz(fc.property(mutatedText(STATE_TEXT), (text) => {
    writeFileSync(join(ckpt, "state.json"), text);
    io.saveSafetensors(join(ckpt, "model.safetensors"), state.weights, { ...state.metadata, state_sha256: createHash("sha256").update(text).digest("hex") });
    assertContract(() => loadTrainingCheckpoint(ckpt));
  }), Math.max(20, Math.round(FUZZ_RUNS / 3)));
});

const tokenizer = trainBpe(["hello", "world", "hello", "there", "wonder"], { vocabSize: 290 });
const VOCAB = JSON.stringify(Object.fromEntries(tokenizer.vocab));
const MERGES = ["#version: 0.2", ...tokenizer.merges.map(([a, b]) => `${a} ${b}`)].join("\n") + "\n";
const TOKENIZER_JSON = JSON.stringify({ version: "1.0", added_tokens: [{ id: 0, content: "<s>" }], model: { type: "BPE", vocab: Object.fromEntries(tokenizer.vocab), merges: tokenizer.merges.map(([a, b]) => `${a} ${b}`) } });

t("tokenizer files: tokenizer.json, vocab.json + merges.txt", () => {
  const [json, vocab, merges] = [join(dir, "tokenizer.json"), join(dir, "vocab.json"), join(dir, "merges.txt")];
  fuzz(fc.property(fc.oneof(mutatedText(TOKENIZER_JSON), randomJsonText), mutatedText(VOCAB), mutatedText(MERGES), fc.string({ maxLength: 12 }), (j, v, m, text) => {
    writeFileSync(json, j);
    writeFileSync(vocab, v);
    writeFileSync(merges, m);
    assertContract(() => loadTokenizerJson(json).encodeWord(text));
    assertContract(() => loadVocabMerges(vocab, merges).encodeWord(text));
  }));
});

const SPEC = { out: { type: "string", short: "o" }, epochs: { type: "string" }, lr: { type: "string" }, preset: { type: "string" }, resume: { type: "boolean" }, force: { type: "boolean" } } as const;
const token = fc.oneof(
  fc.constantFrom("--out", "-o", "--epochs", "--lr", "--preset", "--resume", "--force", "--help", "-h", "--", "-", "--epochs=3", "--lr=-1", "-1", "1e999", "tiny", "--unknown", "--resume=yes", "-oh", "--__proto__", "--constructor"),
  fc.string({ unit: "binary", maxLength: 8 }),
);

t("command-line arguments: any argv parses to typed values or a UsageError", () => {
  fuzz(fc.property(fc.array(token, { maxLength: 6 }), (argv) => {
    assertContract(() => {
      const p = parse(argv, SPEC, "help text");
      str(p, "out", "help text");
      num(p, "epochs", "help text", 1, { min: 1, integer: true });
      num(p, "lr", "help text", 1e-3, { min: 0 });
      choice(p, "preset", "help text", ["tiny", "small"] as const, "tiny");
    });
  }));
});

t.run();
