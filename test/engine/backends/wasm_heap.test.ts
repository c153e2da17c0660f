// The tensor heap in wasm memory: random allocate / free / grow sequences never overlap live blocks, reuse
// freed memory and leak nothing; growth keeps views' contents; tensors past the limit live on the JS heap.
import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ALIGN, Heap } from "../../../engine/backends/wasm/heap.ts";
import { setWasmMemoryLimit, wasmRuntime } from "../../../engine/backends/wasm/index.ts";
import { MAX_MEMORY_BYTES, WasmRuntime } from "../../../engine/backends/wasm/runtime.ts";
import { freeResident, isResident } from "../../../engine/backends/wasm/tensor_memory.ts";
import { allocate } from "../../../engine/dtype.ts";
import { currentBackend } from "../../../engine/backends/registry.ts";
import { randn, tidy, zeros, type Tensor } from "../../../engine/index.ts";
import { RUNS } from "../../helpers.ts";

const t = suite("wasm heap");

/** A heap over a pretend memory that grows in 64 KiB pages, counting how far it grew. */
function pretendHeap(limit: number): { heap: Heap; size: () => number } {
  let size = 65536;
  const heap = new Heap({ ensure: (bytes) => { while (size < bytes) size += 65536; return true; } }, 100, limit);
  return { heap, size: () => size };
}

type Step = { kind: "alloc"; bytes: number } | { kind: "free"; pick: number };
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("alloc" as const), bytes: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 200_000 })) }),
  fc.record({ kind: fc.constant("free" as const), pick: fc.nat() }),
);

t("random allocate/free sequences: no live overlap, aligned, within the limit, all freed leaves nothing; " +
  "high-water marks", () => {
  fc.assert(fc.property(fc.array(stepArb, { maxLength: 200 }), fc.integer({ min: 1 << 16, max: 1 << 22 }), (steps, limit) => {
    const { heap } = pretendHeap(limit);
    const live = new Map<number, number>(); // address → requested bytes
    let highWater = 0;
    for (const step of steps) {
      if (step.kind === "alloc") {
        const addr = heap.alloc(step.bytes);
        if (addr < 0) continue; // past the limit: the caller falls back to the JS heap
        assert.is(addr % ALIGN, 0);
        assert.ok(addr >= 100 && addr + step.bytes <= limit, `block [${addr}, ${addr + step.bytes}) outside [100, ${limit})`);
        for (const [a, n] of live) assert.ok(addr + Math.max(step.bytes, 1) <= a || a + Math.max(n, 1) <= addr, `[${addr}+${step.bytes}] overlaps [${a}+${n}]`);
        live.set(addr, step.bytes);
      } else if (live.size > 0) {
        const addr = [...live.keys()][step.pick % live.size];
        heap.free(addr);
        live.delete(addr);
      }
      const stats = heap.stats();
      assert.is(stats.liveBlocks, live.size);
      assert.ok(stats.liveBytes >= [...live.values()].reduce((a, b) => a + b, 0));
      highWater = Math.max(highWater, stats.liveBytes);
      assert.is(stats.peakLiveBytes, highWater);
      assert.ok(stats.peakTop >= stats.top && stats.peakTop >= stats.peakLiveBytes);
    }
    for (const addr of live.keys()) heap.free(addr);
    const base = Math.ceil(100 / ALIGN) * ALIGN;
    const { peakTop } = heap.stats();
    assert.equal(heap.stats(),
      { liveBytes: 0, liveBlocks: 0, freeBytes: 0, top: base, peakLiveBytes: highWater, peakTop });
    heap.resetPeaks();
    assert.equal(heap.stats(),
      { liveBytes: 0, liveBlocks: 0, freeBytes: 0, top: base, peakLiveBytes: 0, peakTop: base });
  }), { numRuns: RUNS * 5 });
});

t("freed memory is reused: a training-loop pattern of the same sizes never grows the heap after the first round", () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 2, max: 5 }), (sizes, rounds) => {
    const { heap } = pretendHeap(MAX_MEMORY_BYTES);
    let top = -1;
    for (let r = 0; r < rounds; r++) {
      const addrs = sizes.map((s) => heap.alloc(s));
      if (r === 0) top = heap.stats().top;
      else assert.is(heap.stats().top, top, `round ${r} grew the heap`);
      for (const a of addrs.reverse()) heap.free(a);
    }
    assert.is(heap.stats().liveBytes, 0);
  }), { numRuns: RUNS });
});

