// Runs every test/**/*.test.ts (or those whose path contains one of the CLI arguments) with uvu.
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname);
const filters = process.argv.slice(2);

function collect(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return collect(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

const files = collect(root).filter((f) => filters.length === 0 || filters.some((p) => relative(root, f).includes(p)));
if (files.length === 0) {
  console.error(`no test files match ${filters.join(" ")}`);
  process.exit(1);
}

// AETNET_BACKEND / AETNET_THREADS apply to the whole run (e.g. AETNET_BACKEND=reference npm test).
const { setBackendFromEnv } = await import("../engine/index.ts");
await setBackendFromEnv();

// uvu's deferred mode: every file registers its suites, then one exec runs them all and sets the exit code.
const g = globalThis as { UVU_DEFER?: number; UVU_INDEX?: number; UVU_QUEUE?: unknown[][] };
g.UVU_DEFER = 1;
const uvu = await import("uvu");
for (const [i, file] of files.entries()) {
  g.UVU_INDEX = i;
  g.UVU_QUEUE!.push([relative(root, file)]);
  await import(pathToFileURL(file).href);
}
await uvu.exec(false);
