// Builds the extraction page against the packaged browser build, as a site using the package would: the library's
// bundles (dist/browser/, made by the same step as `npm run build`) are copied to examples/extract_page/dist/aetnet/
// and the page script (main.ts) is bundled with tesseract.js and with "aetnet" and "pdfjs-dist" left as imports that
// index.html's import map resolves. What OCR and PDF reading need is copied from node_modules into dist/vendor/: the
// tesseract worker (bundled from tesseract.js's browser worker script), the LSTM cores of tesseract.js-core, the
// English model of @tesseract.js-data/eng (the same model Node's OCR reads, unzipped), and pdf.js's browser build
// with its worker and standard fonts. The page then loads nothing from the internet.
//   npx tsx examples/extract_page/build.ts      (then: npx tsx examples/extract_page/serve.ts)
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { BROWSER_DIST, buildBrowserBundle } from "../../scripts/build_browser.ts";

export const PAGE_DIR = resolve(import.meta.dirname);
export const DIST_DIR = join(PAGE_DIR, "dist");
const require = createRequire(import.meta.url);
const pkgDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

export async function buildPage(options: { logLevel?: esbuild.LogLevel } = {}): Promise<string[]> {
  await buildBrowserBundle(options);
  rmSync(DIST_DIR, { recursive: true, force: true });
  const vendor = join(DIST_DIR, "vendor");
  mkdirSync(join(vendor, "core"), { recursive: true });
  mkdirSync(join(vendor, "lang"), { recursive: true });
  cpSync(BROWSER_DIST, join(DIST_DIR, "aetnet"), { recursive: true });
  const common = { bundle: true, platform: "browser", target: "es2022", logLevel: options.logLevel ?? "warning" } as const;
  await esbuild.build({
    ...common, entryPoints: [join(PAGE_DIR, "main.ts")], outdir: DIST_DIR, format: "esm", sourcemap: true,
    external: ["aetnet", "pdfjs-dist"], // resolved by index.html's import map
  });
  await esbuild.build({
    ...common, entryPoints: [join(pkgDir("tesseract.js"), "src", "worker-script", "browser", "index.js")],
    outfile: join(vendor, "tesseract-worker.js"), format: "iife", define: { global: "self" }, minify: true,
  });
  const core = pkgDir("tesseract.js-core");
  for (const f of readdirSync(core).filter((f) => f.endsWith("lstm.wasm.js"))) copyFileSync(join(core, f), join(vendor, "core", f));
  const pdfjs = pkgDir("pdfjs-dist");
  for (const f of ["pdf.min.mjs", "pdf.worker.min.mjs"]) copyFileSync(join(pdfjs, "build", f), join(vendor, f));
  cpSync(join(pdfjs, "standard_fonts"), join(vendor, "standard_fonts"), { recursive: true });
  const { langPath } = require("@tesseract.js-data/eng") as { langPath: string };
  // Unzipped here: the worker's own gunzip needs Node's Buffer, which a page does not have.
  writeFileSync(join(vendor, "lang", "eng.traineddata"), gunzipSync(readFileSync(join(langPath, "eng.traineddata.gz"))));
  return [join(DIST_DIR, "main.js"), join(DIST_DIR, "aetnet", "aetnet.js"), join(vendor, "tesseract-worker.js")];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  for (const f of await buildPage()) console.log(relative(process.cwd(), f));
  console.log(`built in ${(performance.now() - t0).toFixed(0)} ms; serve with: npx tsx ${relative(process.cwd(), join(PAGE_DIR, "serve.ts"))}`);
}
