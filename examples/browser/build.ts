// Builds the browser example against the packaged browser build, as a site using the package would:
// the library's bundles (dist/browser/, made here by the same step as `npm run build`) are copied to
// examples/browser/dist/aetnet/, gpu.js's browser build beside them, and the page script (main.ts) is
// bundled with `aetnet/engine` left as an import that index.html's import map points at the copied bundle.
//   npx tsx examples/browser/build.ts        (or: npm run browser:build)
import { copyFileSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { BROWSER_DIST, buildBrowserBundle } from "../../scripts/build_browser.ts";

export const EXAMPLE_DIR = resolve(import.meta.dirname);
export const DIST_DIR = join(EXAMPLE_DIR, "dist");

export async function buildBundle(options: { logLevel?: esbuild.LogLevel } = {}): Promise<esbuild.Metafile> {
  await buildBrowserBundle(options);
  rmSync(DIST_DIR, { recursive: true, force: true });
  mkdirSync(DIST_DIR, { recursive: true });
  cpSync(BROWSER_DIST, join(DIST_DIR, "aetnet"), { recursive: true });
  const gpuJs = createRequire(import.meta.url).resolve("gpu.js/dist/gpu-browser.min.js");
  copyFileSync(gpuJs, join(DIST_DIR, "gpu-browser.min.js"));
  const result = await esbuild.build({
    entryPoints: [join(EXAMPLE_DIR, "main.ts")],
    outdir: DIST_DIR,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    sourcemap: true,
    external: ["aetnet/engine"], // resolved by index.html's import map
    metafile: true,
    logLevel: options.logLevel ?? "warning",
  });
  return result.metafile;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const meta = await buildBundle();
  for (const [file, out] of Object.entries(meta.outputs)) {
    if (!file.endsWith(".map")) console.log(`${relative(process.cwd(), file)}  ${(out.bytes / 1024).toFixed(0)} KiB`);
  }
  console.log(`built in ${(performance.now() - t0).toFixed(0)} ms; serve with: npx tsx ${relative(process.cwd(), join(EXAMPLE_DIR, "serve.ts"))}`);
}
