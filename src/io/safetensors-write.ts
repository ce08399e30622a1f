/** Writes a .safetensors file: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, data. */
export interface NamedTensor { name: string; data: Float32Array | Int8Array | Uint8Array; shape: readonly number[] }

export function safetensorsBytes(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const dtype = t.data instanceof Float32Array ? 'F32' : t.data instanceof Int8Array ? 'I8' : 'U8';
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const jsonBytes = new Uint8Array(raw.length + ((8 - (raw.length % 8)) % 8)).fill(0x20); // pad: 8-byte aligned data
  jsonBytes.set(raw);
  const out = new Uint8Array(8 + jsonBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(jsonBytes.length), true);
  out.set(jsonBytes, 8);
  let at = 8 + jsonBytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
