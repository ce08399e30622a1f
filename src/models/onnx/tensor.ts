/**
 * ONNX TensorProto → float32 values (docs/MODELS.md): `raw_data` (little-endian) or the typed
 * fields (float_data, int32_data for the small integer types and float16 bits, int64_data,
 * double_data), or external data (`data_location` EXTERNAL: a file named by `location`, resolved
 * only inside the model's folder, read at `offset` for `length` bytes). Every size is checked
 * against the tensor's dims before anything is decoded; errors name the tensor.
 */
import { HwsimError } from '../../errors.js';
import { confinedPath, readRegularFile } from '../loaders/files.js';
import { decodeElements, ELEMENT_BYTES, type ElementType, type WeightBudget } from '../loaders/tensors.js';

/** TensorProto.DataType numbers (onnx.proto) hwsim decodes, and their element types. */
const TYPES: Record<number, { name: string; type: ElementType | 'i64' | 'u64' }> = {
  1: { name: 'FLOAT', type: 'f32' }, 2: { name: 'UINT8', type: 'u8' }, 3: { name: 'INT8', type: 'i8' },
  4: { name: 'UINT16', type: 'u16' }, 5: { name: 'INT16', type: 'i16' }, 6: { name: 'INT32', type: 'i32' },
  7: { name: 'INT64', type: 'i64' }, 9: { name: 'BOOL', type: 'u8' }, 10: { name: 'FLOAT16', type: 'f16' },
  11: { name: 'DOUBLE', type: 'f64' }, 12: { name: 'UINT32', type: 'u32' }, 13: { name: 'UINT64', type: 'u64' },
  16: { name: 'BFLOAT16', type: 'bf16' },
};
const TYPE_NAMES: Record<number, string> = { 0: 'UNDEFINED', 8: 'STRING', 14: 'COMPLEX64', 15: 'COMPLEX128', 17: 'FLOAT8E4M3FN', 18: 'FLOAT8E4M3FNUZ', 19: 'FLOAT8E5M2', 20: 'FLOAT8E5M2FNUZ', 21: 'UINT4', 22: 'INT4', 23: 'FLOAT4E2M1' };

export interface OnnxTensorProto {
  name?: string;
  dims?: number[];
  data_type?: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  int32_data?: number[];
  int64_data?: number[];
  double_data?: number[];
  uint64_data?: number[];
  data_location?: number;
  external_data?: { key?: string; value?: string }[];
}

export interface DecodedTensor { name: string; shape: number[]; data: Float32Array; dataType: string }

const FIX = 'the file is damaged or was written wrongly: export the model again';

/** Reads external data files once each, inside the model's folder only. */
export class ExternalFiles {
  private readonly files = new Map<string, Uint8Array>();
  constructor(private readonly modelPath: string) {}

  bytes(location: string, tensor: string, offset: number, length: number | undefined, need: number): Uint8Array {
    const path = confinedPath(this.modelPath, location, 'external data files');
    let data = this.files.get(path);
    if (!data) {
      data = readRegularFile(path, `${this.modelPath}: external data '${location}' of tensor '${tensor}'`,
        `put the external data file next to the .onnx file (expected ${path})`,
        (code) => `${this.modelPath}: external data '${location}' of tensor '${tensor}' cannot be read (${code})`);
      this.files.set(path, data);
    }
    const len = length ?? need;
    if (len !== need) {
      throw new HwsimError(`${this.modelPath}: tensor '${tensor}' declares ${len} bytes of external data, its dims need ${need}`, FIX);
    }
    if (offset + len > data.length) {
      throw new HwsimError(`${this.modelPath}: tensor '${tensor}' reads bytes ${offset}..${offset + len} of '${location}', which holds ${data.length}`,
        'the external data file is truncated or belongs to another model: copy it again');
    }
    return data.subarray(offset, offset + len);
  }
}

export function dataTypeName(t: number | undefined): string {
  return t === undefined ? 'none' : TYPES[t]?.name ?? TYPE_NAMES[t] ?? `${t}`;
}

