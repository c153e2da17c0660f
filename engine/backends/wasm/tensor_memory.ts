// Float32 tensor storage inside wasm linear memory: blocks of the runtime's heap, returned by an explicit
// free (dispose(), the end of a tidy()) or, as a backstop, when the garbage collector finalizes the view.
// Finalizers run only after a full collection, between tasks: prompt reuse needs the explicit path.
import type { WasmRuntime } from "./runtime.ts";

/** Views handed out and not yet freed, with the runtime whose heap owns them. */
const owned = new WeakMap<Float32Array, WasmRuntime>();
const collected = new FinalizationRegistry<{ rt: WasmRuntime; addr: number }>(({ rt, addr }) => rt.heap.free(addr));

/** A float32 array of n elements in `rt`'s memory (zeroed unless `zero` is false), or null when it has no room. */
export function allocResident(rt: WasmRuntime, n: number, zero: boolean): Float32Array | null {
  const view = rt.allocF32(n, zero);
  if (view === null) return null;
  owned.set(view, rt);
  collected.register(view, { rt, addr: view.byteOffset }, view);
  return view;
}

/** Frees a view allocResident made (false, doing nothing, for any other array). Using it afterwards is a bug. */
export function freeResident(view: Float32Array): boolean {
  const rt = owned.get(view);
  if (rt === undefined) return false;
  owned.delete(view);
  collected.unregister(view);
  rt.freeF32(view);
  return true;
}

/** Whether `view` is a live block of tensor storage in wasm memory. */
export const isResident = (view: Float32Array): boolean => owned.has(view);
