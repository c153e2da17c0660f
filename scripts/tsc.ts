// Runs the TypeScript compiler of this checkout's node_modules (the typescript package's own bin/tsc, with the Node
// running this script), so the build and the API page compile alike wherever npm put the package.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");

/** `tsc -p tsconfig.build.json ARGS…`, output to the terminal; throws when tsc exits non-zero. */
export function runTsc(args: readonly string[] = []): void {
  const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json"), ...args], { stdio: "inherit" });
}
