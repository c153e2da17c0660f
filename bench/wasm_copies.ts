// Bytes the wasm kernels copy between JS-heap arrays and wasm memory in one training step of a W2-sized
// encoder layer (nn.TransformerEncoderLayer, B8 × T256, hidden 256, 4 heads, MLP 1024, pre-LN): a count,
// so it does not depend on how loaded the machine is. Run it as it is (tensors in wasm memory) and with
// AETNET_WASM_MEMORY_MB=1 (every tensor past the limit, on the JS heap: the copying path of every call).
//   npx tsx bench/wasm_copies.ts
//   AETNET_WASM_MEMORY_MB=1 npx tsx bench/wasm_copies.ts
import { F, manualSeed, nn, optim, randn, tidy } from "../engine/index.ts";
import { wasmRuntime } from "../engine/backends/wasm/index.ts";

manualSeed(0);
const layer = new nn.TransformerEncoderLayer(256, 4, 1024, { dropout: 0.1, normFirst: true });
const opt = new optim.AdamW(layer.parameters(), { lr: 1e-4 });
const x = randn([8, 256, 256]);
const step = (): void => tidy(() => {
  opt.zeroGrad();
  F.mseLoss(layer.forward(x), x).backward();
  opt.step();
});
step(); // warm: optimizer state, kernel scratch
const rt = wasmRuntime();
const [in0, out0] = [rt.copies.inBytes, rt.copies.outBytes];
const start = performance.now();
step();
const ms = performance.now() - start;
const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
const heap = rt.heapStats();
console.log(`copied in ${mib(rt.copies.inBytes - in0)} MiB, out ${mib(rt.copies.outBytes - out0)} MiB in one step (${ms.toFixed(0)} ms); ` +
  `wasm heap: ${mib(heap.liveBytes - heap.scratchBytes)} MiB of tensors live, ${mib(heap.top)} MiB heap top`);
