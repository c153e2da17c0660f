// Byte-level BPE tokenizer (GPT-2 / RoBERTa scheme): pre-tokenise, map bytes to symbols, merge pairs by rank.
import { oneLine } from "../../../engine/errors.ts";
import { byteDecode, byteEncode, pretokenize } from "./byte_level.ts";

export type SpecialName = "bos" | "pad" | "eos" | "unk" | "mask";

/** RoBERTa's special tokens; the trainer gives them ids 0–3 and puts <mask> last. */
export const ROBERTA_SPECIALS: Record<SpecialName, string> = { bos: "<s>", pad: "<pad>", eos: "</s>", unk: "<unk>", mask: "<mask>" };

export class TokenizerError extends Error {
  /** One line always: control characters quoted from a file are escaped. */
  constructor(detail: string) { super(`[tokenizer] ${oneLine(detail)}`); this.name = "TokenizerError"; }
}

/** Pairs are keyed "a b": byte-level symbols never contain a space (it is "Ġ"), so the key is unambiguous. */
const pairKey = (a: string, b: string): string => `${a} ${b}`;

export class ByteLevelBPE {
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in rank order, each [left, right]. */
  readonly merges: readonly (readonly [string, string])[];
  readonly #ranks = new Map<string, number>();
  readonly #idToToken: string[] = [];
  readonly #cache = new Map<string, number[]>();

  constructor(vocab: ReadonlyMap<string, number>, merges: readonly (readonly [string, string])[]) {
    this.vocab = vocab;
    this.merges = merges;
    merges.forEach(([a, b], rank) => { if (!this.#ranks.has(pairKey(a, b))) this.#ranks.set(pairKey(a, b), rank); });
    for (const [token, id] of vocab) this.#idToToken[id] = token;
  }

  get vocabSize(): number { return this.#idToToken.length; }

  /** The id of a special token; throws if this vocabulary lacks it (GPT-2's has none of RoBERTa's). */
  specialId(name: SpecialName): number {
    const id = this.vocab.get(ROBERTA_SPECIALS[name]);
    if (id === undefined) throw new TokenizerError(`vocabulary has no ${ROBERTA_SPECIALS[name]} token`);
    return id;
  }

  /** BPE on one pre-tokenised piece (already byte-level characters): merge the lowest-rank pair everywhere, repeat. */
  bpe(symbols: string): string[] {
    let word = Array.from(symbols);
    while (word.length > 1) {
      let best = -1, bestRank = Infinity;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = this.#ranks.get(pairKey(word[i], word[i + 1]));
        if (r !== undefined && r < bestRank) { bestRank = r; best = i; }
      }
      if (best < 0) break;
      const [a, b] = [word[best], word[best + 1]];
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) { merged.push(a + b); i++; } else merged.push(word[i]);
      }
      word = merged;
    }
    return word;
  }

  /** Ids of raw text (no special tokens); `addPrefixSpace` prepends " " as RoBERTa's add_prefix_space=True. */
  encode(text: string, options: { addPrefixSpace?: boolean } = {}): number[] {
    const source = options.addPrefixSpace && text.length > 0 && !/^\s/u.test(text) ? ` ${text}` : text;
    return pretokenize(source).flatMap((piece) => this.#encodePiece(piece));
  }

  /** A word of a pre-split word list, as LayoutLMv3 encodes it (is_split_into_words with add_prefix_space). */
  encodeWord(word: string): number[] { return this.encode(word, { addPrefixSpace: true }); }

  tokenize(text: string, options: { addPrefixSpace?: boolean } = {}): string[] {
    return this.encode(text, options).map((id) => this.#idToToken[id]);
  }

  /** Text of ids; special tokens are dropped when skipSpecial (default). */
  decode(ids: readonly number[], options: { skipSpecial?: boolean } = {}): string {
    const specials = new Set(Object.values(ROBERTA_SPECIALS));
    const tokens = ids.map((id) => this.#idToToken[id] ?? "").filter((t) => !(options.skipSpecial ?? true) || !specials.has(t));
    return byteDecode(tokens.join(""));
  }

  #encodePiece(piece: string): number[] {
    const hit = this.#cache.get(piece);
    if (hit) return hit;
    const ids = this.bpe(byteEncode(piece)).map((s) => this.vocab.get(s) ?? this.specialId("unk"));
    if (this.#cache.size < 100_000) this.#cache.set(piece, ids);
    return ids;
  }
}
