// Writes docs/API.md, the public surface of `aetnet/engine`, `aetnet/engine/testing` and `aetnet`: every
// exported name with its declared signature and the first sentence of its doc comment, read from the .d.ts
// files that tsc emits (so the page shows exactly what a TypeScript user sees).
//   npx tsx scripts/api_doc.ts           rewrite docs/API.md
//   npx tsx scripts/api_doc.ts --check   exit 1 if docs/API.md is stale or an exported name has no doc comment
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { runTsc } from "./tsc.ts";

const ROOT = resolve(import.meta.dirname, "..");
export const API_MD = join(ROOT, "docs", "API.md");

/** One exported name: what it is, its declaration as a TypeScript user sees it, and its doc comment. */
export interface Entry { name: string; kind: string; signature: string; doc: string; file: string }
/** A module's exports in order: entries, and namespaces (`export * as nn`) with their own entries. */
interface Surface { entries: Entry[]; namespaces: { name: string; doc: string; surface: Surface }[] }

interface Decl { kind: string; signature: string; doc: string }

/** Top-level statements of a .d.ts file, each with the doc comment right above it. */
function statements(text: string): { doc: string; body: string }[] {
  const lines = text.split("\n");
  const out: { doc: string; body: string }[] = [];
  let doc = "";
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith("/**")) {
      const start = i;
      while (!lines[i].includes("*/")) i++;
      doc = lines.slice(start, i + 1).join("\n");
      continue;
    }
    if (line.trim() === "" || line.startsWith("//")) continue;
    // A statement runs until brackets balance and it ends with ; or }.
    const start = i;
    let depth = 0;
    for (;; i++) {
      for (const ch of lines[i].replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "")) {
        if ("{([".includes(ch)) depth++;
        else if ("})]".includes(ch)) depth--;
      }
      const end = lines[i].trimEnd();
      if (depth <= 0 && (end.endsWith(";") || end.endsWith("}")) || i === lines.length - 1) break;
    }
    out.push({ doc, body: lines.slice(start, i + 1).join("\n") });
    doc = "";
  }
  return out;
}

/** The doc comment's text, first sentence (or line) only, on one line. */
function summary(doc: string): string {
  const text = doc.replace(/^\/\*\*|\*\/$/g, "").split("\n").map((l) => l.replace(/^\s*\* ?/, "").trim())
    .filter((l) => !l.startsWith("@")).join(" ").replace(/\s+/g, " ").trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(text);
  return (m ? m[1] : text).replace(/\|/g, "\\|");
}

/** A class or interface shown by its header plus its public members' signatures, one per line. */
function outline(body: string): string {
  const lines = body.split("\n");
  const header = lines[0].replace(/\s*\{\s*$/, "").replace(/^export (declare )?/, "");
  if (lines.length === 1) return header.replace(/;$/, "");
  const members = statements(lines.slice(1, -1).map((l) => l.replace(/^ {4}/, "")).join("\n"))
    .map((s) => s.body.split("\n").map((l) => l.trim()).join(" "))
    .filter((m) => !/^(private|#private|protected)\b/.test(m));
  return [header + " {", ...members.map((m) => "  " + m), "}"].join("\n");
}

function declaration(body: string): { names: string[]; decl: Omit<Decl, "doc"> } | null {
  const b = body.replace(/^export\s+/, "").replace(/^declare\s+/, "");
  let m = /^(abstract\s+)?class\s+(\w+)/.exec(b);
  if (m) return { names: [m[2]], decl: { kind: "class", signature: outline(body) } };
  m = /^interface\s+(\w+)/.exec(b);
  if (m) return { names: [m[1]], decl: { kind: "interface", signature: outline(body) } };
  m = /^type\s+(\w+)/.exec(b);
  if (m) return { names: [m[1]], decl: { kind: "type", signature: b.replace(/;$/, "") } };
  m = /^(async\s+)?function\s*\*?\s*(\w+)/.exec(b);
  if (m) return { names: [m[2]], decl: { kind: "function", signature: b.replace(/;$/, "") } };
  m = /^(const|let|var)\s+(\w+)/.exec(b);
  if (m) return { names: [m[2]], decl: { kind: "const", signature: b.replace(/;$/, "") } };
  m = /^(const\s+)?enum\s+(\w+)/.exec(b);
  if (m) return { names: [m[2]], decl: { kind: "enum", signature: outline(body) } };
  m = /^namespace\s+(\w+)/.exec(b);
  if (m) return { names: [m[1]], decl: { kind: "namespace", signature: outline(body) } };
  return null;
}

const cache = new Map<string, Surface>();

/** The exports of one .d.ts file, following re-exports. */
function surfaceOf(file: string): Surface {
  const hit = cache.get(file);
  if (hit) return hit;
  const surface: Surface = { entries: [], namespaces: [] };
  cache.set(file, surface);
  const local = new Map<string, Decl>();
  const target = (spec: string) => resolve(dirname(file), spec.replace(/\.(ts|js)$/, ".d.ts"));
  const pick = (from: Surface, name: string) => from.entries.filter((e) => e.name === name);
  for (const { doc, body } of statements(readFileSync(file, "utf8"))) {
    const flat = body.replace(/\s+/g, " ");
    let m = /^export \* as (\w+) from "([^"]+)";$/.exec(flat);
    if (m) { surface.namespaces.push({ name: m[1], doc: summary(doc), surface: surfaceOf(target(m[2])) }); continue; }
    m = /^export \* from "([^"]+)";$/.exec(flat);
    if (m) { const s = surfaceOf(target(m[1])); surface.entries.push(...s.entries); surface.namespaces.push(...s.namespaces); continue; }
    m = /^export (type )?\{([^}]*)\}( from "([^"]+)")?;$/.exec(flat);
    if (m) {
      const from = m[4] ? surfaceOf(target(m[4])) : null;
      for (const part of m[2].split(",").map((p) => p.trim()).filter(Boolean)) {
        const [orig, alias] = part.replace(/^type\s+/, "").split(/\s+as\s+/);
        const name = alias ?? orig;
        const found = from ? pick(from, orig) : local.has(orig) ? [{ name: orig, ...local.get(orig)!, file }] : [];
        const ns = from?.namespaces.find((n) => n.name === orig);
        if (ns) surface.namespaces.push({ ...ns, name });
        for (const e of found) surface.entries.push({ ...e, name, signature: alias ? `${e.signature}  // exported as ${name}` : e.signature });
      }
      continue;
    }
    const d = declaration(body);
    if (!d) continue;
    for (const name of d.names) {
      const prev = local.get(name);
      // Overloads and declaration merging: signatures accumulate, the first doc comment wins.
      const decl = prev ? { ...prev, signature: `${prev.signature}\n${d.decl.signature}`, doc: prev.doc || doc } : { ...d.decl, doc };
      local.set(name, decl);
      if (/^export\s/.test(body)) {
        const i = surface.entries.findIndex((e) => e.name === name && e.file === file);
        const entry = { name, ...decl, file };
        if (i >= 0) surface.entries[i] = entry; else surface.entries.push(entry);
      }
    }
  }
  return surface;
}