t("coalescing: freeing neighbours makes room for a block as large as both", () => {
  const { heap } = pretendHeap(100 + 3 * 4096 + ALIGN);
  const [a, b, c] = [heap.alloc(4096), heap.alloc(4096), heap.alloc(4096)];
  assert.ok(a >= 0 && b >= 0 && c >= 0);
  heap.free(a);
  heap.free(b);
  assert.is(heap.alloc(8192), a);
  assert.throws(() => heap.free(b), /not a live block/);
});

t("growth keeps every live view's contents; views of old buffers stay resident", () => {
  const rt = new WasmRuntime(1);
  fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 12 }), (sizes) => {
    const views = sizes.map((n, i) => {
      const v = rt.allocF32(n)!;
      v.fill(i + 0.5);
      return v;
    });
    const big = rt.allocF32(rt.heapStats().top)!; // at least doubles memory: growth past every earlier view
    views.forEach((v, i) => {
      assert.ok(rt.addressOf(v) >= 0, "an old view is still recognised as resident");
      assert.ok(v[0] === i + 0.5 && v[v.length - 1] === i + 0.5, `view ${i} lost its contents`);
    });
    for (const v of [...views, big]) rt.freeF32(v);
  }), { numRuns: Math.max(3, RUNS / 4) });
});

t("kernel scratch never overlaps a tensor block", () => {
  const rt = new WasmRuntime(1);
  const a = rt.allocF32(1000)!;
  const scratch = rt.reserve(1 << 20);
  const b = rt.allocF32(1000)!;
  for (const v of [a, b]) assert.ok(v.byteOffset + v.byteLength <= scratch || scratch + (1 << 20) <= v.byteOffset);
});

t("float32 tensors live in wasm memory on the wasm backend; dispose() and tidy() free them", () => {
  if (currentBackend().name !== "wasm") return;
  const rt = wasmRuntime();
  const tensorBytes = (): number => rt.heapStats().liveBytes - rt.heapStats().scratchBytes;
  const before = tensorBytes();
  const x = randn([64, 64]);
  assert.ok(rt.addressOf(x.storage) >= 0 && isResident(x.storage as Float32Array));
  x.dispose();
  assert.throws(() => x.storage, /used after dispose/);
  const kept = tidy(() => { const a = randn([32, 32]); const b = a.matmul(a).add(1); return b.mul(2); });
  assert.is(tensorBytes(), before + Math.ceil((32 * 32 * 4) / ALIGN) * ALIGN, "only the result survives tidy()");
  kept.dispose();
  assert.is(tensorBytes(), before);
});

t("past the memory limit tensors live on the JS heap and ops still run", () => {
  if (currentBackend().name !== "wasm") return;
  const rt = wasmRuntime();
  const limit = rt.heap.limit;
  const held: Tensor[] = [];
  try {
    const { top, freeBytes } = rt.heapStats();
    setWasmMemoryLimit(top + (1 << 20));
    held.push(zeros([256, 256])); // 256 KiB: fits below the limit
    held.push(zeros([512, Math.ceil((freeBytes + (2 << 20)) / 2048)])); // more than every free byte and the room left
    assert.ok(rt.addressOf(held[0].storage) >= 0, "the small tensor fits");
    assert.ok(rt.addressOf(held[1].storage) < 0, "the large one is on the JS heap");
    held.push(randn(held[1].shape));
    const y = held[2].matmul(held[1].add(1).transpose(0, 1)).softmax(-1);
    assert.ok(Number.isFinite(y.sum().item()));
  } finally {
    setWasmMemoryLimit(limit);
    for (const h of held) h.dispose();
  }
});

t("allocate() falls back to the JS heap and freeResident ignores foreign arrays", () => {
  const host = new Float32Array(4);
  assert.not.ok(freeResident(host));
  assert.ok(allocate("float64", 3) instanceof Float64Array);
});

t.run();
