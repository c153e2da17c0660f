// Deterministic device memory: tidy(), keep() and dispose(). On the CPU backend memory is the garbage
// collector's business and these do nothing that matters; on the gpu backend a synchronous training loop
// would otherwise hold every step's device buffers until it ends (finalizers only run between tasks).
import { scopes, type Storage } from "./storage.ts";
import { Tensor } from "./tensor.ts";

/**
 * Runs fn and then frees the device buffers of every tensor created inside it, except those reachable
 * from its result (a tensor, or arrays / plain objects of them) and those kept with keep(). Gradients
 * accumulated into tensors, optimizer state and parameters updated in place are kept automatically, so
 * `tidy(() => { const loss = …; loss.backward(); opt.step(); return loss; })` is one training step.
 * Tensors that also have a host copy keep it; a device-only tensor released here throws when used.
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Storage>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.splice(scopes.lastIndexOf(scope), 1);
  }
  const survivors = reachable(result);
  for (const s of survivors) scope.delete(s);
  // Survivors of an inner scope belong to the enclosing one, which decides their fate in turn.
  const outer = scopes.at(-1);
  if (outer) for (const s of survivors) outer.add(s);
  for (const s of scope) s.release();
  return result;
}

/** Marks a tensor made inside tidy() as outliving it (e.g. stored in a queue or a cache). */
export function keep<T extends Tensor>(t: T): T {
  t.buf.escapeScopes();
  return t;
}

function reachable(value: unknown, out = new Set<Storage>()): Set<Storage> {
  if (value instanceof Tensor) out.add(value.buf);
  else if (Array.isArray(value)) for (const v of value) reachable(v, out);
  else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) reachable(v, out);
  }
  return out;
}
