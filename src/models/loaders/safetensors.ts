/**
 * safetensors: u64 LE header length N, N bytes of JSON {name: {dtype, shape, data_offsets:
 * [begin, end]}} (offsets relative to the data section after the header; "__metadata__" is
 * skipped), then the raw little-endian data.
 */
import { HwsimError } from '../../errors.js';
import { decodeElements, ELEMENT_BYTES, elementCount, WeightBudget, type ElementType } from './tensors.js';

export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

const DTYPES: Record<string, ElementType> = {
  F64: 'f64', F32: 'f32', F16: 'f16', BF16: 'bf16', I32: 'i32', I16: 'i16', I8: 'i8', U8: 'u8',
};

const FIX = 'write the file again with safetensors (save_file)';

/**
 * The first key that some object of the JSON text `text` gives twice (JSON.parse keeps the last
 * one without a word), with the key of the object holding it (undefined at the top level); null
 * when there is none. `text` must be valid JSON: only strings, brackets, commas and colons are
 * looked at, with an explicit stack (no recursion, any depth).
 */
export function duplicateJsonKey(text: string): { key: string; in?: string } | null {
  /** an open object or array; `name`: the key it is the value of (an array's elements share it) */
  interface Frame { obj: boolean; keys: Set<string>; expectKey: boolean; name?: string; key?: string }
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.obj && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { key, in: top.name };
        top.keys.add(key);
        top.expectKey = false;
        top.key = key;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ obj: c === '{', keys: new Set(), expectKey: c === '{', name: top ? (top.obj ? top.key : top.name) : undefined });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top?.obj) {
      top.expectKey = true;
    }
  }
  return null;
}

interface Entry { name: string; type: ElementType; shape: number[]; begin: number; end: number; count: number }

export function parseSafetensors(bytes: Uint8Array, where: string, budget = new WeightBudget()): NamedTensor[] {
  if (bytes.length < 8) throw new HwsimError(`${where}: truncated safetensors file (${bytes.length} bytes, no header length)`, FIX);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const headerLen = view.getUint32(0, true) + view.getUint32(4, true) * 4294967296;
  if (headerLen > bytes.length - 8) {
    throw new HwsimError(`${where}: header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`,
      'the file is truncated or not safetensors: write it again');
  }
  let header: unknown;
  let headerText: string;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
    header = JSON.parse(headerText);
  } catch (err) {
    throw new HwsimError(`${where}: the safetensors header is not JSON (${(err as Error).message})`, FIX);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new HwsimError(`${where}: the safetensors header is not a JSON object`, FIX);
  }
  const dup = duplicateJsonKey(headerText);
  if (dup) {
    throw new HwsimError(`${where}: the safetensors header gives the key '${dup.key}' twice${dup.in === undefined ? '' : ` (in '${dup.in}')`}`,
      `${FIX}: a key given twice is ambiguous (JSON parsers keep either one)`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const entries: Entry[] = [];
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
    const count = elementCount(shape as number[]);
    budget.take(count, `${at} of shape [${shape.join(', ')}]`);
    if (shape.length >= 2) budget.layer(where);
    const off = t.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((o) => Number.isSafeInteger(o) && o >= 0) || off[0] > off[1]) {
      throw new HwsimError(`${at}: bad data_offsets ${JSON.stringify(off)}`, FIX);
    }
    const [begin, end] = off as [number, number];
    if (end > dataLen) {
      throw new HwsimError(`${at}: data_offsets [${begin}, ${end}] run past the end of the data (${dataLen} bytes)`,
        'the file is truncated: write it again');
    }
    if (end - begin !== count * ELEMENT_BYTES[type]) {
      throw new HwsimError(`${at}: shape [${shape.join(', ')}] of ${t.dtype} needs ${count * ELEMENT_BYTES[type]} bytes, data_offsets give ${end - begin}`, FIX);
    }
    entries.push({ name, type, shape: shape as number[], begin, end, count });
  }
  // the spec: the tensors' byte ranges tile the data section, no overlap and no gap
  const sorted = entries.slice().sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: Entry | undefined;
  for (const e of sorted) {
    if (e.begin < pos) {
      throw new HwsimError(`${where}: tensor '${e.name}' (bytes ${e.begin}..${e.end}) overlaps tensor '${prev!.name}' (bytes ${prev!.begin}..${prev!.end})`,
        `${FIX}: each tensor's data_offsets must start where the previous one's end`);
    }
    if (e.begin > pos) {
      throw new HwsimError(`${where}: bytes ${pos}..${e.begin} of the data belong to no tensor (a gap before tensor '${e.name}')`,
        `${FIX}: each tensor's data_offsets must start where the previous one's end`);
    }
    pos = e.end;
    prev = e;
  }
  if (pos !== dataLen) {
    throw new HwsimError(`${where}: bytes ${pos}..${dataLen} of the data belong to no tensor (after the last tensor's data)`,
      `${FIX}: the data section must end where the last tensor's data ends`);
  }
  return entries.map((e) => ({ name: e.name, shape: e.shape, data: decodeElements(bytes, dataStart + e.begin, e.count, e.type) }));
}
