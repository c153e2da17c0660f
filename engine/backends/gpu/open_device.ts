// Opens the gpu backend's device: in Node, WebGPU (Dawn) in a worker thread by default; in a browser,
// gpu.js's synchronous WebGL2 backend on the page's thread; any other gpu.js mode in-thread when asked.
import { DeviceError } from "../../errors.ts";
import { requireInstalled } from "../../optional_dependency.ts";
import type { GpuDevice } from "./device.ts";
import { openGpu } from "./open_gpu.ts";
import { SyncGpuDevice } from "./sync_device.ts";

const inBrowser = (): boolean => "window" in globalThis && "document" in globalThis;

export async function openGpuDevice(mode?: string): Promise<GpuDevice> {
  const m = mode ?? (inBrowser() ? "webgl2" : "webgpu");
  if (m === "webgpu" && !inBrowser()) {
    // The worker loads both; a missing one is reported here, as the typed error, not as the worker's failure.
    requireInstalled("gpu.js", "gpu");
    requireInstalled("webgpu", "gpu");
    const { WorkerGpuDevice } = await import("./worker_device.ts");
    return WorkerGpuDevice.open(m); // it shuts Dawn down however the process ends
  }
  if (m === "webgpu") {
    // The engine reads results synchronously; a page's thread cannot block on WebGPU's asynchronous reads.
    throw new DeviceError("gpu", "in a browser the gpu backend runs gpu.js's synchronous GL backends (mode 'webgl2' or 'webgl'); WebGPU there would need the engine in a worker with a blocking read, which is not built");
  }
  const g = await openGpu(m);
  return new SyncGpuDevice(g.lib, m, g.adapter, g.close);
}
