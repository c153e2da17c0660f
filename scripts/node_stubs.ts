// The browser answers for the Node-only modules the engine imports (build_browser.ts turns every `node:*`
// module, and the `webgpu` Dawn binding, into a stub). An export listed here is what the page gets; any
// other export of that module becomes a function that throws "… is Node-only" when called (constants
// keep Node's value), so a new Node import in the engine never breaks the bundle, only a page that
// actually reaches it.

/** node:path's posix string helpers, enough for engine/io's path joins (io itself is Node-only). */
const join = (...parts: string[]): string => parts.filter((p) => p !== "").join("/").replace(/\/+/g, "/");
const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);
const dirname = (p: string): string => { const i = p.lastIndexOf("/"); return i < 0 ? "." : i === 0 ? "/" : p.slice(0, i); };

/** navigator.hardwareConcurrency in a cross-origin isolated page, else 1 (no SharedArrayBuffer to share). */
function pageThreads(): number {
  const page = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return page.crossOriginIsolated === true ? Math.max(1, page.navigator?.hardwareConcurrency ?? 1) : 1;
}

export const overrides: Record<string, Record<string, unknown>> = {
  // The wasm kernels' threads: every core the browser reports where the page is cross-origin isolated
  // (shared memory exists, and the pool runs Web Workers), one thread otherwise.
  os: { availableParallelism: pageThreads, cpus: () => [{}], platform: () => "browser" },
  // V8 flags are the browser's business (Chromium turns relaxed SIMD on by itself).
  v8: { setFlagsFromString: () => {} },
  path: { join, resolve: join, basename, dirname },
  // In a page, WebGPU is navigator.gpu.
  webgpu: { create: () => (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu, globals: {} },
};

/** The stand-in for a Node function the browser has no equivalent of. */
export function nodeOnly(name: string): () => never {
  return function stub(): never {
    throw new Error(`${name} is Node-only; the browser build of the engine cannot use it`);
  };
}
