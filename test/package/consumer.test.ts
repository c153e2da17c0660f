// The package as a user gets it: `npm pack` (which builds dist/), then `npm install` of the tarball into an
// empty project (cache first: --prefer-offline), and then plain Node, strict TypeScript, the installed CLI and
// a browser page use it. Checks what ships, that installing pulls no heavy dependency, that a missing optional
// peer is a one-line error, and that training through the package makes the loss fall.
// AETNET_BROWSER_TESTS=skip skips the browser part (as for the browser example's test).
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Browser } from "playwright-core";
import { serve } from "../../examples/browser/serve.ts";
import { MAX_WORKERS } from "../../engine/backends/wasm/pool.ts";
import { launchChromium, skipBrowserTests } from "../browser/chromium.ts";
import { skipWhen } from "../skip.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const FIXTURES = join(import.meta.dirname, "consumer");
const TSC = join(ROOT, "node_modules", ".bin", "tsc");
/** Packages a user of the CPU engine must never get by installing aetnet (optional peers and dev tools). */
const HEAVY = [
  "gpu.js", "webgpu", "tesseract.js", "@tesseract.js-data", "pdfjs-dist", "@napi-rs", "bullmq", "ioredis", "gl", "tsx", "typescript",
];
const MB = 1e6; // decimal megabytes, as npm reports sizes

const t = suite("the packed package in a fresh project");
let work = "";
let project = "";
let tarball = "";
let setupError: Error | null = null;

/** Bytes under `path` (files only, links not followed). */
function du(path: string): number {
  const s = statSync(path, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, name) => n + du(join(path, name)), 0);
}

