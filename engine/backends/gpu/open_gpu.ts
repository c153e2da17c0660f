// Opens gpu.js in one mode, builds the kernel library on it, and proves it computes: a backend that
// silently degraded (gpu.js falls back to its cpu mode) or a null adapter is refused, never used.
import { DeviceError } from "../../errors.ts";
import { importOptional } from "../../optional_dependency.ts";
import { installDawn } from "./dawn.ts";
import { runAsync } from "./generators.ts";
import { GpuKernels } from "./kernels.ts";

/** The gpu.js kernel class each mode must produce. */
const EXPECTED: Record<string, string> = {
  webgpu: "WebGPUKernel", webgl2: "WebGL2Kernel", webgl: "WebGLKernel", headlessgl: "HeadlessGLKernel", cpu: "CPUKernel",
};

export interface OpenGpu { lib: GpuKernels; adapter: string; close(): Promise<void> }

export async function openGpu(mode: string): Promise<OpenGpu> {
  if (!(mode in EXPECTED)) throw new DeviceError("gpu", `unknown gpu.js mode ${JSON.stringify(mode)}; expected one of ${Object.keys(EXPECTED).join(", ")}`);
  const dawn = mode === "webgpu" ? await installDawn() : null;
  const { GPU } = await loadGpuJs();
  const gpu = new GPU({ mode: mode as "webgpu" });
  const lib = new GpuKernels(gpu);
  const close = async (): Promise<void> => { await gpu.destroy(); await dawn?.uninstall(); };
  try {
    await selfTest(lib);
    if (lib.kernelName !== EXPECTED[mode]) {
      throw new DeviceError("gpu", `asked gpu.js for ${mode} but it ran ${lib.kernelName || "nothing"} (its ${mode} backend is unavailable here)`);
    }
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
  return { lib, adapter: dawn ? dawn.adapterInfo : mode, close };
}

/** 3 + 4 = 7 through a real kernel and a readback: catches null adapters that return garbage. */
async function selfTest(lib: GpuKernels): Promise<void> {
  const a = await runAsync(lib.upload(Float32Array.of(1, 2, 3)));
  const b = await runAsync(lib.upload(Float32Array.of(4, 5, 6)));
  const c = await runAsync(lib.binary("add", a, [1], b, [1], [3]));
  const got = Array.from(await lib.read(c));
  for (const h of [a, b, c]) lib.free(h);
  if (got.join(",") !== "5,7,9") throw new DeviceError("gpu", `self-test on ${lib.kernelName} computed [${got.join(", ")}] for [1,2,3] + [4,5,6]; this adapter does not compute (a null or broken backend)`);
}

type GpuJs = typeof import("gpu.js");

/** gpu.js's GPU class (not WebGPU's interface of the same name, which Dawn's globals install). */
const isGpuJs = (c: unknown): c is GpuJs["GPU"] => typeof c === "function" && "isGPUSupported" in c;

/** gpu.js: a page's global `GPU` when a <script> loaded its browser build, else the optional package. */
async function loadGpuJs(): Promise<Pick<GpuJs, "GPU">> {
  const global = (globalThis as { GPU?: unknown }).GPU;
  if (isGpuJs(global)) return { GPU: global };
  const nested = (global as { GPU?: unknown } | undefined)?.GPU;
  if (isGpuJs(nested)) return { GPU: nested };
  return importOptional<GpuJs>("gpu.js", "gpu");
}
