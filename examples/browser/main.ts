// The browser example's page script: one TransformerEncoderLayer, forward + backward, first on the
// engine's CPU backend (wasm SIMD, single-threaded in a page), then on its gpu backend (WebGL2 through
// gpu.js) when the engine has one, and the largest differences between the two. The numbers land on
// the page and on window.__result, which test/browser/page.test.ts reads.
import { backendInfo, setBackend } from "aetnet/engine";
import { SETUP, TOLERANCE, checksum, compare, runLayer, type LayerRun, type Timings } from "./workload.ts";

/** RUNNING only while the page works; the test waits for one of the others on window.__result. */
export type Status = "PASS" | "FAIL" | "RUNNING";

export interface Row { name: string; shape: number[]; cpuChecksum: number; gpuChecksum?: number; maxAbsDiff?: number; rel?: number; ok?: boolean }

export interface PageResult {
  status: Status;
  /** Why: the failing rows, the error, or why there was no GPU run. */
  message: string;
  tolerance: number;
  setup: typeof SETUP;
  env: { webgl2: { renderer: string; vendor: string } | { error: string }; webgpu: string; crossOriginIsolated: boolean; userAgent: string };
  cpu?: { backend: Record<string, unknown>; timings: Timings[]; values: Record<string, number[]> };
  gpu?: { backend: Record<string, unknown>; timings: Timings[]; weightsMaxAbsDiff: number };
  rows: Row[];
}

// ---- the little of the DOM this page uses ---------------------------------------------------------------
// The project type-checks without TypeScript's "DOM" lib (its WebAssembly typings clash with the engine's),
// so the page declares what it touches.
interface Element { textContent: string | null; className: string; append(...children: Element[]): void; replaceChildren(): void }
interface WebGL2 {
  RENDERER: number; VENDOR: number;
  getParameter(p: number): unknown;
  getExtension(name: "WEBGL_debug_renderer_info"): { UNMASKED_RENDERER_WEBGL: number; UNMASKED_VENDOR_WEBGL: number } | null;
}
interface GpuAdapterLike { info?: { vendor?: string; architecture?: string; description?: string } }
interface Page {
  document: {
    createElement(tag: "canvas"): Element & { getContext(kind: "webgl2"): WebGL2 | null };
    createElement(tag: string): Element;
    getElementById(id: string): Element | null;
  };
  navigator: { userAgent: string; gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } };
  location: { search: string };
  crossOriginIsolated?: boolean;
  /** What the test reads. */
  __result?: PageResult;
}
const page = globalThis as unknown as Page;
const { document, navigator } = page;

// ---- what the browser offers ------------------------------------------------------------------------

function probeWebGL2(): PageResult["env"]["webgl2"] {
  const gl = document.createElement("canvas").getContext("webgl2");
  if (!gl) return { error: "no webgl2 context" };
  const info = gl.getExtension("WEBGL_debug_renderer_info");
  return {
    renderer: String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER)),
    vendor: String(gl.getParameter(info ? info.UNMASKED_VENDOR_WEBGL : gl.VENDOR)),
  };
}

async function probeWebGPU(): Promise<string> {
  const gpu = navigator.gpu;
  if (!gpu) return "navigator.gpu is undefined";
  const adapter = await gpu.requestAdapter().catch((e: unknown) => `requestAdapter failed: ${e}`);
  if (typeof adapter === "string") return adapter;
  if (!adapter) return "no adapter (Chromium needs --enable-unsafe-webgpu for its SwiftShader one)";
  const { vendor = "?", architecture = "?", description = "" } = adapter.info ?? {};
  return `adapter ${vendor} / ${architecture}${description ? ` (${description})` : ""}`;
}

// ---- GPU hook: the one place the page turns the engine's gpu backend on ------------------------------
/**
 * Switches the engine to its gpu backend (an error from setBackend propagates). gpu.js runs the engine's
 * browser default, webgl2, unless the URL names another mode: `?mode=webgl`.
 */
async function useGpuBackend(): Promise<void> {
  const mode = new URLSearchParams(page.location.search).get("mode");
  await setBackend("gpu", mode ? { mode } : {});
}

// ---- the run ----------------------------------------------------------------------------------------

/** Runs the layer twice: the first result is compared, both timings are shown (the first compiles kernels). */
async function twice(): Promise<{ run: LayerRun; timings: Timings[] }> {
  const run = await runLayer();
  const again = await runLayer();
  return { run, timings: [run.timings, again.timings] };
}

async function probeEnv(): Promise<PageResult["env"]> {
  return { webgl2: probeWebGL2(), webgpu: await probeWebGPU(), crossOriginIsolated: page.crossOriginIsolated === true, userAgent: navigator.userAgent };
}

