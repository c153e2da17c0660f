// Shared by the parser fuzzers (test/fuzz/): the run budget and seed, mutators that damage valid files the way
// disks, editors and attackers do, and the one property every parser must keep: on any input it returns a result
// or throws one of the project's typed errors — never a raw TypeError/RangeError, never a hang, never a write to
// Object.prototype.
//
//   AETNET_FUZZ_RUNS=100000 node --import tsx test/run.ts fuzz     deeper search (default 150 runs per property)
//   AETNET_FUZZ_SEED=7 ...                                          another fixed seed (default 13)
import fc from "fast-check";
import { EngineError } from "../../engine/errors.ts";
import { UsageError } from "../../src/cli/args.ts";
import { TokenizerError } from "../../src/data/tokenizer/bpe.ts";

export const FUZZ_RUNS = Number(process.env.AETNET_FUZZ_RUNS ?? 150);
export const FUZZ_SEED = Number(process.env.AETNET_FUZZ_SEED ?? 13);
/** fast-check parameters: fixed seed (CI reproduces every failure), the run budget, no shrinking time limit. */
export const fuzzParams = (runs = FUZZ_RUNS): fc.Parameters<unknown> => ({ seed: FUZZ_SEED, numRuns: runs, endOnFailure: false });

/**
 * fc.assert over `property` with the fuzz parameters; on failure the breach itself (which fast-check keeps in
 * `cause`, and uvu does not print) is added to the message beside the shrunk counterexample.
 */
export function fuzz<T>(property: fc.IProperty<T>, runs = FUZZ_RUNS): void {
  try {
    fc.assert(property, fuzzParams(runs));
  } catch (e) {
    const cause = (e as { cause?: unknown }).cause;
    if (!(e instanceof Error)) throw e;
    // The counterexample can be a whole file: keep the start of fast-check's report, then the breach.
    const report = e.message.length > 1500 ? `${e.message.slice(0, 1500)}…` : e.message;
    throw new Error(`${report}\n    breach: ${cause instanceof Error ? cause.message : "(see above)"}`);
  }
}

/** A single input taking this long is treated as a hang (no parser here needs more than milliseconds). */
const HANG_MS = 5000;
/** The project's error classes: every failure a user's file can cause is one of these. */
const TYPED: (abstract new (...args: never[]) => Error)[] = [EngineError, TokenizerError, UsageError];

const prototypeKeys = (): string =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(",")).join("|");
const BASELINE = prototypeKeys();

/**
 * Runs `parse` on one input and checks the contract; returns a description of the breach, or null.
 * Used inside fc.property bodies as `assertContract(() => parse(x))`.
 */
export function contractBreach(parse: () => unknown): string | null {
  const started = performance.now();
  let breach: string | null = null;
  try {
    parse();
  } catch (e) {
    if (!TYPED.some((cls) => e instanceof cls)) {
      breach = `raw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}${e instanceof Error ? `\n${e.stack?.split("\n").slice(1, 4).join("\n")}` : ""}`;
    } else if ((e as Error).message.includes("\n")) {
      breach = `a typed error of more than one line: ${JSON.stringify((e as Error).message)}`;
    }
  }
  const ms = performance.now() - started;
  if (breach === null && ms > HANG_MS) breach = `took ${ms.toFixed(0)} ms on one input (a hang?)`;
  if (prototypeKeys() !== BASELINE || "polluted" in {}) breach = `a built-in prototype was modified${breach ? `; also ${breach}` : ""}`;
  return breach;
}

/** Throws (failing the fast-check property, which then shrinks the input) when the contract is broken. */
export function assertContract(parse: () => unknown): void {
  const breach = contractBreach(parse);
  if (breach !== null) throw new Error(breach);
}

/** Numbers that break naive parsers: huge, negative, fractional, non-finite spellings, past 2^32 and 2^53. */
const NASTY_NUMBERS = ["1e308", "-1e308", "-1", "-0", "0", "0.5", "1e-320", "4294967296", "9007199254740993", "99999999999999999999999", "NaN", "Infinity", "null", "\"7\"", "[]", "{}", "true"];
const NASTY_KEYS = ["__proto__", "constructor", "prototype", "", "toString", "hasOwnProperty"];

