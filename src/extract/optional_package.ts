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
  return missing && (message.includes(`'${name}'`) || message.includes(`"${name}"`) || message.includes(`'${name}/`));
}

/** The npm package a specifier names: "pdfjs-dist/legacy/build/pdf.mjs" → "pdfjs-dist", "@a/b/c" → "@a/b". */
export const packageOf = (specifier: string): string => specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/");

/**
 * `await importPackage<typeof import("tesseract.js")>("tesseract.js", "ocr")`; a subpath such as
 * "pdfjs-dist/legacy/build/pdf.mjs" works too. Other load failures are rethrown.
 */
export async function importPackage<T>(specifier: string, feature: string): Promise<T> {
  const name = packageOf(specifier);
  try {
    return (await import(specifier)) as T; // a variable specifier, so that bundlers leave the import to run time
  } catch (err) {
    if (isMissing(err, name)) throw new MissingPackageError(name, feature);
    throw err;
  }
}
