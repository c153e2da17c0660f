// Brings up WebGPU in Node through the `webgpu` package (Google's Dawn, as a native addon) so that gpu.js's
// `mode: 'webgpu'` backend runs outside a browser. Dawn picks a native API per backend: on a machine with a
// real GPU the default (Vulkan on Linux) is tried first; without one, Dawn's OpenGL backend over Mesa's
// llvmpipe software rasteriser still runs every compute shader, slowly, on the CPU (it needs EGL without a
// display: EGL_PLATFORM=surfaceless, which is set here when unset, and WebGPU's "compatibility" feature
// level). Dawn's `null` backend answers every shader with garbage, so an adapter is only accepted after a
// tiny compute shader gives the right numbers on it.
//
// Usage (one installation per process at a time):
//   const dawn = await installDawn();                 // navigator.gpu now exists
//   const gpu = new GPU({ mode: "webgpu" });          // gpu.js kernels acquire the device lazily
//   ...
//   await gpu.destroy(); await dawn.uninstall();     // this order, or Node may hang or crash at exit
// A process that never calls uninstall() does not exit by itself: the live Dawn device keeps the event loop busy.
// Dawn prints a few "Warning: ..." lines on stderr while it probes backends (missing libvulkan, reduced limits);
// they are harmless.
//
// Env AETNET_WEBGPU_BACKEND = default | opengl | vulkan overrides the backend choice (then only that one is tried).

import { DeviceError } from "../../errors.ts";
import { importOptional } from "../../optional_dependency.ts";

export type DawnBackend = "default" | "opengl" | "vulkan";

export interface DawnInstallation {
  /** Human-readable adapter description, e.g. "llvmpipe-llvm-15-0-6-256-bits- (OpenGL version 4.5 (Core Profile) Mesa 22.3.6)". */
  readonly adapterInfo: string;
  /** The Dawn backend option that produced the adapter: "default", "opengl" or "vulkan". */
  readonly backend: DawnBackend;
  /** Destroys gpu.js's shared WebGPU device, then removes navigator.gpu and the WebGPU globals installed. */
  uninstall(): Promise<void>;
}

export const DAWN_INSTALL_HINT =
  "WebGPU for Node needs the optional peer package `webgpu` (`npm install webgpu` next to aetnet; this " +
  "repository's `npm ci` installs it). Without a GPU driver, Dawn's OpenGL backend runs on Mesa's software rasteriser: " +
  "install the Debian/Ubuntu packages `libegl1 libegl-mesa0 libgl1-mesa-dri libgles2` (EGL_PLATFORM=surfaceless " +
  "is set automatically). On a machine with a GPU, install its Vulkan driver (and libvulkan1). Force a backend " +
  "with AETNET_WEBGPU_BACKEND=default|opengl|vulkan.";

// The slice of the WebGPU API used here (the `webgpu` package's own types would add WebGPU's DOM globals to
// every file of the project, and the package is optional, so it is imported by a computed specifier).
interface AdapterInfoLike { vendor?: string; architecture?: string; device?: string; description?: string }
interface BufferLike { mapAsync(mode: number): Promise<void>; getMappedRange(): ArrayBuffer; unmap(): void; destroy(): void }
interface DeviceLike {
  createShaderModule(d: { code: string }): unknown;
  createComputePipeline(d: { layout: "auto"; compute: { module: unknown; entryPoint: string } }): { getBindGroupLayout(i: number): unknown };
  createBuffer(d: { size: number; usage: number }): BufferLike;
  createBindGroup(d: { layout: unknown; entries: { binding: number; resource: { buffer: BufferLike } }[] }): unknown;
  createCommandEncoder(): {
    beginComputePass(): { setPipeline(p: unknown): void; setBindGroup(i: number, g: unknown): void; dispatchWorkgroups(x: number): void; end(): void };
    copyBufferToBuffer(src: BufferLike, so: number, dst: BufferLike, d: number, size: number): void;
    finish(): unknown;
  };
  queue: { writeBuffer(b: BufferLike, offset: number, data: Float32Array): void; submit(c: unknown[]): void };
  pushErrorScope(filter: "validation"): void;
  popErrorScope(): Promise<{ message: string } | null>;
  destroy(): void;
}
interface AdapterLike { info?: AdapterInfoLike; requestDevice(): Promise<DeviceLike> }
interface GpuApiLike { requestAdapter(o?: Record<string, unknown>): Promise<AdapterLike | null>; wgslLanguageFeatures?: unknown }
interface WebGpuModule { create(options: string[]): GpuApiLike; globals: Record<string, unknown> }

const BACKENDS: readonly DawnBackend[] = ["default", "opengl", "vulkan"];
const USAGE = { MAP_READ: 0x0001, COPY_SRC: 0x0004, COPY_DST: 0x0008, STORAGE: 0x0080 };

let installed: { uninstall(): Promise<void> } | null = null;

/** The backends to try, in order: the env override, else the option, else the default backend then OpenGL. */
function candidates(opts: { backend?: DawnBackend }): DawnBackend[] {
  const env = process.env.AETNET_WEBGPU_BACKEND?.trim();
  if (env) {
    if (!(BACKENDS as readonly string[]).includes(env)) throw new DeviceError("installDawn", `AETNET_WEBGPU_BACKEND must be one of ${BACKENDS.join(", ")}, got "${env}"`);
    return [env as DawnBackend];
  }
  if (opts.backend) {
    if (!BACKENDS.includes(opts.backend)) throw new DeviceError("installDawn", `backend must be one of ${BACKENDS.join(", ")}, got "${String(opts.backend)}"`);
    return [opts.backend];
  }
  return ["default", "opengl"];
}