async function main(env: PageResult["env"]): Promise<PageResult> {
  const base = { tolerance: TOLERANCE, setup: SETUP, env };
  show({ ...base, status: "RUNNING", message: `running on ${JSON.stringify(backendInfo())} …`, rows: [] });

  const cpu = await twice();
  const cpuPart = {
    backend: cpu.run.backend,
    timings: cpu.timings,
    values: Object.fromEntries(Object.entries(cpu.run.tensors).map(([k, t]) => [k, Array.from(t.values)])),
  };
  const rows: Row[] = Object.entries(cpu.run.tensors).map(([name, t]) => ({ name, shape: t.shape, cpuChecksum: checksum(t.values) }));

  await useGpuBackend();

  const gpu = await twice();
  const weights = compare(gpu.run.weights, cpu.run.weights);
  for (const row of rows) {
    const g = gpu.run.tensors[row.name]?.values ?? new Float32Array(0);
    const { maxAbsDiff, rel } = compare(g, cpu.run.tensors[row.name].values);
    Object.assign(row, { gpuChecksum: checksum(g), maxAbsDiff, rel, ok: rel <= TOLERANCE });
  }
  const bad = rows.filter((r) => !r.ok).map((r) => `${r.name} (rel ${r.rel?.toExponential(2)})`);
  const message = weights.maxAbsDiff !== 0
    ? `the same seed gave different initial weights on the gpu backend (max |Δ| ${weights.maxAbsDiff.toExponential(2)})`
    : bad.length > 0 ? `beyond tolerance: ${bad.join(", ")}` : `all ${rows.length} tensors agree within ${TOLERANCE} (worst ${Math.max(...rows.map((r) => r.rel ?? 0)).toExponential(2)})`;
  return {
    ...base,
    status: weights.maxAbsDiff === 0 && bad.length === 0 ? "PASS" : "FAIL",
    message,
    cpu: cpuPart,
    gpu: { backend: gpu.run.backend, timings: gpu.timings, weightsMaxAbsDiff: weights.maxAbsDiff },
    rows,
  };
}

// ---- the page ---------------------------------------------------------------------------------------

function el(tag: string, text = "", className = ""): Element {
  const e = document.createElement(tag);
  e.textContent = text;
  if (className) e.className = className;
  return e;
}

const ms = (t: Timings) => `build ${t.buildMs.toFixed(1)} · forward ${t.forwardMs.toFixed(1)} · backward ${t.backwardMs.toFixed(1)} · read ${t.readMs.toFixed(1)} · total ${t.totalMs.toFixed(1)} ms`;
const num = (x: number | undefined, f: (x: number) => string) => (x === undefined ? "—" : f(x));

function show(r: PageResult): void {
  const root = document.getElementById("result")!;
  root.replaceChildren();
  root.append(el("p", `${r.status}: ${r.message}`, `status ${r.status.toLowerCase()}`));
  const webgl2 = "error" in r.env.webgl2 ? r.env.webgl2.error : `${r.env.webgl2.renderer} (${r.env.webgl2.vendor})`;
  const facts: [string, string][] = [
    ["layer", `TransformerEncoderLayer(d=${r.setup.dModel}, heads=${r.setup.nHead}, ffn=${r.setup.dimFeedforward}, pre-LN, GELU) on [${r.setup.batch}, ${r.setup.seq}, ${r.setup.dModel}], seed ${r.setup.seed}; loss = sum(y²)`],
    ["WebGL2", webgl2],
    ["WebGPU", r.env.webgpu],
    ["CPU backend", r.cpu ? JSON.stringify(r.cpu.backend) : "…"],
    ["GPU backend", r.gpu ? JSON.stringify(r.gpu.backend) : "—"],
    ...(r.cpu?.timings.map((t, i): [string, string] => [`CPU run ${i + 1}`, ms(t)]) ?? []),
    ...(r.gpu?.timings.map((t, i): [string, string] => [`GPU run ${i + 1}`, ms(t)]) ?? []),
    ["tolerance", `max|gpu − cpu| / max(1, max|cpu|) ≤ ${r.tolerance}, per tensor`],
  ];
  const dl = el("dl");
  for (const [k, v] of facts) dl.append(el("dt", k), el("dd", v));
  root.append(dl);
  if (r.rows.length === 0) return;
  const table = el("table");
  const head = el("tr");
  for (const h of ["tensor", "shape", "cpu Σ|x|", "gpu Σ|x|", "max |gpu − cpu|", "÷ max(1, max|cpu|)", ""]) head.append(el("th", h));
  table.append(head);
  for (const row of r.rows) {
    const tr = el("tr");
    for (const v of [row.name, `[${row.shape.join(", ")}]`, row.cpuChecksum.toPrecision(8), num(row.gpuChecksum, (x) => x.toPrecision(8)),
      num(row.maxAbsDiff, (x) => x.toExponential(2)), num(row.rel, (x) => x.toExponential(2)), row.ok === undefined ? "" : row.ok ? "ok" : "FAIL"]) tr.append(el("td", v));
    table.append(tr);
  }
  root.append(table);
}

const env = await probeEnv();
const result = await main(env).catch((e: unknown): PageResult => ({
  status: "FAIL",
  message: `error: ${e instanceof Error ? e.stack ?? e.message : String(e)}`,
  tolerance: TOLERANCE,
  setup: SETUP,
  env,
  rows: [],
}));
show(result);
page.__result = result;
console.log(`[aetnet] ${result.status}: ${result.message}`);
