/** Writes NumPy .npy (format 1.0) arrays: magic, version, header dict padded to 64 bytes, data. */
export type NpyDtype = 'f4' | 'i1' | 'u1';

export function npyBytes(data: Float32Array | Int8Array | Uint8Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length || shape.some((d) => !(Number.isInteger(d) && d >= 0))) {
    throw new Error(`internal: npy array of ${data.length} elements with shape ${shape.join('×')}`);
  }
  const descr = data instanceof Float32Array ? '<f4' : data instanceof Int8Array ? '|i1' : '|u1';
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