function describe(info: AdapterInfoLike | undefined): string {
  if (!info) return "unknown adapter";
  const main = info.device || info.description || "unknown device";
  const extra = [info.vendor, info.architecture, info.device && info.description ? info.description : ""].filter((s) => s);
  return extra.length ? `${main} (${extra.join(", ")})` : main;
}

/** Runs data·2 + 1 over [1, 2, 3, 4] on a fresh device and checks the answer; returns null or why it failed. */
async function selfTest(adapter: AdapterLike): Promise<string | null> {
  const device = await adapter.requestDevice();
  try {
    device.pushErrorScope("validation");
    const module = device.createShaderModule({
      code: "@group(0) @binding(0) var<storage, read_write> data : array<f32>;\n" +
        "@compute @workgroup_size(4) fn main(@builtin(global_invocation_id) id : vec3<u32>) { data[id.x] = data[id.x] * 2.0 + 1.0; }",
    });
    const pipeline = device.createComputePipeline({ layout: "auto", compute: { module, entryPoint: "main" } });
    const data = device.createBuffer({ size: 16, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
    const read = device.createBuffer({ size: 16, usage: USAGE.MAP_READ | USAGE.COPY_DST });
    device.queue.writeBuffer(data, 0, new Float32Array([1, 2, 3, 4]));
    const group = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: data } }] });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(1);
    pass.end();
    encoder.copyBufferToBuffer(data, 0, read, 0, 16);
    device.queue.submit([encoder.finish()]);
    const error = await device.popErrorScope();
    if (error) return `validation error: ${error.message}`;
    await read.mapAsync(USAGE.MAP_READ);
    const got = Array.from(new Float32Array(read.getMappedRange().slice(0)));
    read.unmap();
    data.destroy();
    read.destroy();
    const want = [3, 5, 7, 9];
    return got.every((v, i) => v === want[i]) ? null : `a test shader computed [${got.join(", ")}] instead of [${want.join(", ")}]`;
  } finally {
    device.destroy();
  }
}

/**
 * Installs `navigator.gpu` (and WebGPU's global constants such as GPUBufferUsage) backed by a validated Dawn
 * adapter, for gpu.js's webgpu mode. Throws an Error naming what to install when no working adapter exists.
 */
export async function installDawn(opts: { backend?: DawnBackend } = {}): Promise<DawnInstallation> {
  if (installed) throw new DeviceError("installDawn", "WebGPU is already installed in this process; call uninstall() first");
  const tries = candidates(opts);
  process.env.EGL_PLATFORM ??= "surfaceless"; // must be set before Dawn's OpenGL backend initialises EGL

  // The package is optional (a MissingDependencyError says to install it), and its own types would leak DOM globals.
  const mod = await importOptional<WebGpuModule>("webgpu", "gpu");

  const failures: string[] = [];
  for (const backend of tries) {
    const createOptions = backend === "default" ? [] : [`backend=${backend}`];
    const adapterOptions: Record<string, unknown> = backend === "opengl" ? { featureLevel: "compatibility" } : {};
    let adapter: AdapterLike | null;
    let api: GpuApiLike;
    try {
      api = mod.create(createOptions);
      adapter = await api.requestAdapter(adapterOptions);
    } catch (e) {
      failures.push(`${backend}: ${(e as Error).message}`);
      continue;
    }
    if (!adapter) { failures.push(`${backend}: no adapter`); continue; }
    const info = adapter.info;
    if (info?.device === "null-backend" || /\bnull\b/i.test(info?.description ?? "")) {
      failures.push(`${backend}: only Dawn's null backend (no real device)`);
      continue;
    }
    let problem: string | null;
    try {
      problem = await selfTest(adapter);
    } catch (e) {
      problem = (e as Error).message;
    }
    if (problem) { failures.push(`${backend} (${describe(info)}): ${problem}`); continue; }
    return install(mod, api, adapterOptions, backend, describe(info));
  }
  throw new DeviceError("installDawn", `no working WebGPU adapter (${failures.join("; ")}). ${DAWN_INSTALL_HINT}`);
}

function install(mod: WebGpuModule, api: GpuApiLike, adapterOptions: Record<string, unknown>, backend: DawnBackend, adapterInfo: string): DawnInstallation {
  const g = globalThis as Record<string, unknown>;
  const addedGlobals: string[] = [];
  for (const [key, value] of Object.entries(mod.globals)) {
    if (!(key in g)) { g[key] = value; addedGlobals.push(key); }
  }
  const previousNavigator = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  const gpu = {
    requestAdapter: (o: Record<string, unknown> = {}) => api.requestAdapter({ ...adapterOptions, ...o }),
    getPreferredCanvasFormat: () => "rgba8unorm",
    wgslLanguageFeatures: api.wgslLanguageFeatures,
  };
  Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });

  let done = false;
  const handle = {
    async uninstall(): Promise<void> {
      if (done) return;
      done = true;
      try {
        // gpu.js keeps one device for every GPU instance; destroying it lets the process exit.
        const gpujs = (await import("gpu.js")) as unknown as { WebGPUContext?: { destroy(): Promise<void> } };
        await gpujs.WebGPUContext?.destroy();
      } finally {
        if (previousNavigator) Object.defineProperty(globalThis, "navigator", previousNavigator);
        else delete g.navigator;
        for (const key of addedGlobals) delete g[key];
        if (installed === handle) installed = null;
      }
    },
  };
  installed = handle;
  return { adapterInfo, backend, uninstall: handle.uninstall };
}
