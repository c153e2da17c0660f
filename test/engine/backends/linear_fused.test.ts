// The fused linear op (one GEMM whose write-out adds the bias and applies GELU) against its composed form
// (mm + add [+ gelu], setFusedOps(false)): values and every gradient in float32 on odd shapes (edge tiles on
// both sides, k past one slice), on 1 and 2 threads; a float64 finite-difference gradcheck; double backward.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { F, nn, tensor } from "../../../engine/index.ts";
import { currentBackend } from "../../../engine/backends/registry.ts";
import { setWasmThreads } from "../../../engine/backends/wasm/index.ts";
import { matmulTuning } from "../../../engine/backends/wasm/matmul.ts";
import { RUNS, checkGradProperty, tensorArb } from "../../helpers.ts";
import { bothWays, maxDiff, values } from "./fused_helpers.ts";

const t = suite("fused linear");

/** Output and the gradients of x, weight and bias for a fixed upstream gradient. */
function forwardBackward(x: Float32Array, w: Float32Array, b: Float32Array, shape: number[], outF: number, gelu: boolean): Float32Array[] {
  const inF = shape[shape.length - 1];
  const [xl, wl, bl] = [tensor(x.slice(), shape), tensor(w.slice(), [outF, inF]), tensor(b.slice(), [outF])].map((p) => p.requiresGrad_());
  const y = F.linear(xl, wl, bl, gelu ? { activation: "gelu" } : {});
  y.backward(tensor(values(y.numel, 5, 1), y.shape));
  return [y, xl.grad!, wl.grad!, bl.grad!].map((r) => r.storage as Float32Array);
}

for (const threads of [1, 2]) {
  t(`fused equals composed in float32 on odd shapes (${threads} thread${threads > 1 ? "s" : ""})`, () => {
    const wasm = currentBackend().name === "wasm";
    if (wasm) setWasmThreads(threads);
    const saved = matmulTuning.splitWork;
    matmulTuning.splitWork = 1; // split even small GEMMs across the threads
    try {
      const shapes: [number[], number][] = [[[1, 1], 1], [[5, 7], 3], [[2, 37, 41], 29], [[61, 300], 13], [[4, 9], 64], [[130, 64], 100]];
      for (const [shape, outF] of shapes) {
        for (const gelu of [false, true]) {
          const inF = shape[shape.length - 1];
          const n = shape.reduce((a, c) => a * c, 1);
          const [x, w, b] = [values(n, 1, 2), values(outF * inF, 2, 0.5), values(outF, 3, 1)];
          const { fused, composed } = bothWays(() => forwardBackward(x, w, b, shape, outF, gelu));
          fused.forEach((v, i) => {
            const tol = 1e-5 * Math.sqrt(Math.max(inF, n / inF));
            assert.ok(maxDiff(v, composed[i]) < tol, `${shape}→${outF} gelu=${gelu} result ${i}: ${maxDiff(v, composed[i])}`);
          });
        }
      }
    } finally {
      matmulTuning.splitWork = saved;
      if (wasm) setWasmThreads(1);
    }
  });
}

t("float64 gradcheck of the fused path, with and without GELU", () => {
  const arb = fc.record({ rows: fc.integer({ min: 1, max: 4 }), inF: fc.integer({ min: 1, max: 5 }), outF: fc.integer({ min: 1, max: 5 }), gelu: fc.boolean() })
    .chain(({ rows, inF, outF, gelu }) => fc.tuple(tensorArb([rows, inF]), tensorArb([outF, inF]), tensorArb([outF]), fc.constant(gelu)));
  checkGradProperty(arb, (x, w, b, gelu) => ({
    fn: (x2, w2, b2) => F.linear(x2, w2, b2, gelu ? { activation: "gelu" } : {}),
    inputs: [x, w, b],
  }));
});

t("double backward through the fused GELU linear matches the composed form", () => {
  const run = (): number[] => {
    const x = tensor(Float64Array.from(values(6, 7, 1)), [2, 3]).requiresGrad_();
    const w = tensor(Float64Array.from(values(12, 8, 1)), [4, 3]).requiresGrad_();
    const b = tensor(Float64Array.from(values(4, 9, 1)), [4]).requiresGrad_();
    F.linear(x, w, b, { activation: "gelu" }).pow(2).sum().backward(undefined, { createGraph: true });
    const g = x.grad!;
    for (const p of [x, w, b]) p.zeroGrad();
    g.mul(g).sum().backward();
    return [...x.grad!.storage, ...w.grad!.storage, ...b.grad!.storage];
  };
  const { fused, composed } = bothWays(run);
  assert.ok(maxDiff(fused, composed) < 1e-9, `${maxDiff(fused, composed)}`);
});

t("the transformer MLP's fused GELU linear keeps its parameters and state dict", () => {
  const layer = new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0 });
  assert.ok(Object.keys(layer.stateDict()).includes("linear1.weight"));
  const x = tensor(values(2 * 3 * 8, 11, 1), [2, 3, 8]);
  const { fused, composed } = bothWays(() => layer.forward(x).storage as Float32Array);
  assert.ok(maxDiff(fused, composed) < 1e-5, `${maxDiff(fused, composed)}`);
});

t.run();
