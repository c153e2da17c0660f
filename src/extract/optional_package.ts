// Lazily imports an optional package (OCR, PDF reader, canvas), so that a plain install stays light; a missing
// package becomes one typed line naming the npm command.
import { FormatError } from "../../engine/index.ts";

/** An optional package that a feature needs is not installed. */
export class MissingPackageError extends FormatError {
  constructor(readonly packageName: string, feature: string) {
    super(feature, `needs the optional package "${packageName}", which is not installed; run: npm install ${packageName}`);
  }
}

function isMissing(err: unknown, name: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  const message = typeof e?.message === "string" ? e.message : "";
  const missing = code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || /^Cannot find (package|module)/.test(message);
  return missing && (message.includes(`'${name}`) || message.includes(`"${name}`));
}

/** `await importPackage<typeof import("tesseract.js")>("tesseract.js", "ocr")`; other load failures are rethrown. */
export async function importPackage<T>(name: string, feature: string): Promise<T> {
  const specifier: string = name; // a variable, so that bundlers leave the import to run time
  try {
    return (await import(specifier)) as T;
  } catch (err) {
    if (isMissing(err, name)) throw new MissingPackageError(name, feature);
    throw err;
  }
}
