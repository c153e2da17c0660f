// npm run build (and prepack): a clean dist/ with the Node build (tsc -p tsconfig.build.json: ES modules,
// .d.ts, source maps) and the browser bundles (build_browser.ts).
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBrowserBundle } from "./build_browser.ts";
import { runTsc } from "./tsc.ts";

const ROOT = resolve(import.meta.dirname, "..");
rmSync(join(ROOT, "dist"), { recursive: true, force: true }); // no file of a deleted source survives
runTsc();
await buildBrowserBundle();
