// Text for SVG/XML output: escaped markup characters, and characters XML 1.0 cannot carry replaced, so a word
// holding a control character or a lone surrogate (OCR output, user files) still gives a well-formed document.

/**
 * Characters outside XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets): C0 controls other than tab,
 * LF and CR, U+FFFE, U+FFFF, and surrogates (with the `u` flag a valid pair is one code point, so only a lone
 * surrogate matches). Not even a character reference may name them.
 */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

/** `s` safe inside XML element content and in a double- or single-quoted attribute; unusable characters become U+FFFD. */
export function xmlText(s: string): string {
  return s
    .replace(NOT_XML_CHAR, "\uFFFD")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
