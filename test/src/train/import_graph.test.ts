// The training modules share their types through run_types.ts: no module of src/train imports itself back through
// others (batches → task_kind → checkpoint → task_kind used to form a circle, type imports included).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const t = suite("train/import graph");
const root = resolve(import.meta.dirname, "../../..");

/** Relative imports (value and type) of every .ts file under dir, as absolute paths. */
function importGraph(dir: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) visit(path);
      else if (e.name.endsWith(".ts")) {
        const text = readFileSync(path, "utf8");
        const targets = [...text.matchAll(/(?:import|export)[^;]*?from\s+"(\.[^"]+)"/g)].map((m) => resolve(dirname(path), m[1]));
        graph.set(path, targets);
      }
    }
  };
  visit(dir);
  return graph;
}

/** One import circle as a list of files, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const dfs = (node: string): string[] | null => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === "open") return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) { const c = dfs(next); if (c) return c; }
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) { const c = dfs(node); if (c) return c; }
  return null;
}

t("src/train has no import circle", () => {
  const cycle = findCycle(importGraph(join(root, "src", "train")));
  assert.is(cycle, null, `import circle: ${cycle?.map((p) => p.slice(root.length + 1)).join(" → ")}`);
});

t("the check finds a circle where there is one", () => {
  const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]]]);
  assert.equal(findCycle(g), ["a", "b", "c", "a"]);
});

t.run();
