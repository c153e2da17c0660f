// GPT-2 byte-level pieces: the bytes↔unicode table and the pre-tokenisation regex.

/**
 * GPT-2's `bytes_to_unicode`: printable Latin-1 bytes map to themselves, the other 68 bytes to U+0100.. in order,
 * so every byte string becomes a string of visible characters (space becomes "Ġ").
 */
function buildByteTable(): string[] {
  const table = new Array<string>(256);
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCharCode(printable(b) ? b : 256 + next++);
  return table;
}

export const BYTE_TO_CHAR: readonly string[] = buildByteTable();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b] as const));

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8");

/** Text → its UTF-8 bytes written as byte-level characters. */
export function byteEncode(text: string): string {
  let out = "";
  for (const b of utf8.encode(text)) out += BYTE_TO_CHAR[b];
  return out;
}

/** Byte-level characters → text (invalid UTF-8 becomes U+FFFD, as HF's decoder does). */
export function byteDecode(chars: string): string {
  const bytes: number[] = [];
  for (const c of chars) {
    const b = CHAR_TO_BYTE.get(c);
    if (b !== undefined) bytes.push(b);
  }
  return utf8Decoder.decode(Uint8Array.from(bytes));
}

/**
 * GPT-2's split pattern. Differs from a literal JS port of `\s`: whitespace is Unicode White_Space, which is
 * what HF's Rust tokenizers (used by LayoutLMv3TokenizerFast) match; JS `\s` adds U+FEFF and lacks U+0085.
 */
const WS = "\\p{White_Space}";
export const GPT2_SPLIT = new RegExp(
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|[${WS}]+(?![^${WS}])|[${WS}]+`, "gu");

/** Pre-tokenisation: the regex pieces of `text`, in order; their concatenation is `text`. */
export function pretokenize(text: string): string[] {
  return Array.from(text.matchAll(GPT2_SPLIT), (m) => m[0]);
}
