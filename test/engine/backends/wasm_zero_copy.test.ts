// Kernels on tensors that live in wasm memory copy nothing in or out, on 1 and 2 threads; the same kernels on
// JS-heap arrays take the copying path and agree to the last bit.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { currentBackend } from "../../../engine/backends/registry.ts";
import { setWasmThreads, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { matmulTuning } from "../../../engine/backends/wasm/matmul.ts";
import { Tensor, randn } from "../../../engine/index.ts";

const t = suite("wasm zero copy");

/** Runs fn and returns the bytes kernels copied into and out of linear memory meanwhile. */
function copiedBy(fn: () => void): { inBytes: number; outBytes: number } {
  const c = wasmRuntime().copies;
  const [i0, o0] = [c.inBytes, c.outBytes];
  fn();
  return { inBytes: c.inBytes - i0, outBytes: c.outBytes - o0 };
}

/** The same values in a JS-heap array (kernels stage it through scratch). */
const onHost = (x: Tensor): Tensor => new Tensor(Float32Array.from(x.storage as Float32Array), x.shape);

for (const threads of [1, 2]) {
  t(`matmul, softmax and exp on resident tensors copy nothing (${threads} thread${threads > 1 ? "s" : ""})`, () => {
    if (currentBackend().name !== "wasm") return;
    setWasmThreads(threads);
    const saved = matmulTuning.splitWork;
    matmulTuning.splitWork = 1;
    try {
      const a = randn([2, 36, 40]), b = randn([2, 40, 48]); // 36 and 48: whole 3×12 tiles, written in place
      const run = (x: Tensor, y: Tensor): Float32Array[] => [x.matmul(y), x.softmax(-1), x.exp()].map((r) => Float32Array.from(r.storage as Float32Array));
      let resident: Float32Array[] = [];
      assert.equal(copiedBy(() => { resident = run(a, b); }), { inBytes: 0, outBytes: 0 });
      let staged: Float32Array[] = [];
      const copies = copiedBy(() => { staged = run(onHost(a), onHost(b)); });
      assert.ok(copies.inBytes > 0, "JS-heap operands are copied in");
      resident.forEach((r, i) => assert.equal(Array.from(r), Array.from(staged[i]), `result ${i} differs between the paths`));
    } finally {
      matmulTuning.splitWork = saved;
      setWasmThreads(1);
    }
  });
}

for (const threads of [1, 2]) {
  t(`an output whose shape is not a multiple of the tile is written in place, and right (${threads} thread${threads > 1 ? "s" : ""})`, () => {
    if (currentBackend().name !== "wasm") return;
    setWasmThreads(threads);
    const saved = matmulTuning.splitWork;
    matmulTuning.splitWork = 1;
    try {
      for (const batch of [1, 3]) {
        const [m, k, n] = [37, 41, 29]; // edge tiles on both sides; a k slice of 41 (accumulating edges) past 256 below
        const a = randn([batch, m, k]), b = randn([batch, k, n]);
        let got: Float32Array = new Float32Array();
        const copies = copiedBy(() => { got = Float32Array.from(a.matmul(b).storage as Float32Array); });
        assert.equal(copies, { inBytes: 0, outBytes: 0 });
        const [x, y] = [a.storage as Float32Array, b.storage as Float32Array];
        for (let p = 0; p < batch; p++) {
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              let want = 0;
              for (let q = 0; q < k; q++) want += x[(p * m + i) * k + q] * y[(p * k + q) * n + j];
              assert.ok(Math.abs(got[(p * m + i) * n + j] - want) < 1e-4, `[${p}, ${i}, ${j}]: ${got[(p * m + i) * n + j]} vs ${want}`);
            }
          }
        }
      }
      // Depth past one k slice (256): edge tiles accumulate over slices through the tile buffer.
      const a = randn([5, 600]), b = randn([600, 7]);
      const got = a.matmul(b).storage as Float32Array;
      const [x, y] = [a.storage as Float32Array, b.storage as Float32Array];
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 7; j++) {
          let want = 0;
          for (let q = 0; q < 600; q++) want += x[i * 600 + q] * y[q * 7 + j];
          assert.ok(Math.abs(got[i * 7 + j] - want) < 1e-3, `deep [${i}, ${j}]`);
        }
      }
    } finally {
      matmulTuning.splitWork = saved;
      setWasmThreads(1);
    }
  });
}

t.run();
