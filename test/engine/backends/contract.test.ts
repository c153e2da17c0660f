// One kernel contract for every backend: ops, optimizers and autograd reach kernels only through the dispatch
// in engine/backends/registry.ts, never a backend directly; the host dispatch is the CPU backend's table; the
// cpu reference AdamW kernel is torch's update.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { cpuKernels } from "../../../engine/backends/cpu/index.ts";
import { dispatch, dispatchFused, kernels, onDevice } from "../../../engine/backends/registry.ts";
import { tensor } from "../../../engine/index.ts";

const t = suite("kernel contract");
const engine = fileURLToPath(new URL("../../../engine/", import.meta.url));

t("engine/ops, engine/optim and engine/autograd.ts import no backend", () => {
  const files = [...["ops", "optim"].flatMap((d) => readdirSync(join(engine, d)).map((f) => join(engine, d, f))), join(engine, "autograd.ts")];
  for (const f of files) {
    const imports = [...readFileSync(f, "utf8").matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
    const bad = imports.filter((i) => /backends\/(cpu|wasm|gpu)\//.test(i));
    assert.equal(bad, [], `${f} imports ${bad.join(", ")}`);
  }
});

t("without a device every kernel runs on the host table, fused ones included", () => {
  const x = tensor([1, 2, 3]);
  const ex = dispatch("unary", "float32", [x], 3);
  assert.is(ex.onDevice, false);
  assert.is(ex.kernels.matmul, kernels().matmul);
  assert.is(dispatchFused("layerNorm", "float32", [x], 3), ex);
  assert.is(onDevice(x), false);
  assert.equal(Array.from(ex.arg(x) as Float32Array), [1, 2, 3]);
  const out = ex.out("float64", 2);
  assert.ok(out instanceof Float64Array && out.length === 2);
});

t("the cpu adamw kernel follows torch.optim.AdamW's order of operations", () => {
  const [p, g, m, v] = [Float64Array.of(1, -2), Float64Array.of(0.5, 0.25), Float64Array.of(0.1, 0), Float64Array.of(0.01, 0)];
  const o = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 2 };
  const want = Array.from(p, (pi, i) => {
    const mi = 0.9 * m[i] + 0.1 * g[i], vi = 0.999 * v[i] + 0.001 * g[i] ** 2;
    return pi * (1 - 0.1 * 0.01) - (0.1 / (1 - 0.9 ** 2)) * mi / (Math.sqrt(vi) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
  });
  cpuKernels.adamw(p, g, m, v, o);
  want.forEach((w, i) => assert.ok(Math.abs(p[i] - w) < 1e-12, `p[${i}] = ${p[i]}, want ${w}`));
});

t.run();
