// A small XML 1.0 well-formedness check for the SVG the project writes: every character in the Char production,
// one root element, properly nested and closed tags, quoted unique attributes, and only the predefined entity
// references or character references to Chars. Names are ASCII (all the project emits); no DTD, comments or CDATA.

const isXmlChar = (c: number): boolean =>
  c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);

const NAME = /[A-Za-z_:][A-Za-z0-9._:-]*/y;
const SPACE = /[ \t\r\n]*/y;
const REFERENCE = /&(?:(lt|gt|amp|apos|quot)|#([0-9]+)|#x([0-9a-fA-F]+));/y;

/** null when `doc` is well-formed, else what is wrong and where. */
export function xmlProblem(doc: string): string | null {
  for (let i = 0; i < doc.length; i++) {
    const c = doc.codePointAt(i)!;
    if (!isXmlChar(c)) return `character U+${c.toString(16).toUpperCase().padStart(4, "0")} at ${i} is not an XML Char`;
    if (c > 0xffff) i++;
  }
  let at = 0;
  const fail = (what: string): string => `${what} at ${at}: ${JSON.stringify(doc.slice(at, at + 30))}`;
  const match = (re: RegExp): string | null => {
    re.lastIndex = at;
    const m = re.exec(doc);
    if (m === null) return null;
    at = re.lastIndex;
    return m[0];
  };
  const reference = (): string | null => {
    REFERENCE.lastIndex = at;
    const m = REFERENCE.exec(doc);
    if (m === null) return fail("a bare & (not a reference)");
    const code = m[2] !== undefined ? Number(m[2]) : m[3] !== undefined ? parseInt(m[3], 16) : 0x20;
    if (!isXmlChar(code)) return fail("a character reference to a non-Char");
    at = REFERENCE.lastIndex;
    return null;
  };
  const stack: string[] = [];
  let rootSeen = false;
  if (doc.startsWith("<?xml")) at = doc.indexOf("?>") + 2;
  while (at < doc.length) {
    if (doc[at] === "<" && doc[at + 1] === "/") {
      at += 2;
      const name = match(NAME);
      if (name === null || name !== stack.pop()) return fail(`a closing tag </${name}> that closes nothing open`);
      match(SPACE);
      if (doc[at++] !== ">") return fail("an unterminated closing tag");
    } else if (doc[at] === "<") {
      if (stack.length === 0 && rootSeen) return fail("a second root element");
      at++;
      const name = match(NAME);
      if (name === null) return fail("a tag without a name");
      const seen = new Set<string>();
      for (;;) {
        const space = match(SPACE)!;
        if (doc.startsWith("/>", at)) { at += 2; break; }
        if (doc[at] === ">") { at++; stack.push(name); break; }
        const attr = space.length > 0 ? match(NAME) : null;
        if (attr === null) return fail(`a malformed tag <${name}>`);
        if (seen.has(attr)) return fail(`attribute ${attr} twice`);
        seen.add(attr);
        match(SPACE);
        if (doc[at++] !== "=") return fail(`attribute ${attr} without =`);
        match(SPACE);
        const quote = doc[at++];
        if (quote !== '"' && quote !== "'") return fail(`attribute ${attr} not quoted`);
        while (doc[at] !== quote) {
          if (at >= doc.length || doc[at] === "<") return fail(`attribute ${attr}: unterminated or holding <`);
          if (doc[at] === "&") { const p = reference(); if (p) return p; } else at++;
        }
        at++;
      }
      rootSeen = true;
    } else if (doc[at] === "&") {
      if (stack.length === 0) return fail("a reference outside the root element");
      const p = reference();
      if (p) return p;
    } else {
      if (stack.length === 0 && !/[ \t\r\n]/.test(doc[at])) return fail("text outside the root element");
      if (doc.startsWith("]]>", at)) return fail("]]> in text");
      at++;
    }
  }
  if (stack.length > 0) return `unclosed <${stack.at(-1)}> at the end`;
  return rootSeen ? null : "no root element";
}
