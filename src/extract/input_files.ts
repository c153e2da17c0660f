// The documents named by --input: a folder's PNG, JPEG and PDF files, or the files a glob pattern matches.
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";
import { DataError } from "../data/errors.ts";

const DOCUMENT_EXTENSIONS = new Set([".png", ".jpg", ".jpeg", ".pdf"]);
const hasWildcard = (s: string): boolean => /[*?[]/.test(s);

/** Glob → regular expression over "/"-separated paths: ** any folders, * and ? within one name, [abc] a class. */
export function globRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      const slash = pattern[i + 2] === "/";
      re += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) { re += "\\["; continue; }
      re += `[${pattern.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? walk(path).map((p) => join(e.name, p).split("\\").join("/")) : e.isFile() ? [e.name] : [];
  });
}

/** Sorted document paths; an input that names nothing is a DataError. */
export function inputFiles(input: string): string[] {
  if (!hasWildcard(input)) {
    if (!existsSync(input)) throw new DataError("predict", input, "no such file or folder");
    if (!statSync(input).isDirectory()) return [input];
    const files = readdirSync(input)
      .filter((f) => DOCUMENT_EXTENSIONS.has(extname(f).toLowerCase()) && statSync(join(input, f)).isFile()).sort();
    if (files.length === 0) throw new DataError("predict", input, "the folder holds no .png, .jpg, .jpeg or .pdf file");
    return files.map((f) => join(input, f));
  }
  const parts = input.split("/");
  const fixed = parts.findIndex(hasWildcard);
  const base = parts.slice(0, fixed).join("/") || (input.startsWith("/") ? "/" : ".");
  const re = globRegExp(parts.slice(fixed).join("/"));
  const files = existsSync(base) && statSync(base).isDirectory() ? walk(base).filter((rel) => re.test(rel)).sort() : [];
  if (files.length === 0) throw new DataError("predict", input, "the pattern matches no file");
  return files.map((rel) => (base === "." && !input.startsWith("./") ? rel : join(base, rel)));
}