/** Runs a command in the project; fails with its output when it exits non-zero. */
function run(cmd: string, args: string[], opts: { env?: Record<string, string> } = {}): string {
  const r = spawnSync(cmd, args, { cwd: project, encoding: "utf8", env: { ...process.env, ...opts.env }, timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const lastJson = <T>(out: string): T => JSON.parse(out.trim().split("\n").at(-1)!) as T;
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

t.before(() => {
  try {
    work = mkdtempSync(join(tmpdir(), "aetnet-package-"));
    const packed = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", work], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
    const info = packed[0] as { filename: string; size: number; unpackedSize: number; files: { path: string }[] };
    tarball = join(work, info.filename);
    files = info.files.map((f) => f.path);
    project = join(work, "project");
    cpSync(FIXTURES, project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    execFileSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], { cwd: project, stdio: "pipe" });
    const modules = join(project, "node_modules");
    const others = du(modules) - du(join(modules, "aetnet"));
    sizes = { tarball: info.size, unpacked: info.unpackedSize, nodeModulesBesidesAetnet: others };
    console.log(`\n  tarball ${(info.size / MB).toFixed(2)} MB (${info.files.length} files), unpacked ${(info.unpackedSize / MB).toFixed(2)} MB, ` +
      `node_modules besides aetnet ${(others / MB).toFixed(2)} MB: ${readdirSync(modules).filter((n) => !n.startsWith(".")).join(", ")}`);
  } catch (err) {
    setupError = err as Error; // uvu reports a throwing before hook as nothing run: rethrown per test
  }
});
t.before.each(() => { if (setupError) throw setupError; });
t.after(() => { if (work) rmSync(work, { recursive: true, force: true }); });

let files: string[] = [];
let sizes = { tarball: 0, unpacked: 0, nodeModulesBesidesAetnet: 0 };

t("the tarball holds the built library, its types, bin, README, LICENSE and user docs, nothing else", () => {
  for (const f of ["dist/engine/index.js", "dist/engine/index.d.ts", "dist/engine/testing/index.js", "dist/src/index.js",
    "dist/src/index.d.ts", "dist/src/cli/main.js", "dist/browser/engine.js", "dist/browser/aetnet.js", "bin/aetnet.js",
    "README.md", "LICENSE", "CHANGELOG.md", "docs/API.md", "package.json"]) {
    assert.ok(files.includes(f), `${f} is missing from the tarball`);
  }
  const stray = files.filter((f) => !/^(dist\/(engine|src|browser)\/|bin\/|docs\/|README\.md$|LICENSE$|CHANGELOG\.md$|package\.json$)/.test(f) ||
    (f.endsWith(".ts") && !f.endsWith(".d.ts")));
  assert.equal(stray, [], "files outside the whitelist (sources, tests, fixtures, CI, benchmarks)");
});

t("installing it pulls no heavy dependency (node_modules besides aetnet < 5 MB)", () => {
  const installed = readdirSync(join(project, "node_modules"));
  for (const name of HEAVY) assert.not.ok(installed.includes(name), `${name} was installed`);
  assert.ok(sizes.nodeModulesBesidesAetnet < 5 * MB, `node_modules besides aetnet is ${(sizes.nodeModulesBesidesAetnet / MB).toFixed(1)} MB`);
});

t("plain Node (.mjs): a tiny transformer trains and its loss falls", () => {
  const { losses, backend } = lastJson<{ losses: number[]; backend: { kernel: string } }>(run("node", ["train_transformer.mjs"]));
  assert.is(backend.kernel, "wasm-simd");
  const [first, last] = [mean(losses.slice(0, 5)), mean(losses.slice(-5))];
  assert.ok(last < 0.5 * first, `loss ${first.toFixed(3)} → ${last.toFixed(3)}: did not fall by half`);
});

t("plain Node (.mjs): the tiny AETNet builds and trains a step with every loss term", () => {
  const { losses, terms } = lastJson<{ losses: number[]; terms: string[] }>(run("node", ["aetnet_step.mjs"]));
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  assert.ok(losses.at(-1)! < losses[0], `loss ${losses[0]} → ${losses.at(-1)} on one repeated batch`);
  for (const term of ["task", "i2t", "t2i", "glitcText", "pita"]) assert.ok(terms.includes(term), `no ${term} term`);
});

t("strict TypeScript type-checks against the shipped .d.ts (moduleResolution node16 and bundler)", () => {
  for (const config of ["tsconfig.node16.json", "tsconfig.bundler.json"]) {
    // The project's own TypeScript and @types/node (a TypeScript user of the Node parts has @types/node).
    run(TSC, ["-p", config, "--typeRoots", join(ROOT, "node_modules", "@types")]);
  }
});

t("the gpu backend without its optional peers is a one-line error saying what to install", () => {
  const script = `import { setBackend } from "aetnet/engine";
try { await setBackend("gpu"); console.log("opened"); } catch (e) { console.log(e.name + ": " + e.message); }`;
  const out = run("node", ["--input-type=module", "-e", script]).trim();
  assert.is(out, 'MissingDependencyError: [gpu] needs the optional package "gpu.js", which is not installed; run: npm install gpu.js');
});

t("the installed aetnet command: --help, and a tiny train on synthetic forms", () => {
  const aetnet = join(project, "node_modules", ".bin", "aetnet");
  assert.match(run(aetnet, ["--help"]), /--backend cpu\|reference\|gpu/);
  const out = run(aetnet, ["train", "--task", "synthetic", "--config", "tiny", "--epochs", "1", "--train-docs", "2", "--eval-docs", "1",
    "--max-length", "32", "--out", join(work, "run"), "--cache", join(work, "cache"), "--threads", "1"]);
  assert.match(out, /final entity F1 on 1 held-out synthetic documents: \d\.\d{4}/);
});

const browserTest = skipWhen(t, skipBrowserTests ? "AETNET_BROWSER_TESTS=skip: nothing checks the packed browser bundle" : null);

interface PageOutcome {
  losses?: number[]; backend?: { kernel: string; threads?: number }; matmulMaxDiff: number;
  crossOriginIsolated: boolean; hardwareConcurrency: number; error?: string;
}

/** Loads page.html; `isolated: false` strips the server's COOP/COEP headers (no cross-origin isolation). */
async function loadPage(browser: Browser, url: string, isolated: boolean): Promise<PageOutcome> {
  const page = await browser.newPage();
  const log: string[] = [];
  page.on("pageerror", (e) => log.push(e.message));
  if (!isolated) {
    await page.route("**/*", async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      delete headers["cross-origin-opener-policy"];
      delete headers["cross-origin-embedder-policy"];
      await route.fulfill({ response, headers });
    });
  }
  await page.goto(`${url}page.html`, { timeout: 30_000 });
  await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
  const result = await page.evaluate(() => (globalThis as { __result?: unknown }).__result) as PageOutcome;
  await page.close();
  assert.ok(result.losses, `the page failed: ${result.error ?? ""} ${log.join("\n")}`);
  console.log(`  page: ${JSON.stringify(result.backend)}, cross-origin isolated ${result.crossOriginIsolated}, ` +
    `${result.hardwareConcurrency} cores, wasm matmul vs reference max|Δ| ${result.matmulMaxDiff.toExponential(2)}`);
  assert.is(result.backend?.kernel, "wasm-simd");
  assert.ok(result.matmulMaxDiff < 1e-3, `wasm matmul differs from the reference kernels by ${result.matmulMaxDiff}`);
  assert.ok(result.losses.at(-1)! < 0.5 * result.losses[0], `page loss ${result.losses[0]} → ${result.losses.at(-1)}`);
  return result;
}

browserTest("the browser bundle in Chromium: every core when isolated, one thread otherwise, and training", async () => {
  const chromium = await launchChromium();
  let server: Server | null = null;
  try {
    let url: string;
    ({ server, url } = await serve(0, project));
    const isolated = await loadPage(chromium.browser, url, true);
    assert.ok(isolated.crossOriginIsolated, "the test server sends COOP/COEP; the page should be cross-origin isolated");
    const cores = Math.min(isolated.hardwareConcurrency, MAX_WORKERS + 1);
    assert.is(isolated.backend?.threads, cores, "threads in an isolated page: every core");
    const plain = await loadPage(chromium.browser, url, false);
    assert.not.ok(plain.crossOriginIsolated, "without COOP/COEP the page should not be cross-origin isolated");
    assert.is(plain.backend?.threads, 1, "threads in a page that is not cross-origin isolated");
  } finally {
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
    await chromium.close();
  }
});

t.run();
