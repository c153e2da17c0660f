// Command-line parsing on node:util parseArgs: typed options, numbers checked, every mistake a UsageError with help.
import { parseArgs } from "node:util";
import { oneLine } from "../../engine/errors.ts";

/** A bad command line: main prints the message and the command's help, and exits with status 2. */
export class UsageError extends Error {
  /** One line: node:util's multi-line messages are joined, control characters from argv escaped. */
  constructor(message: string, readonly help: string) { super(oneLine(message.replace(/\n+/g, " "))); this.name = "UsageError"; }
}

export type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

export interface Parsed { values: Record<string, string | boolean | undefined>; help: boolean }

export function parse(argv: readonly string[], spec: OptionSpec, help: string): Parsed {
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, spec), options: { ...spec, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: true });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`, help);
    const out: Record<string, string | boolean | undefined> = {};
    for (const [k, v] of Object.entries(values)) if (typeof v === "string" || typeof v === "boolean") out[k] = v;
    return { values: out, help: values.help === true };
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(err instanceof Error ? err.message : String(err), help);
  }
}

/**
 * "--lr -1" → "--lr=-1": parseArgs takes a value that starts with "-" for an option and refuses it as ambiguous,
 * so a negative number would never reach the range check that names the flag and what it expects.
 */
function joinNegativeValues(argv: readonly string[], spec: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith("--") && !argv[i].includes("=") ? argv[i].slice(2) : null;
    const next = argv[i + 1];
    if (name !== null && spec[name]?.type === "string" && next !== undefined && /^-(\d|\.\d|inf|nan)/i.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** A string option; `required` turns absence into a UsageError. */
export function str(p: Parsed, name: string, help: string, required: true): string;
export function str(p: Parsed, name: string, help: string, required?: false): string | undefined;
export function str(p: Parsed, name: string, help: string, required = false): string | undefined {
  const v = p.values[name];
  if (typeof v === "string") return v;
  if (required) throw new UsageError(`--${name} is required`, help);
  return undefined;
}

/** A numeric option within [min, max] (integers only when `integer`). */
export function num(p: Parsed, name: string, help: string, fallback: number, { min = -Infinity, max = Infinity, integer = false } = {}): number {
  const raw = str(p, name, help);
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new UsageError(`--${name} must be ${integer ? "an integer" : "a number"}${min > -Infinity ? ` ≥ ${min}` : ""}${max < Infinity ? ` ≤ ${max}` : ""}, got "${raw}"`, help);
  }
  return v;
}

/** One of a fixed set of strings. */
export function choice<T extends string>(p: Parsed, name: string, help: string, options: readonly T[], fallback: T): T {
  const raw = str(p, name, help);
  if (raw === undefined) return fallback;
  const hit = options.find((o) => o === raw);
  if (hit === undefined) throw new UsageError(`--${name} must be one of ${options.join(", ")}, got "${raw}"`, help);
  return hit;
}
