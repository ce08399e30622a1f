/**
 * safetensors: u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets:
 * [begin, end]}} (offsets relative to the data section after the header; "__metadata__" is
 * skipped), then the raw little-endian data.
 */
import { HwsimError } from '../../errors.js';
import { decodeElements, ELEMENT_BYTES, elementCount, type ElementType } from './tensors.js';

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const DTYPES: Record<string, ElementType> = {
  F64: 'f64', F32: 'f32', F16: 'f16', BF16: 'bf16', I32: 'i32', I16: 'i16', I8: 'i8', U8: 'u8',
};

const FIX = 'write the file again with safetensors (save_file)';

export function parseSafetensors(bytes: Uint8Array, where: string): NamedTensor[] {
  if (bytes.length < 8) throw new HwsimError(`${where}: truncated safetensors file (${bytes.length} bytes, no header length)`, FIX);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 4294967296;
  if (headerLen > bytes.length - 8) {
    throw new HwsimError(`${where}: header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`,
      'the file is truncated or not safetensors: write it again');
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (err) {
    throw new HwsimError(`${where}: the safetensors header is not JSON (${(err as Error).message})`, FIX);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new HwsimError(`${where}: the safetensors header is not a JSON object`, FIX);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors: NamedTensor[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const at = `${where}: tensor '${name}'`;
    if (typeof t !== 'object' || t === null) throw new HwsimError(`${at}: entry is not an object`, FIX);
    const type = typeof t.dtype === 'string' ? DTYPES[t.dtype] : undefined;
    if (!type) {
      throw new HwsimError(`${at}: unsupported dtype ${JSON.stringify(t.dtype)}`,
        `convert the tensor to one of ${Object.keys(DTYPES).join(', ')}`);
    }
    const shape = t.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
      throw new HwsimError(`${at}: bad shape ${JSON.stringify(shape)}`, FIX);
    }
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      throw new HwsimError(`${at}: bad data_offsets ${JSON.stringify(off)}`, FIX);
    }
    const [begin, end] = off as [number, number];
    if (end > dataLen) {
      throw new HwsimError(`${at}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes)`,
        'the file is truncated: write it again');
    }
    const count = elementCount(shape as number[]);
    if (end - begin !== count * ELEMENT_BYTES[type]) {
      throw new HwsimError(`${at}: shape [${shape.join(', ')}] of ${t.dtype} needs ${count * ELEMENT_BYTES[type]} bytes, data_offsets give ${end - begin}`, FIX);
    }
    tensors.push({ name, shape: shape as number[], data: decodeElements(bytes, dataStart + begin, count, type) });
  }
  return tensors;
}
