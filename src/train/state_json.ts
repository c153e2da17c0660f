// A training checkpoint's state.json checked field by field before anything reads it, and its optimizer state
// rebuilt from tensor names ("optimizer.<index>.<key>") without ever assigning through a key taken from the file:
// a "__proto__" in either place must not reach Object.prototype, and a malformed field must be a one-line
// FormatError naming the file and the field, not a TypeError later inside the trainer.
import { FormatError, type Tensor, type optim } from "../../engine/index.ts";
import { presets } from "../config.ts";
import type { TrainingState } from "./run_types.ts";
import { isRecord } from "../data/json_value.ts";

const OP = "loadTrainingCheckpoint";
/** Keys that would reach a prototype if ever assigned with obj[key] = ...; no checkpoint field is named so. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

class Bad extends Error {}
type Check = (v: unknown, at: string) => void;

const show = (v: unknown): string => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
};
const bad = (at: string, expected: string, v: unknown): never => { throw new Bad(`${at} must be ${expected}, got ${show(v)}`); };

const finite: Check = (v, at) => { if (typeof v !== "number" || !Number.isFinite(v)) bad(at, "a finite number", v); };
const int = (min: number): Check => (v, at) => { if (!Number.isSafeInteger(v) || (v as number) < min) bad(at, `an integer ≥ ${min}`, v); };
const str: Check = (v, at) => { if (typeof v !== "string") bad(at, "a string", v); };
const oneOf = (...values: unknown[]): Check => (v, at) => { if (!values.includes(v)) bad(at, `one of ${values.map((x) => JSON.stringify(x)).join(", ")}`, v); };
const nullable = (check: Check): Check => (v, at) => { if (v !== null) check(v, at); };
const optional = (check: Check): Check => (v, at) => { if (v !== undefined) check(v, at); };
const arrayOf = (check: Check, length?: number): Check => (v, at) => {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) bad(at, length === undefined ? "an array" : `an array of ${length}`, v);
  (v as unknown[]).forEach((x, i) => check(x, `${at}[${i}]`));
};
/** An object with at least these fields (later versions may add more; those are not read here). */
const fields = (spec: Record<string, Check>): Check => (v, at) => {
  if (!isRecord(v)) bad(at, "an object", v);
  for (const [k, check] of Object.entries(spec)) check((v as Record<string, unknown>)[k], `${at}.${k}`);
};
const dictOf = (check: Check, keyPattern?: RegExp): Check => (v, at) => {
  if (!isRecord(v)) bad(at, "an object", v);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (keyPattern !== undefined && !keyPattern.test(k)) bad(`${at} key`, `a key matching ${keyPattern}`, k);
    check(x, `${at}.${k}`);
  }
};
const either = (a: Check, b: Check): Check => (v, at) => {
  try { a(v, at); } catch (e) { if (!(e instanceof Bad)) throw e; b(v, at); }
};

/** The model config, shaped like the presets: same fields and kinds; integer fields (in every preset) are integers. */
function configCheck(): Check {
  const all = Object.values(presets) as unknown[];
  const like = (samples: unknown[]): Check => {
    const s = samples[0];
    if (typeof s === "number") return samples.every((x) => Number.isInteger(x)) ? int(0) : finite;
    if (typeof s === "boolean") return oneOf(true, false);
    if (typeof s === "string") return str;
    const rec = s as Record<string, unknown>;
    return fields(Object.fromEntries(Object.keys(rec).map((k) => [k, like(samples.map((x) => (x as Record<string, unknown>)[k]))])));
  };
  return like(all);
}

const generator = fields({ words: arrayOf(int(0), 4), spareNormal: nullable(finite) });
const hyper: Check = (v, at) => { if (typeof v !== "boolean") either(finite, arrayOf(finite))(v, at); };
const tokenEval = fields({ step: int(0), epoch: int(0), f1: finite, precision: finite, recall: finite, accuracy: finite, seconds: finite });
const documentEval = fields({ step: int(0), epoch: int(0), documentAccuracy: finite, seconds: finite });

