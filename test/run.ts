// Runs every test/**/*.test.ts (or those whose path contains one of the CLI arguments) with uvu, then lists the
// skipped tests with their reasons and closes with one plain line: "N passed, N failed, N skipped".
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { skippedTests } from "./skip.ts";

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

// uvu's deferred mode: every file registers its suites into UVU_QUEUE (one group per file, headed by its name);
// the loop below runs them instead of uvu.exec, whose summary has no failed count and whose skip count misses
// why. Each queued runner resolves to [errors or true, passed, skipped, total].
type Runner = () => Promise<[string | true, number, number, number]>;
const g = globalThis as { UVU_DEFER?: number; UVU_INDEX?: number; UVU_QUEUE?: unknown[][]; AETNET_TEST_FILE?: string };
g.UVU_DEFER = 1;
const started = performance.now();
await import("uvu");
const importSeconds = new Map<string, number>();
for (const [i, file] of files.entries()) {
  g.UVU_INDEX = i;
  g.AETNET_TEST_FILE = relative(root, file);
  g.UVU_QUEUE!.push([relative(root, file)]);
  const importStarted = performance.now();
  await import(pathToFileURL(file).href);
  importSeconds.set(relative(root, file), (performance.now() - importStarted) / 1000); // set-up done at load time
}

let finished = false;
process.on("exit", () => {
  if (finished) return;
  process.exitCode = process.exitCode || 1;
  console.error("\nthe test run ended before every test had run");
});

let passed = 0, failed = 0, skipped = 0;
const fileSeconds: [string, number][] = [];
for (const group of g.UVU_QUEUE!) {
  const name = group.shift() as string;
  const fileStarted = performance.now();
  process.stdout.write(`${passed + failed + skipped > 0 ? "\n" : ""}${name}\n`);
  for (const run of group as Runner[]) {
    const [errors, ran, skips, total] = await run();
    // A throwing before-hook makes uvu's runner return with nothing run and no error text: those count as failed.
    passed += ran; failed += total - ran; skipped += skips;
    if (errors !== true) process.stdout.write(`\n${errors}\n`);
    else if (ran < total) process.stdout.write(`\n  ${total - ran} test(s) did not run: a before hook failed\n`);
  }
  fileSeconds.push([name, (performance.now() - fileStarted) / 1000 + (importSeconds.get(name) ?? 0)]);
}
finished = true;

// Where the time went (a report, never a check: tests assert no timings).
const slowest = fileSeconds.sort((a, b) => b[1] - a[1]).slice(0, 5).filter(([, sec]) => sec >= 1);
if (slowest.length > 0) console.log(`\nSlowest files: ${slowest.map(([f, sec]) => `${f} ${sec.toFixed(1)} s`).join(", ")}`);

// One line per file and reason: "file: N tests skipped: reason".
const groups = new Map<string, number>();
for (const s of skippedTests) groups.set(`${s.file}\t${s.reason}`, (groups.get(`${s.file}\t${s.reason}`) ?? 0) + 1);
if (groups.size > 0) console.log(`\nSkipped:`);
for (const [key, n] of groups) {
  const [file, reason] = key.split("\t");
  console.log(`  ${file}: ${n} test${n === 1 ? "" : "s"} skipped: ${reason}`);
}
if (skipped !== skippedTests.length) console.log(`(${skipped - skippedTests.length} skipped without a reason: t.skip or t.only)`);
console.log(`\nDuration: ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
