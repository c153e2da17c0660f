// Heavy packages (gpu.js, Dawn's `webgpu`, OCR and PDF readers, job queues) are optional peer dependencies:
// `npm install aetnet` does not fetch them, and the code that needs one imports it here, at the moment it
// is needed. A missing package becomes one typed line saying what to install, never a resolver stack trace.
import { EngineError } from "./errors.ts";

/** An optional peer dependency that a feature needs is not installed; the message names the npm command. */
export class MissingDependencyError extends EngineError {
  constructor(readonly packageName: string, feature: string) {
    super(feature, `needs the optional package "${packageName}", which is not installed; run: npm install ${packageName}`);
  }
}

/** True when `err` says that `name` itself (not something it imports in turn) cannot be found. */
function isMissing(err: unknown, name: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  const missing = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" ||
    /^Cannot find (package|module)|^Failed to resolve module specifier/.test(message);
  return missing && (message.includes(`'${name}'`) || message.includes(`"${name}"`));
}

/**
 * Imports the optional package `name` for `feature` (the op or command that needs it, e.g. "gpu"). Throws
 * MissingDependencyError when the package is not installed; any other failure while loading it is rethrown.
 * Usage: `const { GPU } = await importOptional<typeof import("gpu.js")>("gpu.js", "gpu");`
 */
export async function importOptional<T>(name: string, feature: string): Promise<T> {
  const specifier: string = name; // a variable, so that bundlers leave the import to run time
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    if (isMissing(err, name)) throw new MissingDependencyError(name, feature);
    throw err;
  }
}

/**
 * Throws MissingDependencyError unless `name` resolves from here, without loading it: for code that loads
 * the package elsewhere (in a worker thread) and wants the missing-package error where the user called.
 */
export function requireInstalled(name: string, feature: string): void {
  try {
    import.meta.resolve(name);
  } catch (err) {
    if (isMissing(err, name)) throw new MissingDependencyError(name, feature);
    throw err;
  }
}
