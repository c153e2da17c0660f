// Drivers for the GPU kernel library's generator methods. gpu.js's GL backends (webgl2, headlessgl) and its
// cpu mode answer a kernel call synchronously; its WebGPU backend answers with a Promise. Every GpuKernels
// method is a generator that yields each kernel call's result and is handed back the resolved value, so one
// body serves both: runSync for the synchronous backends, runAsync for WebGPU.

/** Runs a kernel-library generator to completion, handing every yielded value straight back (GL and cpu modes). */
export function runSync<T>(g: Generator<unknown, T, unknown>): T {
  let r = g.next();
  while (!r.done) {
    if (isThenable(r.value)) {
      // A Promise here means an async backend reached the sync driver: fail loudly instead of passing a Promise on.
      void Promise.resolve(r.value).catch(() => {}); // never an unhandled rejection
      const e = new Error("runSync: a kernel call returned a Promise (the WebGPU backend is asynchronous); drive it with runAsync");
      r = g.throw(e);
      continue;
    }
    r = g.next(r.value);
  }
  return r.value;
}

/** Runs a kernel-library generator to completion, awaiting every yielded value (WebGPU mode; also correct for sync modes). */
export async function runAsync<T>(g: Generator<unknown, T, unknown>): Promise<T> {
  let r = g.next();
  while (!r.done) {
    let v: unknown;
    try {
      v = await r.value;
    } catch (e) {
      r = g.throw(e); // lets the generator's finally blocks free what it allocated
      continue;
    }
    r = g.next(v);
  }
  return r.value;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}
