// npm run build (and prepack): a clean dist/ with the Node build (tsc -p tsconfig.build.json: ES modules,
// .d.ts, source maps) and the browser bundles (build_browser.ts).
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { buildBrowserBundle } from "./build_browser.ts";

const ROOT = resolve(import.meta.dirname, "..");
rmSync(join(ROOT, "dist"), { recursive: true, force: true }); // no file of a deleted source survives
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
execFileSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
await buildBrowserBundle();
