// Bundles the extraction page (main.ts, with the engine, the model code and tesseract.js) into dist/, and copies
// what OCR needs from node_modules into dist/vendor/: the tesseract worker (bundled from tesseract.js's browser
// worker script), the LSTM cores of tesseract.js-core and the English model of @tesseract.js-data/eng (the same
// model Node's OCR reads, unzipped), and pdf.js's browser build with its worker and standard fonts (pdfjs-dist; the
// page imports "pdfjs-dist" through index.html's import map). The page then loads nothing from the internet.
//   npx tsx examples/extract_page/build.ts      (then: npx tsx examples/extract_page/serve.ts)
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { nodeStubsPlugin } from "../../scripts/build_browser.ts";

export const PAGE_DIR = resolve(import.meta.dirname);
export const DIST_DIR = join(PAGE_DIR, "dist");
const require = createRequire(import.meta.url);
const pkgDir = (name: string): string => dirname(require.resolve(`${name}/package.json`));

/**
 * pngjs builds Node stream classes when it loads (util.inherits), which the browser stubs cannot do; the page
 * decodes PNG through the browser itself (main.ts), so pngjs becomes a module that says so if ever called.
 */
const noPngjs: esbuild.Plugin = {
  name: "no-pngjs",
  setup(build) {
    build.onResolve({ filter: /^pngjs$/ }, () => ({ path: "pngjs", namespace: "page-stub" }));
    build.onLoad({ filter: /.*/, namespace: "page-stub" }, () => ({
      contents: 'const no = () => { throw new Error("pngjs is not in the page: PNG goes through the browser"); };\n' +
        "export const PNG = { sync: { read: no, write: no } };\nexport default { PNG };\n",
      loader: "js",
    }));
  },
};

export async function buildPage(options: { logLevel?: esbuild.LogLevel } = {}): Promise<string[]> {
  const vendor = join(DIST_DIR, "vendor");
  mkdirSync(join(vendor, "core"), { recursive: true });
  mkdirSync(join(vendor, "lang"), { recursive: true });
  const common = { bundle: true, platform: "browser", target: "es2022", logLevel: options.logLevel ?? "warning" } as const;
  await esbuild.build({
    ...common, entryPoints: [join(PAGE_DIR, "main.ts")], outdir: DIST_DIR, format: "esm", sourcemap: true,
    define: { "process.env": "{}" }, plugins: [noPngjs, nodeStubsPlugin], external: ["pdfjs-dist"],
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
  return [join(DIST_DIR, "main.js"), join(vendor, "tesseract-worker.js")];
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  for (const f of await buildPage()) console.log(relative(process.cwd(), f));
  console.log(`built in ${(performance.now() - t0).toFixed(0)} ms; serve with: npx tsx ${relative(process.cwd(), join(PAGE_DIR, "serve.ts"))}`);
}