const MODULES = [
  { spec: "aetnet/engine", file: "engine/index.d.ts", about: "the tensor library: tensors, ops, autograd, nn, optim, io, backends" },
  { spec: "aetnet/engine/testing", file: "engine/testing/index.d.ts", about: "gradient checks and tensor comparisons for tests" },
  { spec: "aetnet", file: "src/index.d.ts", about: "AETNet: configurations, the model, its losses, data, training and evaluation" },
];

/** Every public entry, for the check that each has a doc comment. */
export function publicEntries(dts: string): { module: string; entry: Entry }[] {
  const all: { module: string; entry: Entry }[] = [];
  const walk = (module: string, s: Surface) => {
    for (const e of s.entries) all.push({ module, entry: e });
    for (const n of s.namespaces) walk(`${module} ${n.name}`, n.surface);
  };
  for (const m of MODULES) walk(m.spec, surfaceOf(join(dts, m.file)));
  return all;
}

function section(title: string, s: Surface, dts: string, level: string, lines: string[]): void {
  lines.push(`${level} ${title}`, "");
  const seen = new Set<string>();
  for (const e of s.entries) {
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    const doc = summary(e.doc);
    lines.push(`- **\`${e.name}\`** (${e.kind}, \`${relative(dts, e.file).replace(/\.d\.ts$/, ".ts")}\`)${doc ? ` — ${doc}` : ""}`);
    lines.push("  ```ts", ...e.signature.split("\n").map((l) => `  ${l}`), "  ```");
  }
  lines.push("");
  for (const n of s.namespaces) section(`${title.split(" ")[0].replace(/`$/, "")}\` → \`${n.name}\``, n.surface, dts, level + "#", lines);
}

/** The page's Markdown, from declarations emitted into `dts`. */
export function render(dts: string): string {
  cache.clear();
  const lines = [
    "# API reference",
    "",
    "Generated by `npx tsx scripts/api_doc.ts` from the package's `.d.ts` files (`npm test` fails when it is stale).",
    "Each entry: the exported name, what it is, its source file, the first sentence of its doc comment and its",
    "declaration. Import paths are the package's: `aetnet/engine`, `aetnet/engine/testing` and `aetnet`.",
    "",
  ];
  for (const m of MODULES) {
    lines.push(`## \`${m.spec}\``, "", `${m.about}.`, "");
    section(`\`${m.spec}\` exports`, surfaceOf(join(dts, m.file)), dts, "###", lines);
  }
  return lines.join("\n").replace(/\n{3,}/g, "\n\n").trimEnd() + "\n";
}

/** Emits declarations only, into a temporary folder; returns it. */
export function emitDeclarations(): string {
  const out = mkdtempSync(join(tmpdir(), "aetnet-dts-"));
  runTsc(["--emitDeclarationOnly", "--sourceMap", "false", "--inlineSources", "false", "--outDir", out]);
  return out;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dts = emitDeclarations();
  try {
    const md = render(dts);
    const undocumented = publicEntries(dts).filter(({ entry }) => summary(entry.doc) === "");
    if (process.argv.includes("--check")) {
      const stale = !existsSync(API_MD) || readFileSync(API_MD, "utf8") !== md;
      if (stale) console.error("docs/API.md is stale: run npx tsx scripts/api_doc.ts");
      for (const { module, entry } of undocumented) console.error(`no doc comment: ${module} ${entry.name} (${relative(dts, entry.file)})`);
      process.exitCode = stale || undocumented.length > 0 ? 1 : 0;
    } else {
      writeFileSync(API_MD, md);
      console.log(`wrote ${relative(process.cwd(), API_MD)}; ${undocumented.length} exported names without a doc comment`);
      for (const { module, entry } of undocumented) console.log(`  ${module} ${entry.name} (${relative(dts, entry.file)})`);
    }
  } finally {
    rmSync(dts, { recursive: true, force: true });
  }
}
