// backward() frees memory as soon as it is done with it: a rule's temporaries when the rule returns, a consumed
// gradient once nothing pending shares it. Measured on the wasm heap (the CPU backend's float32 tensors).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { wasmRuntime } from "../../engine/backends/wasm/index.ts";
import { currentBackend } from "../../engine/backends/registry.ts";
import { randn, tidy, type Tensor } from "../../engine/index.ts";

const t = suite("autograd memory");
const N = 256 * 256; // 256 KiB of float32 per tensor
const TENSOR = N * 4;

t("backward through a chain holds a few gradients at a time, not one per op", () => {
  if (currentBackend().name !== "wasm") return;
  const rt = wasmRuntime();
  const depth = 24;
  tidy(() => {
    const x = randn([256, 256]).requiresGrad_();
    let y: Tensor = x;
    for (let i = 0; i < depth; i++) {
      y = i % 3 === 0 ? y.mul(y) : i % 3 === 1 ? y.transpose(0, 1).mul(0.5).add(y) : y.exp().sub(1);
    }
    const loss = y.mean();
    const scratch = rt.heapStats().scratchBytes;
    const before = rt.heapStats().liveBytes;
    rt.heap.resetPeaks();
    loss.backward();
    const s = rt.heapStats();
    // Each rule needs its incoming gradient, its result and a temporary or two; x.grad stays.
    assert.ok(s.peakLiveBytes - before <= 6 * TENSOR + (s.scratchBytes - scratch),
    `backward's peak was ${((s.peakLiveBytes - before) / TENSOR).toFixed(1)} tensors above the forward's`);
    assert.ok(s.liveBytes - before <= TENSOR + 4096 + (s.scratchBytes - scratch), "only x.grad is left");
  });
});

t("gradients shared between inputs, passed through, retained or used twice stay intact when others are freed", () => {
  const grads = tidy(() => {
    const a = randn([64, 64]).requiresGrad_(), b = randn([64, 64]).requiresGrad_();
    const s = a.add(b).retainGrad(); // add passes one gradient to both inputs
    const u = s.mul(s).add(s.reshape([4096]).reshape([64, 64])); // s used three times, once through views
    const v = u.add(a).sum();
    v.backward();
    return { a: a.grad!, b: b.grad!, s: s.grad!, sv: Float32Array.from(s.storage) };
  });
  const expectS = grads.sv.map((x) => 2 * x + 1);
  const close = (x: Float32Array, y: Float32Array): boolean =>
    x.every((v, i) => Math.abs(v - y[i]) <= 1e-5 * (1 + Math.abs(y[i])));
  assert.ok(close(grads.s.storage as Float32Array, expectS), "s.grad = 2s + 1");
  assert.ok(close(grads.b.storage as Float32Array, expectS), "b.grad = s.grad");
  assert.ok(close(grads.a.storage as Float32Array, expectS.map((x) => x + 1)), "a.grad = s.grad + 1");
});

t.run();
