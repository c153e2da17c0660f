// Binary encodings of the WebAssembly format: LEB128 integers, IEEE floats, vectors and sections.

/** Unsigned LEB128 (spec 5.2.2): 7 bits a byte, high bit set on all but the last. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 for i32 immediates: stop once the remaining bits are all copies of the sign bit. */
export function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** Little-endian IEEE-754 single. */
export function f32Bytes(value: number): number[] {
  return [...new Uint8Array(new Float32Array([value]).buffer)];
}

/** A length-prefixed vector of already-encoded items. */
/** A float32's bit pattern as an i32: how kernels take float scalars through the integer argument slots. */
export const f32Bits = (v: number): number => new Int32Array(new Float32Array([v]).buffer)[0];

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];

export const utf8 = (s: string): number[] => { const b = [...new TextEncoder().encode(s)]; return [...uleb(b.length), ...b]; };

/** A section: id byte, byte length, contents. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
