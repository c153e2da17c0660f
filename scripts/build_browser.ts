// Builds the browser bundles into dist/browser/: engine.js (`aetnet/engine`) and aetnet.js (the AETNet library),
// minified ES modules that share one chunk holding the engine, so a page that imports both has one engine.
//   npx tsx scripts/build_browser.ts        (part of `npm run build`)
// Node builtins the engine imports (fs for io, worker_threads for the Node worker pools, …) become stubs
// (node_stubs.ts says which exports do something in a page; the rest throw "Node-only" if called), and
// process.env reads see an empty object, so no engine file needs a browser guard; pngjs is left out
// (noPngjsPlugin). gpu.js is not bundled: the gpu backend uses the page's global `GPU` from gpu.js's browser build
// (dist/gpu-browser.min.js).
import { builtinModules } from "node:module";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { overrides } from "./node_stubs.ts";

const ROOT = resolve(import.meta.dirname, "..");
export const BROWSER_DIST = join(ROOT, "dist", "browser");
const STUBS = join(ROOT, "scripts", "node_stubs.ts");

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const stubbed = new RegExp(`^(node:.*|webgpu|${builtinModules.map(escape).join("|")})$`);

/** Node's value as a JS literal when it is plain data (path.sep, fs.constants, …); undefined for functions. */
function constant(v: unknown): string | undefined {
  if (typeof v === "function" || v === undefined) return undefined;
  try { return JSON.stringify(v) ?? "undefined"; } catch { return "{}"; }
}

/** A module with every export of Node's `name` (or of its overrides): the override, Node's constant, or a thrower. */
async function stubSource(name: string): Promise<string> {
  const real: Record<string, unknown> = name in overrides && !builtinModules.includes(name) ? {} : await import(`node:${name}`);
  const own = overrides[name] ?? {};
  const names = [...new Set([...Object.keys(real), ...Object.keys(own)])].filter((n) => n !== "default" && /^[A-Za-z_$][\w$]*$/.test(n));
  const lines = [`import { overrides, nodeOnly } from ${JSON.stringify(STUBS)};`, `const o = overrides[${JSON.stringify(name)}] ?? {};`];
  names.forEach((n, i) => {
    const fallback = constant(real[n]) ?? `nodeOnly(${JSON.stringify(`node:${name} ${n}`)})`;
    lines.push(`const v${i} = ${JSON.stringify(n)} in o ? o[${JSON.stringify(n)}] : ${fallback};`, `export { v${i} as ${n} };`);
  });
  lines.push(`export default { ${names.map((n, i) => `${n}: v${i}`).join(", ")} };`);
  return lines.join("\n");
}

/** Resolves `node:*`, bare Node builtins and the Node-only `webgpu` package (Dawn) to stubs (node_stubs.ts). */
export const nodeStubsPlugin: esbuild.Plugin = {
  name: "node-stubs",
  setup(build) {
    build.onResolve({ filter: stubbed }, (args) => ({ path: args.path.replace(/^node:/, ""), namespace: "node-stub" }));
    build.onLoad({ filter: /.*/, namespace: "node-stub" }, async (args) => ({ contents: await stubSource(args.path), loader: "js", resolveDir: ROOT }));
  },
};

/**
 * pngjs builds Node stream classes when it loads (util.inherits), which the stubs cannot do, so any module of the
 * bundle that imports it (PNG decoding and encoding in src/data/image, src/train/page_svg.ts) would stop the bundle
 * from loading. In a page PNG goes through the browser (createImageBitmap, canvas): pngjs becomes a module that
 * says so if it is ever called.
 */
export const noPngjsPlugin: esbuild.Plugin = {
  name: "no-pngjs",
  setup(build) {
    build.onResolve({ filter: /^pngjs$/ }, () => ({ path: "pngjs", namespace: "browser-stub" }));
    build.onLoad({ filter: /.*/, namespace: "browser-stub" }, () => ({
      contents: 'const no = () => { throw new Error("pngjs is not in the browser build: decode PNG with the browser ' +
        '(createImageBitmap and a canvas)"); };\nexport const PNG = { sync: { read: no, write: no } };\n' +
        "export default { PNG };\n",
      loader: "js",
    }));
  },
};

/** Bundles engine.js and aetnet.js (plus their shared chunk and source maps) into dist/browser/. */
export async function buildBrowserBundle(options: { logLevel?: esbuild.LogLevel } = {}): Promise<esbuild.Metafile> {
  const result = await esbuild.build({
    entryPoints: { engine: join(ROOT, "engine", "index.ts"), aetnet: join(ROOT, "src", "index.ts") },
    outdir: BROWSER_DIST,
    bundle: true,
    splitting: true,
    chunkNames: "shared-[hash]",
    platform: "browser",
    format: "esm",
    target: "es2022",
    sourcemap: true,
    minify: true,
    external: ["gpu.js"],
    define: { "process.env": "{}" },
    plugins: [noPngjsPlugin, nodeStubsPlugin],
    metafile: true,
    logLevel: options.logLevel ?? "warning",
  });
  return result.metafile;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const meta = await buildBrowserBundle();
  for (const [file, out] of Object.entries(meta.outputs)) {
    if (!file.endsWith(".map")) console.log(`${relative(process.cwd(), resolve(ROOT, file))}  ${(out.bytes / 1024).toFixed(0)} KiB`);
  }
}
