// Test helper: assembles safetensors bytes from a header object (or raw header text) and a data buffer.
export function fileWith(header: unknown, data: Uint8Array = new Uint8Array(0), opts: { headerLen?: bigint; rawHeader?: Uint8Array } = {}): Uint8Array {
  const json = opts.rawHeader ?? new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, opts.headerLen ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
