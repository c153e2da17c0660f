// The browser example (examples/browser/) end to end: bundles it with esbuild, serves it, opens it in
// headless Debian Chromium (WebGL2 through SwiftShader, no GPU) via playwright-core, and checks the
// page's numbers: its CPU-backend run against the same run here in Node (same seed, same numbers), and
// its gpu-backend run against its CPU run (the page's PASS). Chromium comes from .ci/setup_system.sh;
// without it every test fails saying so, unless AETNET_BROWSER_TESTS=skip (then they are reported as skipped).
import type { Server } from "node:http";
import type { Browser, ConsoleMessage } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { buildBundle } from "../../examples/browser/build.ts";
import type { PageResult } from "../../examples/browser/main.ts";
import { serve } from "../../examples/browser/serve.ts";
import { backendInfo, setBackend } from "../../engine/index.ts";
import { compare, runLayer, type LayerRun } from "../../examples/browser/workload.ts";
import { skipWhen } from "../skip.ts";
import { FLAGS, launchChromium, skipBrowserTests as skip } from "./chromium.ts";

/** The page's CPU run vs this process's: same kernels, same seed, so only float32 rounding may differ. */
const CPU_TOLERANCE = 1e-5;

const t = suite("browser example (headless Chromium)");
const test = skipWhen(t, skip ? "AETNET_BROWSER_TESTS=skip: nothing checks the browser example" : null);

let setupError: Error | null = null;
let browser: Browser | null = null;
let closeBrowser: (() => Promise<void>) | null = null;
let server: Server | null = null;
let url = "";
let reference: LayerRun;
let result: PageResult;
const pageLog: string[] = [];

t.before(async () => {
  if (skip) return;
  try {
    const launched = await launchChromium();
    [browser, closeBrowser] = [launched.browser, launched.close];
    await buildBundle({ logLevel: "error" });
    ({ server, url } = await serve(0));
    reference = await onCpuBackend(runLayer);
  } catch (err) {
    setupError = err as Error; // uvu reports a throwing before hook as nothing run and exits 0: rethrown per test
  }
});
t.before.each(() => { if (setupError) throw setupError; });
t.after(async () => {
  await closeBrowser?.();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
});

/** The reference on the CPU backend, whichever backend the test process is on (restored after). */
async function onCpuBackend<T>(fn: () => Promise<T>): Promise<T> {
  const wasGpu = backendInfo().name === "gpu";
  if (wasGpu) await setBackend("cpu");
  try { return await fn(); } finally { if (wasGpu) await setBackend("gpu"); }
}

test("the page runs the layer and publishes window.__result", async () => {
  const page = await browser!.newPage();
  page.on("console", (m: ConsoleMessage) => pageLog.push(`[${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => pageLog.push(`[pageerror] ${e.stack ?? e.message}`));
  try {
    await page.goto(url, { timeout: 30_000 });
    await page.waitForFunction(() => (globalThis as { __result?: unknown }).__result !== undefined, undefined, { timeout: 60_000 });
  } catch (err) {
    throw new Error(`the page did not publish window.__result: ${(err as Error).message}\npage log:\n${pageLog.join("\n")}`);
  }
  result = (await page.evaluate(() => (globalThis as { __result?: unknown }).__result)) as PageResult;
  await page.close();
  const { env, gpu, cpu } = result;
  console.log(`\n  browser: ${result.status}: ${result.message}\n  WebGL2: ${"error" in env.webgl2 ? env.webgl2.error : env.webgl2.renderer}\n  WebGPU: ${env.webgpu}` +
    `\n  cpu ${JSON.stringify(cpu?.backend)} ${cpu?.timings.map((x) => x.totalMs.toFixed(0)).join("/")} ms` +
    (gpu ? `\n  gpu ${JSON.stringify({ ...gpu.backend, stats: undefined })} ${gpu.timings.map((x) => x.totalMs.toFixed(0)).join("/")} ms` : ""));
  assert.ok(result.cpu, `the page failed before its CPU run finished: ${result.message}\npage log:\n${pageLog.join("\n")}`);
});

test("WebGL2 comes up in headless Chromium (SwiftShader)", () => {
  assert.ok(result, "no page result (see the first test)");
  const gl = result.env.webgl2;
  assert.ok(!("error" in gl), `NO SOFTWARE GPU: headless Chromium gave no WebGL2 context (${"error" in gl ? gl.error : ""}) with flags ${FLAGS.join(" ")}`);
  assert.ok(gl.renderer.length > 0);
});

test("the page's CPU numbers equal this process's (same seed, CPU backend)", () => {
  assert.ok(result?.cpu, "no CPU run on the page (see the first test)");
  const values = result.cpu.values;
  assert.equal(Object.keys(values).sort(), Object.keys(reference.tensors).sort(), "the page and Node produced different tensors");
  let worst = 0;
  for (const [name, t] of Object.entries(reference.tensors)) {
    const { maxAbsDiff, rel } = compare(values[name], t.values);
    assert.ok(rel <= CPU_TOLERANCE, `${name}: page vs Node max|Δ| ${maxAbsDiff} (÷ max(1, max|ref|): ${rel}) > ${CPU_TOLERANCE}`);
    worst = Math.max(worst, rel);
  }
  console.log(`  page CPU vs Node CPU (${JSON.stringify(reference.backend)}): worst ${worst.toExponential(2)}`);
});

test("the page's gpu backend run matches its CPU run (PASS)", () => {
  assert.ok(result, "no page result (see the first test)");
  assert.is(result.status, "PASS", `the page says ${result.status}: ${result.message}\npage log:\n${pageLog.join("\n")}`);
  assert.is(result.gpu?.backend.name, "gpu", `the page's second run was not on the gpu backend: ${JSON.stringify(result.gpu?.backend)}`);
  assert.is(result.gpu?.backend.kernel, "WebGL2Kernel", `gpu.js ran ${String(result.gpu?.backend.kernel)}, not WebGL2`);
});

t.run();
