// The allocator of tensor storage inside wasm linear memory: segregated free lists (four bins per power of
// two) with first fit inside a bin, splitting and immediate coalescing of neighbours, over a bump pointer
// ("top") that grows the memory on demand. Free space that reaches the top is handed back to it, so an
// all-free heap is one empty region. It manages byte addresses only; what lives there is the caller's business.

/** Every block starts and ends on a 64-byte boundary: whole SIMD vectors and cache lines, no false sharing. */
export const ALIGN = 64;
const BINS_PER_DOUBLING = 4;

/** What the heap needs from the memory it carves up. */
export interface HeapMemory {
  /** Makes at least `bytes` addressable (growing keeps existing contents); false when it cannot. */
  ensure(bytes: number): boolean;
}

export interface HeapStats {
  liveBytes: number;
  liveBlocks: number;
  /** Bytes in free blocks below the top (reusable without growing). */
  freeBytes: number;
  /** One past the highest byte ever handed out and not given back. */
  top: number;
  /** Highest liveBytes since the heap was made or resetPeaks() last ran. */
  peakLiveBytes: number;
  /** Highest top since then: the linear memory the heap really needed (memory never shrinks below it). */
  peakTop: number;
}

const roundUp = (x: number, r: number): number => Math.ceil(x / r) * r;

/** The bin of a block size: exact for the first doubling, then four bins per power of two. */
function binOf(size: number): number {
  const units = size / ALIGN;
  if (units < BINS_PER_DOUBLING * 2) return units;
  const log = 31 - Math.clz32(units);
  const sub = Math.floor(units / 2 ** (log - 2)) - BINS_PER_DOUBLING; // 0..3: the two bits after the leading one
  return log * BINS_PER_DOUBLING + sub;
}

export class Heap {
  readonly #memory: HeapMemory;
  readonly #base: number;
  #limit: number;
  #top: number;
  /** Live blocks: address → size. */
  readonly #live = new Map<number, number>();
  /** Free blocks below the top: address → size, end → address (for coalescing), and bins of addresses. */
  readonly #freeAt = new Map<number, number>();
  readonly #freeEnd = new Map<number, number>();
  readonly #bins: Set<number>[] = [];
  #liveBytes = 0;
  #freeBytes = 0;
  #peakLiveBytes = 0;
  #peakTop = 0;

  /** Hands out addresses in [base, limit); `base` is rounded up to ALIGN. */
  constructor(memory: HeapMemory, base: number, limit: number) {
    this.#memory = memory;
    this.#base = roundUp(base, ALIGN);
    this.#top = this.#base;
    this.#peakTop = this.#base;
    this.#limit = limit;
  }

  get limit(): number { return this.#limit; }

  /** Sets the highest address the heap may grow to (blocks already past it stay where they are). */
  setLimit(limit: number): void { this.#limit = limit; }

  stats(): HeapStats {
    return {
      liveBytes: this.#liveBytes, liveBlocks: this.#live.size, freeBytes: this.#freeBytes, top: this.#top,
      peakLiveBytes: this.#peakLiveBytes, peakTop: this.#peakTop,
    };
  }

  /** Starts the high-water marks of stats() afresh from the heap as it is now (to measure one step). */
  resetPeaks(): void {
    this.#peakLiveBytes = this.#liveBytes;
    this.#peakTop = this.#top;
  }

  /** Size in bytes of the live block at `addr` (rounded up to ALIGN), or 0 when none starts there. */
  sizeOf(addr: number): number { return this.#live.get(addr) ?? 0; }

  /** The address of a fresh block of at least `bytes`, or -1 when it would pass `limit` (nothing changes then). */
  alloc(bytes: number, limit = this.#limit): number {
    const size = roundUp(Math.max(bytes, 1), ALIGN);
    let addr = this.#takeFree(size);
    if (addr < 0) {
      const end = this.#top + size;
      if (end > limit || !this.#memory.ensure(end)) return -1;
      addr = this.#top;
      this.#top = end;
      if (end > this.#peakTop) this.#peakTop = end;
    }
    this.#live.set(addr, size);
    this.#liveBytes += size;
    if (this.#liveBytes > this.#peakLiveBytes) this.#peakLiveBytes = this.#liveBytes;
    return addr;
  }

  /** Returns a live block; throws on an address that is not one (a double free is a bug, never ignored). */
  free(addr: number): void {
    const size = this.#live.get(addr);
    if (size === undefined) throw new Error(`[wasm heap] free of ${addr}, which is not a live block`);
    this.#live.delete(addr);
    this.#liveBytes -= size;
    let start = addr;
    let end = addr + size;
    const before = this.#freeEnd.get(start);
    if (before !== undefined) { this.#unlinkFree(before); start = before; }
    const afterSize = this.#freeAt.get(end);
    if (afterSize !== undefined) { this.#unlinkFree(end); end += afterSize; }
    if (end === this.#top) this.#top = start; // the wilderness absorbs it
    else this.#linkFree(start, end - start);
  }

  /** Best bin first: first fit in the request's own bin, then any block of a larger bin; splits the rest off. */
  #takeFree(size: number): number {
    if (this.#freeAt.size === 0) return -1;
    for (let b = binOf(size); b < this.#bins.length; b++) {
      const bin = this.#bins[b];
      if (bin === undefined || bin.size === 0) continue;
      for (const addr of bin) {
        const have = this.#freeAt.get(addr)!;
        if (have < size) continue;
        this.#unlinkFree(addr);
        if (have > size) this.#linkFree(addr + size, have - size);
        return addr;
      }
    }
    return -1;
  }

  #linkFree(addr: number, size: number): void {
    this.#freeAt.set(addr, size);
    this.#freeEnd.set(addr + size, addr);
    const b = binOf(size);
    (this.#bins[b] ??= new Set()).add(addr);
    this.#freeBytes += size;
  }

  #unlinkFree(addr: number): void {
    const size = this.#freeAt.get(addr)!;
    this.#freeAt.delete(addr);
    this.#freeEnd.delete(addr + size);
    this.#bins[binOf(size)].delete(addr);
    this.#freeBytes -= size;
  }
}