const stateCheck = (format: string): Check => fields({
  format: oneOf(format),
  config: configCheck(),
  settings: fields({
    task: str, kind: optional(oneOf("token", "sequence")), labels: arrayOf(str), epochs: int(0), batchSize: int(1), lr: finite,
    weightDecay: finite, warmupRatio: finite, maxGradNorm: finite, maxLength: int(1), stride: int(0), seed: int(Number.MIN_SAFE_INTEGER),
    lossWeights: fields({ task: finite, ita: finite, pita: finite }), chunking: optional(oneOf("overlap", "reference")),
  }),
  tokenizer: fields({ tokens: arrayOf(str), merges: arrayOf(arrayOf(str, 2)) }),
  step: int(0), epoch: int(0), batchInEpoch: int(0),
  optimizer: fields({ paramGroups: arrayOf(dictOf(hyper)), numbers: dictOf(dictOf(finite), /^\d+$/) }),
  scheduler: fields({ lastStep: int(-1), baseLrs: arrayOf(finite) }),
  rng: fields({ global: generator, augment: generator }),
  history: fields({
    steps: arrayOf(fields({ step: int(0), epoch: int(0), loss: finite, terms: dictOf(finite), lr: finite, gradNorm: finite, tokensPerSecond: finite })),
    evals: arrayOf(either(tokenEval, documentEval)),
  }),
  best: nullable(either(fields({ f1: finite, epoch: int(0) }), fields({ documentAccuracy: finite, epoch: int(0) }))),
  fingerprint: optional(fields({ tokenizer: str, train: arrayOf(arrayOf(str, 2)), eval: arrayOf(arrayOf(str, 2)) })),
  skipped: optional(fields({ total: int(0), inRow: int(0) })),
});

/** Refuses "__proto__", "constructor" and "prototype" as keys anywhere in the parsed JSON. */
function checkKeys(v: unknown, at: string): void {
  if (Array.isArray(v)) { v.forEach((x, i) => checkKeys(x, `${at}[${i}]`)); return; }
  if (!isRecord(v)) return;
  for (const [k, x] of Object.entries(v)) {
    if (FORBIDDEN_KEYS.has(k)) throw new Bad(`${at} holds the key ${JSON.stringify(k)}, which no checkpoint field has`);
    checkKeys(x, `${at}.${k}`);
  }
}

/** `state` (parsed from `file`) as a TrainingState, or a one-line FormatError naming the file and the first bad field. */
export function validateTrainingState(state: unknown, file: string, format: string): TrainingState {
  try {
    checkKeys(state, "state");
    stateCheck(format)(state, "state");
  } catch (e) {
    if (e instanceof Bad) throw new FormatError(OP, `${file}: not an ${format} training checkpoint: ${e.message}`);
    throw e;
  }
  return state as TrainingState;
}

/**
 * The optimizer's per-parameter state from the checkpoint's tensors named `<prefix><index>.<key>` and the numbers
 * state.json keeps beside them. Collected in Maps and turned into objects with Object.fromEntries, so no key read
 * from a file is ever assigned through; a name that is not exactly "<index>.<key>" is a FormatError.
 */
export function optimizerStateFrom(file: string, tensors: ReadonlyMap<string, Tensor>, numbers: Record<string, Record<string, number>>): optim.OptimizerStateDict["state"] {
  const byIndex = new Map<number, Map<string, Tensor | number>>();
  const put = (index: string, key: string, value: Tensor | number, name: string): void => {
    if (!/^\d+$/.test(index) || !Number.isSafeInteger(Number(index)) || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) || FORBIDDEN_KEYS.has(key)) {
      throw new FormatError(OP, `${file}: optimizer state entry ${JSON.stringify(name)} is not "<parameter index>.<state name>"`);
    }
    const slot = byIndex.get(Number(index)) ?? new Map<string, Tensor | number>();
    byIndex.set(Number(index), slot);
    slot.set(key, value);
  };
  for (const [name, t] of tensors) {
    const parts = name.split(".");
    if (parts.length !== 2) throw new FormatError(OP, `${file}: optimizer state tensor ${JSON.stringify(name)} is not "<parameter index>.<state name>"`);
    put(parts[0], parts[1], t, name);
  }
  for (const [index, nums] of Object.entries(numbers)) for (const [key, v] of Object.entries(nums)) put(index, key, v, `${index}.${key}`);
  return Object.fromEntries([...byIndex].map(([index, slot]) => [index, Object.fromEntries(slot)]));
}