/** One damage to a text file: cut, byte-level edits, spliced junk, a nasty number, a nasty key, a deleted span. */
function textMutation(s: string): fc.Arbitrary<string> {
  const pos = fc.nat({ max: Math.max(0, s.length) });
  const numbers = [...s.matchAll(/-?\d+(\.\d+)?(e[-+]?\d+)?/gi)];
  const keys = [...s.matchAll(/"([^"\\]*)"\s*:/g)];
  const options: fc.Arbitrary<string>[] = [
    pos.map((n) => s.slice(0, n)),
    fc.tuple(pos, fc.string({ unit: "binary", minLength: 1, maxLength: 3 })).map(([n, c]) => s.slice(0, n) + c + s.slice(n + c.length)),
    fc.tuple(pos, fc.string({ unit: "binary", maxLength: 20 })).map(([n, junk]) => s.slice(0, n) + junk + s.slice(n)),
    fc.tuple(pos, pos).map(([a, b]) => s.slice(0, Math.min(a, b)) + s.slice(Math.max(a, b))),
    fc.tuple(pos, pos, pos).map(([a, b, at]) => s.slice(0, at) + s.slice(Math.min(a, b), Math.max(a, b)) + s.slice(at)),
  ];
  if (numbers.length > 0) {
    options.push(fc.tuple(fc.nat({ max: numbers.length - 1 }), fc.constantFrom(...NASTY_NUMBERS)).map(([i, v]) => {
      const m = numbers[i];
      return s.slice(0, m.index) + v + s.slice(m.index! + m[0].length);
    }));
  }
  if (keys.length > 0) {
    options.push(fc.tuple(fc.nat({ max: keys.length - 1 }), fc.constantFrom(...NASTY_KEYS)).map(([i, k]) => {
      const m = keys[i];
      return s.slice(0, m.index) + JSON.stringify(k) + ":" + s.slice(m.index! + m[0].length);
    }));
  }
  return fc.oneof(...options);
}

/** `valid` damaged one to three times (each damage applied to the previous result). */
export function mutatedText(valid: string): fc.Arbitrary<string> {
  const step = (s: string, left: number): fc.Arbitrary<string> =>
    left === 0 ? fc.constant(s) : textMutation(s).chain((t) => fc.oneof(fc.constant(t), step(t, left - 1)));
  return step(valid, 3);
}

/** One damage to a binary file: cut, flipped bytes, spliced bytes, a 32-bit field overwritten with an extreme. */
function byteMutation(b: Uint8Array): fc.Arbitrary<Uint8Array> {
  const pos = fc.nat({ max: Math.max(0, b.length) });
  const join = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));
  return fc.oneof(
    pos.map((n) => b.slice(0, n)),
    fc.array(fc.tuple(pos, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const out = b.slice();
      for (const [i, v] of flips) if (i < out.length) out[i] = v;
      return out;
    }),
    fc.tuple(pos, fc.uint8Array({ maxLength: 32 })).map(([n, junk]) => join(b.subarray(0, n), junk, b.subarray(n))),
    fc.tuple(pos, pos).map(([a, c]) => join(b.subarray(0, Math.min(a, c)), b.subarray(Math.max(a, c)))),
    fc.tuple(pos, fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 60000), fc.boolean()).map(([n, v, little]) => {
      const out = b.slice();
      if (n + 4 <= out.length) new DataView(out.buffer).setUint32(n, v, little);
      return out;
    }),
  );
}

export function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const step = (b: Uint8Array, left: number): fc.Arbitrary<Uint8Array> =>
    left === 0 ? fc.constant(b) : byteMutation(b).chain((t) => fc.oneof(fc.constant(t), step(t, left - 1)));
  return step(valid, 3);
}

/** Random JSON values (any shape, nasty keys included) as text. */
export const randomJsonText: fc.Arbitrary<string> = fc.oneof(
  fc.json({ maxDepth: 4 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify({ [NASTY_KEYS[0]]: v, form: v, valid_line: v, model: v })),
  fc.string({ unit: "binary", maxLength: 60 }),
);
