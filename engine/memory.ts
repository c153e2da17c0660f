// Deterministic memory: tidy(), keep() and dispose(). They free device buffers (gpu backend) and float32
// storage in wasm memory (CPU backend); arrays on the JS heap are left to the garbage collector. Without them
// a synchronous training loop would hold every step's memory until a full collection runs its finalizers.
// docs/MEMORY.md tells where a tensor lives and when it is freed.
import { scopes, type Storage } from "./storage.ts";
import { Tensor } from "./tensor.ts";

/**
 * Runs fn and then frees the memory of every tensor created inside it, except those reachable from its
 * result (a tensor, or arrays / plain objects of them, and the graph behind a returned tensor that backward
 * has not consumed yet) and those kept with keep(). Gradients
 * accumulated into tensors, optimizer state and parameters updated in place are kept automatically, so
 * `tidy(() => { const loss = …; loss.backward(); opt.step(); return loss; })` is one training step.
 * Tensors that also have a host copy keep it; a tensor whose only copy was freed here throws when used.
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

function reachable(value: unknown, out = new Set<Storage>(), seen = new Set<Tensor>()): Set<Storage> {
  if (value instanceof Tensor) {
    // Inputs of graph nodes backward may still run (it frees a node's saved tensors once it has run).
    const stack = [value];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      out.add(t.buf);
      if (t.gradFn !== null && !t.gradFn.freed) stack.push(...t.gradFn.inputs);
    }
  } else if (Array.isArray(value)) for (const v of value) reachable(v, out, seen);
  else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value)) reachable(v, out, seen);
  }
  return out;
}
