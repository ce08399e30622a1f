/**
 * Writes a .safetensors file: u64 LE header length, JSON header {name: {dtype, shape, data_offsets}}, data.
 * The header is written key by key (never through an object, where a tensor named `__proto__`
 * would vanish); tensor names must be unique and may not be the reserved `__metadata__`.
 */
import { HwsimError } from '../errors.js';

export interface NamedTensor { name: string; data: Float32Array | Int8Array | Uint8Array; shape: readonly number[] }

export const METADATA_KEY = '__metadata__';

export function safetensorsBytes(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const entries: string[] = [];
  const meta = Object.entries(metadata).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(String(v))}`);
  entries.push(`${JSON.stringify(METADATA_KEY)}:{${meta.join(',')}}`);
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (t.name === METADATA_KEY) throw new HwsimError(`a tensor may not be named ${METADATA_KEY} in a .safetensors file`, 'rename the tensor');
    if (names.has(t.name)) throw new HwsimError(`two tensors named '${t.name}' in one .safetensors file`, 'give each tensor its own name');
    names.add(t.name);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new Error(`internal: tensor '${t.name}' has ${t.data.length} elements, its shape ${t.shape.join('×')} says ${count}`);
    const dtype = t.data instanceof Float32Array ? 'F32' : t.data instanceof Int8Array ? 'I8' : 'U8';
    const info = { dtype, shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    entries.push(`${JSON.stringify(t.name)}:${JSON.stringify(info)}`);
    offset += t.data.byteLength;
  }
  const raw = new TextEncoder().encode(`{${entries.join(',')}}`);
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

/** The tensor names a .safetensors file's header holds (every key but `__metadata__`), in order. */
export function safetensorsNames(bytes: Uint8Array): string[] {
  const len = Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + len))) as object;
  return Object.keys(header).filter((k) => k !== METADATA_KEY);
}
