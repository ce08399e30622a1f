/**
 * NumPy .npy: magic "\x93NUMPY", version (1.x: u16 header length; 2.x/3.x: u32), a Python dict
 * literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with spaces, then the
 * raw elements. Fortran-order arrays are reordered to C order.
 */
import { HwsimError } from '../../errors.js';
import { decodeElements, ELEMENT_BYTES, elementCount, permute, WeightBudget, type ElementType } from './tensors.js';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

const KINDS: Record<string, ElementType> = {
  f8: 'f64', f4: 'f32', f2: 'f16', i4: 'i32', i2: 'i16', i1: 'i8', u4: 'u32', u2: 'u16', u1: 'u8', b1: 'u8',
};

const FIX = 'write the array with numpy.save (a real .npy file), dtype float16/32/64 or an integer type';

/**
 * Parses one .npy image; `where` names it in errors (a file, or an .npz entry). `budget` counts the
 * elements of every array of one file (an .npz holds several) against the limits.
 */
export function parseNpy(bytes: Uint8Array, where: string, budget = new WeightBudget()): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((b, i) => bytes[i] !== b)) {
    throw new HwsimError(`${where}: not a .npy file (bad magic)`, FIX);
  }
  const major = bytes[6];
  if (major < 1 || major > 3) throw new HwsimError(`${where}: unsupported .npy version ${major}.${bytes[7]}`, FIX);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start) throw new HwsimError(`${where}: truncated .npy header`, FIX);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (start + headerLen > bytes.length) {
    throw new HwsimError(`${where}: .npy header length ${headerLen} runs past the end of the file (${bytes.length} bytes)`, FIX);
  }
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  // a key given twice is ambiguous (Python keeps the last one, a regex the first): refused
  const seen = new Set<string>();
  for (const k of header.matchAll(/(['"])([^'"]*)\1\s*:/g)) {
    if (seen.has(k[2])) {
      throw new HwsimError(`${where}: the .npy header gives the key '${k[2]}' twice: ${JSON.stringify(header.trim())}`, FIX);
    }
    seen.add(k[2]);
  }
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new HwsimError(`${where}: .npy header lacks descr, fortran_order or shape: ${JSON.stringify(header.trim())}`, FIX);
  }
  const m = /^([<>|=])([a-z]\d+)$/.exec(descr);
  const type = m ? KINDS[m[2]] : undefined;
  if (!m || !type) {
    throw new HwsimError(`${where}: unsupported dtype '${descr}'`, `use one of ${Object.keys(KINDS).join(', ')} (e.g. '<f4')`);
  }
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => Number(s.replace(/L$/, '')));
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new HwsimError(`${where}: bad shape (${shapeText})`, FIX);
  }
  const count = elementCount(shape);
  budget.take(count, `${where}: shape (${shape.join(', ')})`);
  if (shape.length >= 2) budget.layer(where);
  const dataStart = start + headerLen;
  const need = count * ELEMENT_BYTES[type];
  if (bytes.length - dataStart !== need) {
    throw new HwsimError(
      `${where}: shape (${shape.join(', ')}) of '${descr}' needs ${need} data bytes, the file holds ${bytes.length - dataStart}`,
      bytes.length - dataStart < need ? 'the file is truncated: write it again' : FIX);
  }
  let data = decodeElements(bytes, dataStart, count, type, m[1] === '>');
  if (fortran === 'True' && shape.length > 1) {
    // column-major data is the row-major array of the reversed shape, axes reversed
    const reversed = [...shape].reverse();
    data = permute(data, reversed, reversed.map((_, i) => reversed.length - 1 - i));
  }
  return { shape, data };
}