/** The dims of a tensor, checked: non-negative safe integers. */
export function tensorDims(t: OnnxTensorProto, where: string): number[] {
  const dims = (t.dims ?? []).map(Number);
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new HwsimError(`${where}: tensor '${t.name}' has dims [${dims.join(', ')}]`, FIX);
  }
  return dims;
}

/** A TensorProto's values as float32; `budget` books its elements against the limits first. */
export function decodeTensor(t: OnnxTensorProto, where: string, external: ExternalFiles, budget: WeightBudget): DecodedTensor {
  const name = t.name ?? '';
  const dims = tensorDims(t, where);
  const count = dims.reduce((a, b) => a * b, 1);
  const info = t.data_type === undefined ? undefined : TYPES[t.data_type];
  if (!info) {
    throw new HwsimError(`${where}: tensor '${name}' has data type ${dataTypeName(t.data_type)}`,
      'hwsim reads FLOAT, FLOAT16, BFLOAT16, DOUBLE and integer tensors (INT8/UINT8 weights with DequantizeLinear): convert the model\'s weights');
  }
  budget.take(count, `${where}: tensor '${name}' of dims [${dims.join(', ')}]`);
  const size = info.type === 'i64' || info.type === 'u64' ? 8 : ELEMENT_BYTES[info.type];
  const shape = dims;
  const out = (data: Float32Array): DecodedTensor => ({ name, shape, data, dataType: info.name });
  let raw = t.raw_data;
  if (t.data_location === 1) {
    const kv = new Map((t.external_data ?? []).map((e) => [e.key ?? '', e.value ?? '']));
    const location = kv.get('location');
    if (!location) throw new HwsimError(`${where}: tensor '${name}' is external but names no location`, FIX);
    const offset = kv.has('offset') ? Number(kv.get('offset')) : 0;
    const length = kv.has('length') ? Number(kv.get('length')) : undefined;
    if (!Number.isSafeInteger(offset) || offset < 0 || (length !== undefined && (!Number.isSafeInteger(length) || length < 0))) {
      throw new HwsimError(`${where}: tensor '${name}' has external offset ${kv.get('offset')} and length ${kv.get('length')}`, FIX);
    }
    raw = external.bytes(location, name, offset, length, count * size);
  }
  if (raw && raw.length > 0) {
    if (raw.length !== count * size) {
      throw new HwsimError(`${where}: tensor '${name}' holds ${raw.length} bytes of ${info.name}; its dims [${dims.join(', ')}] need ${count * size}`, FIX);
    }
    if (info.type === 'i64' || info.type === 'u64') {
      const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
      const d = new Float32Array(count);
      for (let i = 0; i < count; i++) d[i] = Number(info.type === 'i64' ? v.getBigInt64(8 * i, true) : v.getBigUint64(8 * i, true));
      return out(d);
    }
    // an aligned copy: decodeElements reads through a DataView or a typed view of the buffer
    return out(decodeElements(raw.slice(), 0, count, info.type));
  }
  // typed fields (onnx.proto: which field holds which type)
  let values: ArrayLike<number> | undefined;
  let halfBits = false;
  switch (info.type) {
    case 'f32': values = t.float_data; break;
    case 'f64': values = t.double_data; break;
    case 'i64': values = t.int64_data; break;
    case 'u32': case 'u64': values = t.uint64_data; break;
    case 'f16': case 'bf16': values = t.int32_data; halfBits = true; break;
    default: values = t.int32_data;
  }
  const n = values?.length ?? 0;
  if (n !== count) {
    throw new HwsimError(`${where}: tensor '${name}' holds ${n} values of ${info.name}; its dims [${dims.join(', ')}] need ${count}`, FIX);
  }
  if (halfBits) {
    const bits = new Uint8Array(2 * count);
    const v = new DataView(bits.buffer);
    for (let i = 0; i < count; i++) v.setUint16(2 * i, Number(values![i]) & 0xffff, true);
    return out(decodeElements(bits, 0, count, info.type as 'f16' | 'bf16'));
  }
  return out(Float32Array.from(values!, Number));
}
