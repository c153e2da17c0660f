// Type guards for parsed JSON. Pure (no file reading), so the browser-side readers (hf_format.ts, state.json
// checks) use the same guards as the dataset loaders.

/** A JSON object: not null, not an array. */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** An array of exactly `length` finite numbers. */
export const isNumberArray = (v: unknown, length: number): v is number[] =>
  Array.isArray(v) && v.length === length && v.every((x) => typeof x === "number" && Number.isFinite(x));
