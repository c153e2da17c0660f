// Trains a byte-level BPE vocabulary on a word list: count pieces, then greedily merge the most frequent pair.
import { BYTE_TO_CHAR, byteEncode, pretokenize } from "./byte_level.ts";
import { ByteLevelBPE, ROBERTA_SPECIALS } from "./bpe.ts";

export interface TrainBpeOptions {
  /** Final vocabulary size including the 5 specials and 256 bytes; training stops early if pairs run out. */
  vocabSize: number;
  /** A pair must occur at least this often to be merged (2, as HF's ByteLevelBPETokenizer examples use). */
  minFrequency?: number;
}

/** A max-heap of [count, pair] with lazy deletion: stale entries are skipped when popped. */
class PairHeap {
  #items: [number, string][] = [];
  push(count: number, pair: string): void {
    const h = this.#items;
    h.push([count, pair]);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.#above(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]]; i = p;
    }
  }
  pop(): [number, string] | undefined {
    const h = this.#items;
    const top = h[0], last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && this.#above(h[l], h[m])) m = l;
        if (r < h.length && this.#above(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]]; i = m;
      }
    }
    return top;
  }
  /** Higher count first; ties go to the lexicographically smaller pair, so training is deterministic. */
  #above(a: [number, string], b: [number, string]): boolean { return a[0] > b[0] || (a[0] === b[0] && a[1] < b[1]); }
}

/**
 * Words are encoded as LayoutLMv3 will see them (" " + word, GPT-2 pieces), so merges fit that use. Ids:
 * <s>=0 <pad>=1 </s>=2 <unk>=3, then the 256 byte symbols, then merged symbols, then <mask> last (as RoBERTa).
 */
export function trainBpe(words: readonly string[], options: TrainBpeOptions): ByteLevelBPE {
  const minFrequency = options.minFrequency ?? 2;
  const pieceCounts = new Map<string, number>();
  for (const w of words) for (const p of pretokenize(` ${w}`)) { const s = byteEncode(p); pieceCounts.set(s, (pieceCounts.get(s) ?? 0) + 1); }
  const seqs = [...pieceCounts.keys()].map((s) => Array.from(s));
  const freq = [...pieceCounts.values()];

  const pairCount = new Map<string, number>();
  const pairWords = new Map<string, Set<number>>();
  const addPairs = (w: number, sign: number): void => {
    const s = seqs[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const key = `${s[i]} ${s[i + 1]}`;
      pairCount.set(key, (pairCount.get(key) ?? 0) + sign * freq[w]);
      if (sign > 0) { let set = pairWords.get(key); if (!set) pairWords.set(key, (set = new Set())); set.add(w); }
    }
  };
  seqs.forEach((_, w) => addPairs(w, 1));
  const heap = new PairHeap();
  for (const [key, c] of pairCount) heap.push(c, key);

  const specials = [ROBERTA_SPECIALS.bos, ROBERTA_SPECIALS.pad, ROBERTA_SPECIALS.eos, ROBERTA_SPECIALS.unk];
  const tokens = [...specials, ...BYTE_TO_CHAR];
  const known = new Set(tokens);
  const merges: [string, string][] = [];
  while (tokens.length + 1 < options.vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const [count, key] = top;
    if (pairCount.get(key) !== count) continue; // stale
    if (count < minFrequency || count <= 0) break;
    const [a, b] = key.split(" ");
    merges.push([a, b]);
    // Two different pairs can spell the same symbol ("a bc", "ab c"); it keeps its first id.
    if (!known.has(a + b)) { known.add(a + b); tokens.push(a + b); }
    const touched = new Set<string>();
    for (const w of pairWords.get(key) ?? []) {
      const s = seqs[w], out: string[] = [];
      for (let i = 0; i + 1 < s.length; i++) touched.add(`${s[i]} ${s[i + 1]}`);
      addPairs(w, -1);
      for (let i = 0; i < s.length; i++) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) { out.push(a + b); i++; } else out.push(s[i]);
      }
      seqs[w] = out;
      addPairs(w, 1);
      for (let i = 0; i + 1 < out.length; i++) touched.add(`${out[i]} ${out[i + 1]}`);
    }
    pairCount.delete(key);
    pairWords.delete(key);
    touched.delete(key);
    // Push the new count of every pair whose count changed; older heap entries become stale.
    for (const t of touched) { const c = pairCount.get(t); if (c) heap.push(c, t); }
  }
  tokens.push(ROBERTA_SPECIALS.mask);
  return new ByteLevelBPE(new Map(tokens.map((t, i) => [t, i] as const)), merges);
}
