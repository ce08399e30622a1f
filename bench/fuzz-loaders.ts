/**
 * A seeded fuzz harness over every weight loader and the SCALE-Sim topology reader,
 * shared by test/fuzz-loaders.test.ts (a fixed budget in `npm test`) and this command line (a
 * larger one):
 *
 *   npx tsc -p . && node dist/bench/fuzz-loaders.js [--cases 20000] [--seed 1] [--slow-ms 2000] [--json]
 *   node dist/bench/fuzz-loaders.js --replay <input>:<mutation>:<base>:<case seed>   (one case, files kept)
 *
 * Base inputs, written into a temporary folder: .npy (float32/16/64, int8, big-endian, Fortran
 * order, version 2.0), .npz (stored, deflated, ZIP64 records), .safetensors (F32/I8/U8 from the
 * project's writer; F16/BF16/F64/I16/I32 by hand), TensorFlow.js folders (model.json with a Keras
 * topology, two shards; uint8/uint16/float16 quantization in two groups), a SCALE-Sim topology
 * CSV, and ONNX models written with protobufjs (conv with pads/strides, depthwise and grouped conv,
 * Gemm, MatMul, typed fields, INT8/UINT8 DequantizeLinear, external data). Beside each tfjs and
 * ONNX model lie the traps a manifest or external data may name: a copy of a shard outside the
 * folder, a symlink to it, a symlink to /dev/zero, a FIFO, a directory.
 *
 * Each case applies one mutation to one base (bytes, bits, truncation, insertion, and edits that
 * know the format: npy header dicts, safetensors JSON headers, zip fields and members, tfjs
 * manifests and topologies, CSV fields and rows), writes the files and loads the main one with
 * `loadModel(path, { topology: true })` under small limits (FUZZ_LIMITS: a regression fails fast
 * instead of eating memory). The property:
 *
 *   - a HwsimError whose message names the file ("error"), or
 *   - a Model that loads the same twice (determinism), whose every weight is finite, whose every
 *     layer holds as many weights as its shape says, within the limits, and (tfjs) that read no
 *     file outside the model's folder: "identical" to the base's model or "changed";
 *   - for an .npz under unforged byte edits (the CRC-32 covers every member), an accepted model
 *     holds only tensors the base holds (anything else is "different"), and all of them ("lost":
 *     a member dropped without a word, while numpy would read it or refuse the archive);
 *   - "benign" mutations (whitespace, key order, padding, shard boundaries, CRLF ...: the same
 *     data in other bytes) must give the identical model ("benign" otherwise);
 *   - never another exception ("crash": RangeError, TypeError, a HwsimError not naming the file).
 *
 * It prints, per input kind and mutation, the cases, the outcomes and the slowest case.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { intFlag } from './entry.js';
import { deflateRawSync } from 'node:zlib';
import { crc32 } from '../src/codecs/crc32.js';
import { HwsimError } from '../src/errors.js';
import { npyBytes } from '../src/io/npy-write.js';
import { safetensorsBytes } from '../src/io/safetensors-write.js';
import { limits, setLimits, type Limits } from '../src/limits.js';
import { loadModel } from '../src/models/load.js';
import type { Model } from '../src/models/types.js';
import { rng } from './fuzz-container.js';
import protobuf from 'protobufjs';
import { ONNX_SCHEMA } from '../src/models/onnx/schema.js';

export { rng };

/** The limits every case runs under (restored afterwards): small, so a regression fails fast. */
export const FUZZ_LIMITS: Readonly<Limits> = Object.freeze({
  maxWeights: 1_000_000, maxLayers: 1000, maxInflateBytes: 16 * 2 ** 20, maxIfmapElements: 50_000_000,
});

// ---------------------------------------------------------------- small helpers

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (s: string) => enc.encode(s);
const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function int(r: () => number, n: number): number { return Math.floor(r() * n); }
export function pick<T>(r: () => number, xs: readonly T[]): T { return xs[int(r, xs.length)]; }

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** Seeded values in about ±1 (weights of a plausible size). */
function values(n: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Math.round((r() * 2 - 1) * 1000) / 1000);
}
const prod = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** number → IEEE half bits (round to nearest; the base values are small and finite). */
function floatToHalf(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  const mant = x & 0x7fffff;
  if (exp <= 0) return sign; // tiny → ±0
  if (exp >= 31) return sign | 0x7bff;
  return sign | (exp << 10) | Math.round(mant / 8192);
}

function typed(type: string, vals: number[], bigEndian = false): Uint8Array {
  const size = { f8: 8, f4: 4, f2: 2, bf2: 2, i4: 4, i2: 2, i1: 1, u1: 1, u2: 2 }[type]!;
  const out = new Uint8Array(vals.length * size);
  const dv = new DataView(out.buffer);
  const le = !bigEndian;
  vals.forEach((v, i) => {
    switch (type) {
      case 'f8': dv.setFloat64(8 * i, v, le); break;
      case 'f4': dv.setFloat32(4 * i, v, le); break;
      case 'f2': dv.setUint16(2 * i, Math.min(floatToHalf(v), 0xfbff), le); break;
      case 'bf2': { const f = new Float32Array([v]); dv.setUint16(2 * i, new Uint32Array(f.buffer)[0] >>> 16, le); break; }
      case 'i4': dv.setInt32(4 * i, Math.round(v * 100), le); break;
      case 'i2': dv.setInt16(2 * i, Math.round(v * 100), le); break;
      case 'i1': dv.setInt8(i, Math.round(v * 100)); break;
      case 'u1': dv.setUint8(i, Math.round((v + 1) * 100)); break;
      case 'u2': dv.setUint16(2 * i, Math.round((v + 1) * 1000), le); break;
    }
  });
  return out;
}

// ---------------------------------------------------------------- writers (documented byte layouts)

/** The header dict of a .npy (what follows the length field), padded so the data start is 64-aligned. */
export function npyDict(descr: string, shape: readonly number[], fortran = false): string {
  return `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
}

/** A .npy image from a header dict text: version 1.0 (u16 length) or 2.0 (u32), padded to 64 bytes unless `pad` is false. */
export function npyFromDict(dict: string, data: Uint8Array, major = 1, pad = true): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const header = pad ? dict.padEnd(Math.ceil((pre + dict.length + 1) / 64) * 64 - pre - 1, ' ') + '\n' : dict;
  const head = new Uint8Array(pre);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(head.buffer);
  if (major === 1) dv.setUint16(8, header.length, true); else dv.setUint32(8, header.length, true);
  return concat(head, new Uint8Array(Buffer.from(header, 'latin1')), data);
}

/** The parts of a .npy image: version, header text, data (no checks: for crafting from valid bases). */
export function npyParts(b: Uint8Array): { major: number; header: string; data: Uint8Array } {
  const major = b[6];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const pre = major === 1 ? 10 : 12;
  const len = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  return { major, header: Buffer.from(b.subarray(pre, pre + len)).toString('latin1'), data: b.slice(pre + len) };
}

export interface ZipMember { name: string; data: Uint8Array; deflate?: boolean }

/**
 * A zip archive (what numpy.savez writes): local header + body per member, central directory, end
 * record. `zip64` writes the 64-bit forms: 0xffffffff in the 32-bit size and offset fields with a
 * ZIP64 extra field (local and central), and a ZIP64 end record with its locator. `comment` is
 * the archive comment.
 */
export function zipBytes(members: readonly ZipMember[], o: { zip64?: boolean; comment?: string } = {}): Uint8Array {
  const locals: Uint8Array[] = [], centrals: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const name = text(m.name);
    const body = m.deflate ? new Uint8Array(deflateRawSync(m.data)) : m.data;
    const crc = crc32(m.data);
    const method = m.deflate ? 8 : 0;
    const z = o.zip64;
    const lx = z ? new Uint8Array(20) : new Uint8Array(0);
    if (z) { const d = new DataView(lx.buffer); d.setUint16(0, 1, true); d.setUint16(2, 16, true); d.setBigUint64(4, BigInt(m.data.length), true); d.setBigUint64(12, BigInt(body.length), true); }
    const h = new DataView(new ArrayBuffer(30));
    h.setUint32(0, 0x04034b50, true); h.setUint16(4, z ? 45 : 20, true); h.setUint16(8, method, true);
    h.setUint32(14, crc, true); h.setUint32(18, z ? 0xffffffff : body.length, true); h.setUint32(22, z ? 0xffffffff : m.data.length, true);
    h.setUint16(26, name.length, true); h.setUint16(28, lx.length, true);
    const cx = z ? new Uint8Array(28) : new Uint8Array(0);
    if (z) {
      const d = new DataView(cx.buffer); d.setUint16(0, 1, true); d.setUint16(2, 24, true);
      d.setBigUint64(4, BigInt(m.data.length), true); d.setBigUint64(12, BigInt(body.length), true); d.setBigUint64(20, BigInt(offset), true);
    }
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true); c.setUint16(4, z ? 45 : 20, true); c.setUint16(6, z ? 45 : 20, true); c.setUint16(10, method, true);
    c.setUint32(16, crc, true); c.setUint32(20, z ? 0xffffffff : body.length, true); c.setUint32(24, z ? 0xffffffff : m.data.length, true);
    c.setUint16(28, name.length, true); c.setUint16(30, cx.length, true); c.setUint32(42, z ? 0xffffffff : offset, true);
    locals.push(new Uint8Array(h.buffer), name, lx, body);
    centrals.push(new Uint8Array(c.buffer), name, cx);
    offset += 30 + name.length + lx.length + body.length;
  }
  const cd = concat(...centrals);
  const n = members.length;
  const tail: Uint8Array[] = [];
  if (o.zip64) {
    const z = new DataView(new ArrayBuffer(56));
    z.setUint32(0, 0x06064b50, true); z.setBigUint64(4, 44n, true); z.setUint16(12, 45, true); z.setUint16(14, 45, true);
    z.setBigUint64(24, BigInt(n), true); z.setBigUint64(32, BigInt(n), true); z.setBigUint64(40, BigInt(cd.length), true); z.setBigUint64(48, BigInt(offset), true);
    const loc = new DataView(new ArrayBuffer(20));
    loc.setUint32(0, 0x07064b50, true); loc.setBigUint64(8, BigInt(offset + cd.length), true); loc.setUint32(16, 1, true);
    tail.push(new Uint8Array(z.buffer), new Uint8Array(loc.buffer));
  }
  const comment = text(o.comment ?? '');
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, o.zip64 ? 0xffff : n, true); end.setUint16(10, o.zip64 ? 0xffff : n, true);
  end.setUint32(12, o.zip64 ? 0xffffffff : cd.length, true); end.setUint32(16, o.zip64 ? 0xffffffff : offset, true);
  end.setUint16(20, comment.length, true);
  return concat(...locals, cd, ...tail, new Uint8Array(end.buffer), comment);
}

/** A numeric field of a zip archive: where it lies, how wide, what it says. */
export interface ZipField { what: string; at: number; width: 2 | 4 | 8; value: number }

/** The numeric fields of a well-formed archive (as zipBytes writes it), for field edits. */
export function zipFields(b: Uint8Array): ZipField[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const f: ZipField[] = [];
  const add = (what: string, at: number, width: 2 | 4 | 8) =>
    f.push({ what, at, width, value: width === 2 ? dv.getUint16(at, true) : width === 4 ? dv.getUint32(at, true) : Number(dv.getBigUint64(at, true)) });
  let eocd = b.length - 22;
  while (dv.getUint32(eocd, true) !== 0x06054b50) eocd--;
  for (const [k, o, w] of [['eocd.count-disk', 8, 2], ['eocd.count', 10, 2], ['eocd.cd-size', 12, 4], ['eocd.cd-offset', 16, 4], ['eocd.comment-len', 20, 2]] as const) add(k, eocd + o, w);
  let count = dv.getUint16(eocd + 10, true);
  let cd = dv.getUint32(eocd + 16, true);
  if (count === 0xffff) {
    const z = Number(dv.getBigUint64(eocd - 20 + 8, true));
    add('zip64-locator.offset', eocd - 20 + 8, 8);
    add('zip64-eocd.signature', z, 4); add('zip64-eocd.count', z + 32, 8); add('zip64-eocd.cd-offset', z + 48, 8);
    count = Number(dv.getBigUint64(z + 32, true));
    cd = Number(dv.getBigUint64(z + 48, true));
  }
  for (let e = 0; e < count; e++) {
    const c = `cd[${e}]`;
    for (const [k, o, w] of [['signature', 0, 4], ['flags', 8, 2], ['method', 10, 2], ['crc', 16, 4], ['comp-size', 20, 4], ['size', 24, 4],
      ['name-len', 28, 2], ['extra-len', 30, 2], ['comment-len', 32, 2], ['local-offset', 42, 4]] as const) add(`${c}.${k}`, cd + o, w);
    const nameLen = dv.getUint16(cd + 28, true), extraLen = dv.getUint16(cd + 30, true);
    let local = dv.getUint32(cd + 42, true);
    if (extraLen >= 28) {
      const x = cd + 46 + nameLen;
      add(`${c}.zip64.len`, x + 2, 2); add(`${c}.zip64.size`, x + 4, 8); add(`${c}.zip64.comp-size`, x + 12, 8); add(`${c}.zip64.local-offset`, x + 20, 8);
      local = Number(dv.getBigUint64(x + 20, true));
    }
    const l = `local[${e}]`;
    for (const [k, o, w] of [['signature', 0, 4], ['method', 8, 2], ['crc', 14, 4], ['comp-size', 18, 4], ['size', 22, 4], ['name-len', 26, 2], ['extra-len', 28, 2]] as const) {
      add(`${l}.${k}`, local + o, w);
    }
    cd += 46 + nameLen + extraLen + dv.getUint16(cd + 32, true);
  }
  return f;
}

/** A .safetensors image from header entries written in the given order (keys may repeat; raw JSON values allowed). */
export function safetensorsFrom(entries: readonly [string, unknown][], data: Uint8Array, pad = true): Uint8Array {
  const json = `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v instanceof Raw ? v.text : JSON.stringify(v)}`).join(',')}}`;
  let raw: Uint8Array = text(json);
  if (pad && raw.length % 8) raw = concat(raw, new Uint8Array(8 - (raw.length % 8)).fill(0x20));
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(raw.length), true);
  return concat(len, raw, data);
}

/** JSON text inserted as is (NaN, 1e999, a truncated value ...). */
export class Raw { constructor(readonly text: string) {} }

/** The header entries (in file order) and the data section of a well-formed .safetensors image. */
export function safetensorsParts(b: Uint8Array): { entries: [string, unknown][]; data: Uint8Array } {
  const len = Number(new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true));
  const header = JSON.parse(dec.decode(b.subarray(8, 8 + len))) as Record<string, unknown>;
  return { entries: Object.entries(header), data: b.slice(8 + len) };
}

// ---------------------------------------------------------------- base inputs

export type InputKind = 'npy' | 'npz' | 'safetensors' | 'tfjs' | 'csv' | 'onnx';
export const INPUT_KINDS: readonly InputKind[] = ['npy', 'npz', 'safetensors', 'tfjs', 'csv', 'onnx'];

/** Files of one input by name relative to its folder; null: the file is absent. */
export type Files = Map<string, Uint8Array | null>;

export interface Base {
  kind: InputKind;
  name: string;
  /** the file loadModel is given */
  main: string;
  files: Files;
  /** npz: the members it was written from (zip-member rebuilds from them) */
  members?: ZipMember[];
  zip64?: boolean;
}

const SHAPES = { conv: [4, 3, 3, 3], fc: [6, 5] };

function npyBases(): Base[] {
  const mk = (name: string, bytes: Uint8Array): Base => ({ kind: 'npy', name, main: 'weights.npy', files: new Map([['weights.npy', bytes]]) });
  return [
    mk('f32-conv', npyBytes(Float32Array.from(values(prod(SHAPES.conv), 1)), SHAPES.conv)),
    mk('i8-fc', npyBytes(Int8Array.from(values(30, 2), (v) => Math.round(v * 100)), SHAPES.fc)),
    mk('f16-fc', npyFromDict(npyDict('<f2', [5, 4]), typed('f2', values(20, 3)))),
    mk('f64-fortran', npyFromDict(npyDict('<f8', [3, 4], true), typed('f8', values(12, 4)))),
    mk('be-conv1d', npyFromDict(npyDict('>f4', [4, 2, 3]), typed('f4', values(24, 5), true))),
    mk('v2-f32', npyFromDict(npyDict('<f4', [2, 3, 3, 3]), typed('f4', values(54, 6)), 2)),
  ];
}

function npzBases(): Base[] {
  const mk = (name: string, members: ZipMember[], zip64 = false): Base =>
    ({ kind: 'npz', name, main: 'arrays.npz', files: new Map([['arrays.npz', zipBytes(members, { zip64 })]]), members, zip64 });
  const arr = (descr: string, shape: number[], seed: number, type = descr.slice(1)) => npyFromDict(npyDict(descr, shape), typed(type, values(prod(shape), seed)));
  return [
    mk('stored', [
      { name: 'w1.npy', data: arr('<f4', [4, 3, 3, 3], 11) },
      { name: 'b1.npy', data: arr('<f4', [4], 12) },
      { name: 'fc.npy', data: arr('<f2', [10, 8], 13) },
    ]),
    mk('deflated', [
      { name: 'conv.npy', data: arr('<f4', [6, 4, 3, 3], 14), deflate: true },
      { name: 'dw.npy', data: arr('<f4', [8, 1, 3, 3], 15), deflate: true },
      { name: 'head.npy', data: arr('|i1', [5, 6], 16), deflate: true },
    ]),
    mk('zip64-mixed', [
      { name: 'a.npy', data: arr('<f8', [3, 5], 17), deflate: true },
      { name: 'b.npy', data: arr('<f4', [4, 2, 3], 18) },
    ], true),
  ];
}

function safetensorsBases(): Base[] {
  const mk = (name: string, bytes: Uint8Array): Base => ({ kind: 'safetensors', name, main: 'model.safetensors', files: new Map([['model.safetensors', bytes]]) });
  const writer = safetensorsBytes([
    { name: 'conv.weight', data: Float32Array.from(values(108, 21)), shape: SHAPES.conv },
    { name: 'fc.weight', data: Int8Array.from(values(30, 22), (v) => Math.round(v * 100)), shape: SHAPES.fc },
    { name: 'u.weight', data: Uint8Array.from(values(12, 23), (v) => Math.round((v + 1) * 100)), shape: [3, 4] },
    { name: 'conv.bias', data: Float32Array.from(values(4, 24)), shape: [4] },
  ], { format: 'pt' });
  // by hand: the dtypes the writer does not write
  const tensors: [string, string, string, number[]][] = [
    ['h.weight', 'F16', 'f2', [5, 4]], ['bf.weight', 'BF16', 'bf2', [4, 2, 3]], ['d.weight', 'F64', 'f8', [3, 3]],
    ['s.weight', 'I16', 'i2', [2, 5]], ['i.weight', 'I32', 'i4', [2, 2]], ['norm.bias', 'F32', 'f4', [3]],
  ];
  const entries: [string, unknown][] = [['__metadata__', { format: 'pt' }]];
  const data: Uint8Array[] = [];
  let at = 0;
  tensors.forEach(([name, dtype, type, shape], i) => {
    const d = typed(type, values(prod(shape), 30 + i));
    entries.push([name, { dtype, shape, data_offsets: [at, at + d.length] }]);
    data.push(d);
    at += d.length;
  });
  return [mk('writer', writer), mk('halfs', safetensorsFrom(entries, concat(...data)))];
}

interface TfjsWeight { name: string; shape: number[]; dtype: string; quantization?: { dtype: string; min?: number; scale?: number } }

function tfjsBase(name: string, topology: unknown, groups: { weights: TfjsWeight[]; shards: number }[], g0 = 1): Base {
  const files: Files = new Map();
  const manifest = groups.map((grp, gi) => {
    const parts = grp.weights.map((w, i) => {
      const n = prod(w.shape);
      const seed = 40 + gi * 10 + i;
      const q = w.quantization;
      if (!q) return typed(w.dtype === 'int32' ? 'i4' : w.dtype === 'bool' ? 'u1' : 'f4', values(n, seed));
      return typed(q.dtype === 'uint8' ? 'u1' : q.dtype === 'uint16' ? 'u2' : 'f2', values(n, seed));
    });
    const all = concat(...parts);
    const paths: string[] = [];
    for (let s = 0; s < grp.shards; s++) {
      const p = `group${gi + g0}-shard${s + 1}of${grp.shards}.bin`;
      // uneven boundaries, inside a weight: shards are concatenated before weights are read
      const from = Math.floor((all.length * s) / grp.shards / 4) * 4 + (s ? 6 : 0), to = s + 1 === grp.shards ? all.length : Math.floor((all.length * (s + 1)) / grp.shards / 4) * 4 + 6;
      files.set(p, all.slice(from, to));
      paths.push(p);
    }
    return { paths, weights: grp.weights };
  });
  files.set('model.json', text(JSON.stringify({ format: 'layers-model', generatedBy: 'keras v2.15', convertedBy: 'TensorFlow.js Converter v4', modelTopology: topology, weightsManifest: manifest })));
  return { kind: 'tfjs', name, main: 'model.json', files };
}

function tfjsBases(): Base[] {
  const layer = (class_name: string, name: string, strides?: number[]) => ({ class_name, config: { name, trainable: true, ...(strides ? { strides } : {}) } });
  const seq = {
    class_name: 'Sequential',
    config: { name: 'seq', layers: [layer('Conv2D', 'conv1', [2, 2]), layer('DepthwiseConv2D', 'dw', [1, 1]), layer('Flatten', 'flat'), layer('Dense', 'fc')] },
    keras_version: '2.15.0', backend: 'tensorflow',
  };
  const functional = {
    class_name: 'Functional',
    config: { name: 'fn', layers: [
      { ...layer('Conv2D', 'conv', [1, 1]), inbound_nodes: [] },
      { ...layer('Dense', 'dense'), inbound_nodes: [[['conv', 0, 0, {}]]] },
      { ...layer('Embedding', 'emb'), inbound_nodes: [[['dense', 0, 0, {}]]] },
    ] },
  };
  return [
    tfjsBase('float-2shards', seq, [{
      shards: 2, weights: [
        { name: 'fc/kernel', shape: [16, 10], dtype: 'float32' }, // manifest sorted by name: the topology puts it last
        { name: 'conv1/kernel', shape: [3, 3, 3, 4], dtype: 'float32' },
        { name: 'conv1/bias', shape: [4], dtype: 'float32' },
        { name: 'dw/depthwise_kernel', shape: [3, 3, 4, 1], dtype: 'float32' },
      ],
    }]),
    tfjsBase('quantized', functional, [
      { shards: 1, weights: [{ name: 'conv/kernel', shape: [3, 3, 2, 4], dtype: 'float32', quantization: { dtype: 'uint8', min: -0.5, scale: 0.004 } }] },
      { shards: 2, weights: [
        { name: 'dense/kernel', shape: [8, 6], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'emb/embeddings', shape: [4, 4], dtype: 'float32', quantization: { dtype: 'uint16', min: -1, scale: 1 / 1000 } },
        { name: 'dense/bias', shape: [6], dtype: 'int32' },
      ] },
    ]),
  ];
}

function csvBases(): Base[] {
  const header = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,';
  const rows = ['conv1, 18, 18, 3, 3, 3, 8, 1,', 'conv2_DP, 16, 16, 3, 3, 8, 8, 1,', 'conv3, 14, 14, 1, 1, 8, 16, 2, 2,', 'fc, 1, 1, 1, 1, 16, 10, 1,'];
  const mk = (name: string, s: string): Base => ({ kind: 'csv', name, main: 'topology.csv', files: new Map([['topology.csv', text(s)]]) });
  return [mk('scalesim', [header, ...rows, ''].join('\n')), mk('multiplier', [header, 'dw_DP, 10, 10, 3, 3, 4, 8, 1,', 'pw, 8, 8, 1, 1, 8, 12, 1,', ''].join('\n'))];
}

export function baseInputs(): Base[] {
  return [...npyBases(), ...npzBases(), ...safetensorsBases(), ...tfjsBases(), ...csvBases(), ...onnxBases()];
}

// ---------------------------------------------------------------- ONNX (written with protobufjs and the official schema)

const ONNX = protobuf.Root.fromJSON(ONNX_SCHEMA as protobuf.INamespace).lookupType('onnx.ModelProto');
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
// finish() may return a view of a pooled buffer that later encodes overwrite: copy it
const onnxBytes = (m: Obj) => new Uint8Array(ONNX.encode(ONNX.fromObject(m)).finish()); // a Buffer's slice() would still be a view
const onnxObject = (b: Uint8Array): Obj => ONNX.toObject(ONNX.decode(b), { longs: Number, enums: Number, arrays: true }) as Obj;
const oInts = (name: string, v: number[]) => ({ name, type: 7, ints: v });
const oInt = (name: string, v: number) => ({ name, type: 2, i: v });
const oStr = (name: string, v: string) => ({ name, type: 3, s: text(v) });
function oTensor(name: string, dims: number[], seed: number, typed = false): Obj {
  const v = values(prod(dims), seed);
  return typed ? { name, dims, data_type: 1, float_data: v } : { name, dims, data_type: 1, raw_data: bytesOf(Float32Array.from(v)) };
}
function onnxModel(nodes: Obj[], inits: Obj[], input = [1, 3, 8, 8]): Obj {
  return {
    ir_version: 8, producer_name: 'hwsim-fuzz', opset_import: [{ domain: '', version: 13 }],
    graph: {
      name: 'g', node: nodes, initializer: inits,
      input: [{ name: 'x', type: { tensor_type: { elem_type: 1, shape: { dim: input.map((d) => ({ dim_value: d })) } } } }],
      output: [{ name: 'y', type: { tensor_type: { elem_type: 1 } } }],
    },
  };
}
const oNode = (op_type: string, input: string[], output: string, attribute: Obj[] = []) => ({ op_type, input, output: [output], attribute, name: output });

function onnxBases(): Base[] {
  const mk = (name: string, m: Obj, extra: [string, Uint8Array][] = []): Base =>
    ({ kind: 'onnx', name, main: 'model.onnx', files: new Map([['model.onnx', onnxBytes(m)], ...extra]) });
  const cnn = onnxModel([
    oNode('Conv', ['x', 'w1', 'b1'], 'c1', [oInts('kernel_shape', [3, 3]), oInts('strides', [2, 2]), oInts('pads', [1, 1, 1, 1])]),
    oNode('Relu', ['c1'], 'r1'), oNode('MaxPool', ['r1'], 'p', [oInts('kernel_shape', [2, 2]), oInts('strides', [2, 2])]),
    oNode('Flatten', ['p'], 'f'), oNode('Gemm', ['f', 'w2', 'b2'], 'y', [oInt('transB', 1)]),
  ], [oTensor('w1', [4, 3, 3, 3], 1), oTensor('b1', [4], 2), oTensor('w2', [5, 16], 3), oTensor('b2', [5], 4)]);
  const dw = onnxModel([
    oNode('Conv', ['x', 'wdw'], 'd', [oInt('group', 3), oStr('auto_pad', 'SAME_UPPER'), oInts('strides', [2, 2])]),
    oNode('Conv', ['d', 'wg'], 'g', [oInt('group', 3), oInts('pads', [0, 0, 1, 1]), oInts('dilations', [2, 2])]),
    oNode('Add', ['g', 'g'], 'a'), oNode('GlobalAveragePool', ['a'], 'gap'), oNode('Flatten', ['gap'], 'f'), oNode('MatMul', ['f', 'wm'], 'y'),
  ], [oTensor('wdw', [6, 1, 3, 3], 5, true), oTensor('wg', [6, 2, 3, 3], 6, true), oTensor('wm', [6, 4], 7, true)]);
  const quant = onnxModel([
    oNode('DequantizeLinear', ['wq', 'ws', 'wz'], 'w', [oInt('axis', 0)]),
    oNode('Conv', ['x', 'w'], 'c', [oInts('kernel_shape', [3, 3])]), oNode('Flatten', ['c'], 'f'),
    oNode('DequantizeLinear', ['mq', 'ms', 'mz'], 'm'), oNode('MatMul', ['f', 'm'], 'y'),
  ], [
    { name: 'wq', dims: [2, 3, 3, 3], data_type: 3, raw_data: Uint8Array.from({ length: 54 }, (_, i) => (i * 37) & 0xff) },
    { name: 'ws', dims: [2], data_type: 1, float_data: [0.01, 0.02] }, { name: 'wz', dims: [2], data_type: 3, int32_data: [0, 1] },
    { name: 'mq', dims: [72, 3], data_type: 2, raw_data: Uint8Array.from({ length: 216 }, (_, i) => (i * 11) & 0xff) },
    { name: 'ms', dims: [], data_type: 10, int32_data: [0x2e66] }, { name: 'mz', dims: [], data_type: 2, int32_data: [128] },
  ]);
  const weights = bytesOf(Float32Array.from(values(4 * 27, 9)));
  const external = onnxModel(cnn.graph.node, [
    { name: 'w1', dims: [4, 3, 3, 3], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: 'weights.bin' }, { key: 'offset', value: '16' }, { key: 'length', value: String(weights.length) }] },
    ...cnn.graph.initializer.slice(1),
  ]);
  return [mk('cnn-raw', cnn), mk('depthwise-typed', dw), mk('quantized', quant), mk('external', external, [['weights.bin', concat(new Uint8Array(16), weights)]])];
}

/** external data locations: the traps beside the model, missing files, the model itself */
export const ONNX_LOCATIONS = ['../outside.bin', 'link.bin', 'zero.bin', 'fifo.bin', 'sub', '/dev/zero', 'missing.bin', 'sub/inner.bin',
  'link-in.bin', '', 'a\u0000b', 'weights.bin', 'model.onnx', 'sub/../../outside.bin'];
const ONNX_NUMBERS = [0, -1, 1, 2, 3, 7, 65536, 2147483647, 2 ** 40, -(2 ** 31)];
const OPS = ['Conv', 'Gemm', 'MatMul', 'Relu', 'Add', 'Concat', 'Resize', 'MaxPool', 'Flatten', 'Reshape', 'DequantizeLinear', 'BatchNormalization', 'Pad', ''];

/** Decodes the base's main file, lets `edit` change the object, encodes it again. */
function onnxEdit(b: Base, r: () => number, edit: (m: Obj, r: () => number) => void): Files {
  const m = onnxObject(b.files.get(b.main)!);
  edit(m, r);
  return withMain(b, onnxBytes(m));
}

const ONNX_MUT: Record<string, Mutation> = {
  /** a tensor's dims changed, one dimension dropped or added */
  'onnx-dims': (b, r) => onnxEdit(b, r, (m) => {
    const t = pick(r, m.graph.initializer as Obj[]);
    const k = int(r, 3);
    if (k === 0 && t.dims.length) t.dims[int(r, t.dims.length)] = pick(r, ONNX_NUMBERS);
    else if (k === 1) t.dims.pop(); else t.dims.push(pick(r, [1, 2, 0]));
  }),
  /** a tensor's data type changed (known, unknown, undefined) */
  'onnx-type': (b, r) => onnxEdit(b, r, (m) => { pick(r, m.graph.initializer as Obj[]).data_type = pick(r, [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 21, 23, 99]); }),
  /** raw_data or a typed field cut, grown or dropped */
  'onnx-data': (b, r) => onnxEdit(b, r, (m) => {
    const t = pick(r, m.graph.initializer as Obj[]);
    const field = ['raw_data', 'float_data', 'int32_data', 'int64_data'].find((f) => t[f] && t[f].length) ?? 'raw_data';
    const v = t[field] ?? new Uint8Array(0);
    const k = int(r, 3);
    if (k === 0) t[field] = v.slice(0, int(r, v.length + 1));
    else if (k === 1) t[field] = field === 'raw_data' ? concat(v, Uint8Array.from({ length: 1 + int(r, 8) }, () => int(r, 256))) : [...v, 1.5];
    else delete t[field];
  }),
  /** an attribute's value (strides, pads, group, kernel_shape, transB, axis, auto_pad) edited or dropped */
  'onnx-attr': (b, r) => onnxEdit(b, r, (m) => {
    const n = pick(r, m.graph.node as Obj[]);
    if (!n.attribute?.length) { n.attribute = [oInts('strides', [pick(r, ONNX_NUMBERS), 1])]; return; }
    const a = pick(r, n.attribute as Obj[]);
    if (a.ints?.length) a.ints[int(r, a.ints.length)] = pick(r, ONNX_NUMBERS);
    else if (a.s) a.s = text(pick(r, ['SAME_LOWER', 'VALID', 'NOTSET', 'BOGUS', '']));
    else if (a.i !== undefined) a.i = pick(r, ONNX_NUMBERS);
    if (r() < 0.2) n.attribute.splice(n.attribute.indexOf(a), 1);
  }),
  /** a node input pointed elsewhere: another tensor, a later output (a cycle), nothing */
  'onnx-rewire': (b, r) => onnxEdit(b, r, (m) => {
    const nodes = m.graph.node as Obj[];
    const n = pick(r, nodes);
    const names = [...nodes.map((x) => x.output[0]), ...(m.graph.initializer as Obj[]).map((t) => t.name), 'x', 'missing', ''];
    if (n.input.length) n.input[int(r, n.input.length)] = pick(r, names);
  }),
  /** a node's op type changed, or a node dropped or duplicated */
  'onnx-op': (b, r) => onnxEdit(b, r, (m) => {
    const nodes = m.graph.node as Obj[];
    const k = int(r, 3);
    if (k === 0) pick(r, nodes).op_type = pick(r, OPS);
    else if (k === 1) nodes.splice(int(r, nodes.length), 1);
    else nodes.push({ ...pick(r, nodes) });
  }),
  /** the graph input's shape: symbolic, zero, negative, huge, another rank */
  'onnx-input': (b, r) => onnxEdit(b, r, (m) => {
    const dims = m.graph.input[0].type.tensor_type.shape.dim as Obj[];
    const k = int(r, 3);
    if (k === 0) dims[int(r, dims.length)] = r() < 0.5 ? { dim_param: 'N' } : { dim_value: pick(r, ONNX_NUMBERS) };
    else if (k === 1) dims.pop(); else m.graph.input.push({ name: 'x2', type: m.graph.input[0].type });
  }),
  /** external data: location (traps), offset, length, or made external without a file */
  'onnx-external': (b, r) => onnxEdit(b, r, (m) => {
    const t = pick(r, m.graph.initializer as Obj[]);
    t.data_location = 1;
    const kv = new Map<string, string>((t.external_data ?? []).map((e: Obj) => [e.key, e.value]));
    const k = int(r, 3);
    if (k === 0 || !kv.has('location')) kv.set('location', pick(r, ONNX_LOCATIONS));
    else if (k === 1) kv.set('offset', String(pick(r, [...ONNX_NUMBERS, '1.5', 'x'])));
    else kv.set('length', String(pick(r, [...ONNX_NUMBERS, '', '1e3'])));
    t.external_data = [...kv].map(([key, value]) => ({ key, value }));
    delete t.raw_data;
  }),
  /** the same graph in other bytes: initializers reordered, another producer name, a doc string */
  benign: (b, r) => onnxEdit(b, r, (m) => {
    const inits = m.graph.initializer as Obj[];
    if (inits.length > 1) inits.push(inits.splice(int(r, inits.length), 1)[0]);
    m.producer_name = pick(r, ['pytorch', 'tf2onnx', '']);
    m.doc_string = 'edited';
  }),
};

// ---------------------------------------------------------------- mutations

type Mutation = (b: Base, r: () => number) => Files;

const TOKENS = ['"', ',', '{', '}', '[', ']', ':', '0', '-', '1e999', '\n', ',,', 'NaN', '"__proto__":', '(', ')', "'", 'True', ' ', '\r\n', '9'.repeat(20), '\\u0000'];

/** The main file (70%) or another file of the input, edited by `fn`. */
function onFile(b: Base, r: () => number, fn: (bytes: Uint8Array) => Uint8Array): Files {
  const names = [...b.files.keys()];
  const name = names.length > 1 && r() >= 0.7 ? pick(r, names.filter((n) => n !== b.main)) : b.main;
  const out = new Map(b.files);
  out.set(name, fn(b.files.get(name)!));
  return out;
}
const withMain = (b: Base, bytes: Uint8Array): Files => new Map(b.files).set(b.main, bytes);

const GENERIC: Record<string, Mutation> = {
  /** one byte anywhere XORed with a random non-zero value */
  'byte-flip': (b, r) => onFile(b, r, (x) => { const o = x.slice(); if (o.length) o[int(r, o.length)] ^= 1 + int(r, 255); return o; }),
  /** one bit anywhere flipped */
  'bit-flip': (b, r) => onFile(b, r, (x) => { const o = x.slice(); if (o.length) o[int(r, o.length)] ^= 1 << int(r, 8); return o; }),
  /** cut at a random length (to nothing, sometimes) */
  truncate: (b, r) => onFile(b, r, (x) => x.slice(0, r() < 0.1 ? 0 : int(r, x.length))),
  /** 1..8 random bytes or a syntax token inserted anywhere */
  insert: (b, r) => onFile(b, r, (x) => {
    const at = int(r, x.length + 1);
    const extra = r() < 0.4 ? text(pick(r, TOKENS)) : Uint8Array.from({ length: 1 + int(r, 8) }, () => int(r, 256));
    return concat(x.subarray(0, at), extra, x.subarray(at));
  }),
};

/** edge values for numbers in headers: zero, negative, huge, unsafe, fractional, not numbers */
const EDGE_NUMBERS = ['0', '-1', '1', '2', '7', '65536', '2147483648', '4294967296', '9007199254740991', '9007199254740993', '1e300', '1.5', '-0', '1e3',
  'NaN', 'Infinity', '0x10', '010', '"3"', 'null', '[]', '{}', 'true', '1e999', '-1e999', ''];

function edgeNumber(r: () => number, around?: number): string {
  if (around !== undefined && r() < 0.3) return String(Math.max(0, around + int(r, 9) - 4));
  return pick(r, EDGE_NUMBERS);
}

// ---- .npy

const NPY_DESCRS = ['<f4', '<f2', '<f8', '>f4', '>f8', '|i1', '<i2', '<i4', '>i4', '|u1', '<u2', '<u4', '|b1', '<c8', '<f16', '<i8', 'O', '<U3', '|V4', 'f4', '<f', '', '<f4 ', '=f4', '<F4', '<f04'];
const NPY_DIMS = ['0', '1', '2', '3', '4', '-1', '65536', '2147483648', '9007199254740993', '1e3', '1.5', 'NaN', '0x10', '4L', '', ' ', '3,,4', '1e300', '+3'];

/** One edit of a .npy header dict text (descr, fortran_order, shape, a key given twice or dropped, the syntax). */
function editNpyDict(h: string, r: () => number): string {
  switch (int(r, 7)) {
    case 0: return h.replace(/'descr'\s*:\s*'[^']*'/, `'descr': '${pick(r, NPY_DESCRS)}'`);
    case 1: return h.replace(/'fortran_order'\s*:\s*\w+/, `'fortran_order': ${pick(r, ['True', 'False', '1', 'None', "'True'", 'true'])}`);
    case 2: { // one dimension edited, dropped or added
      return h.replace(/'shape'\s*:\s*\(([^)]*)\)/, (_, inner: string) => {
        const dims = inner.split(',').map((s) => s.trim()).filter((s) => s !== '');
        const k = int(r, 3);
        if (k === 0 && dims.length) dims[int(r, dims.length)] = pick(r, NPY_DIMS);
        else if (k === 1 && dims.length) dims.splice(int(r, dims.length), 1);
        else dims.splice(int(r, dims.length + 1), 0, pick(r, NPY_DIMS));
        return `'shape': (${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
      });
    }
    case 3: { // the whole shape: a product that matches the data in other dims, or not
      return h.replace(/'shape'\s*:\s*\([^)]*\)/, `'shape': ${pick(r, ['()', '(0,)', '(3,)', '(1, 1)', '(2, 2, 2, 2, 2)', '[3, 4]', '(3, 4', '(', '(1, 1, 1, 1)', "(3, 'a')"])}`);
    }
    case 4: { // a key given twice (before or after the first)
      const dup = pick(r, ["'shape': (1, 1), ", "'descr': '<f4', ", "'fortran_order': False, ", "\"shape\": (1, 1), "]);
      return r() < 0.5 ? h.replace('{', `{${dup}`) : h.replace(/,?\s*}\s*$/, `, ${dup}}`);
    }
    case 5: { // a key dropped or renamed
      const key = pick(r, ['descr', 'fortran_order', 'shape']);
      return r() < 0.5 ? h.replace(new RegExp(`'${key}'\\s*:\\s*(\\([^)]*\\)|'[^']*'|\\w+),?\\s*`), '') : h.replace(`'${key}'`, `'${key.toUpperCase()}'`);
    }
    default: { // syntax: a brace, quote or colon removed or replaced
      const at = int(r, h.length);
      return h.slice(0, at) + pick(r, ['', '"', "'", '}', '{', ':', '(', ')', '\x00', '\u00e9']) + h.slice(at + 1);
    }
  }
}

const NPY: Record<string, Mutation> = {
  /** the header dict edited; its length field recomputed (80%) or kept */
  'npy-header': (b, r) => withMain(b, editNpy(b.files.get(b.main)!, r)),
  /** magic, version and header-length bytes */
  'npy-prefix': (b, r) => {
    const o = b.files.get(b.main)!.slice();
    const dv = new DataView(o.buffer);
    const k = int(r, 4);
    if (k === 0) o[int(r, 6)] = int(r, 256);
    else if (k === 1) o[6] = pick(r, [0, 1, 2, 3, 4, 255]);
    else if (k === 2) o[7] = pick(r, [0, 1, 255]);
    else if (o[6] === 1) dv.setUint16(8, Math.min(0xffff, Number(edgeNumber(r, dv.getUint16(8, true))) >>> 0 || 0), true);
    else dv.setUint32(8, Number(edgeNumber(r, dv.getUint32(8, true))) >>> 0 || 0, true);
    return withMain(b, o);
  },
  /** the data section cut, grown, or (benignly for the parser) its values replaced by NaN / ±Inf / huge */
  'npy-data': (b, r) => {
    const { major, header, data } = npyParts(b.files.get(b.main)!);
    const k = int(r, 3);
    let d: Uint8Array;
    if (k === 0) d = data.slice(0, Math.max(0, data.length - 1 - int(r, 8)));
    else if (k === 1) d = concat(data, new Uint8Array(1 + int(r, 8)));
    else {
      d = data.slice();
      const special = pick(r, [[0x7f, 0xc0, 0, 0], [0x7f, 0x80, 0, 0], [0xff, 0x80, 0, 0], [0x7f, 0x7f, 0xff, 0xff], [0x7f, 0xf0, 0, 0, 0, 0, 0, 0], [0x7c, 0x00], [0x7e, 0x00]]);
      const at = int(r, Math.max(1, d.length - special.length));
      d.set(special.slice(0, d.length - at), at);
    }
    return withMain(b, npyFromDict(header, d, major, false));
  },
  /** benign: the same array with another padding, the keys in another order, or version 2.0 */
  benign: (b, r) => {
    const { major, header, data } = npyParts(b.files.get(b.main)!);
    const dict = header.trim();
    const k = int(r, 3);
    if (k === 0) return withMain(b, npyFromDict(dict + ' '.repeat(64 * (1 + int(r, 3))), data, major));
    if (k === 1) {
      const items = [...dict.matchAll(/'(\w+)'\s*:\s*(\([^)]*\)|'[^']*'|\w+)/g)].map((m) => `'${m[1]}': ${m[2]}`);
      for (let i = items.length - 1; i > 0; i--) { const j = int(r, i + 1); [items[i], items[j]] = [items[j], items[i]]; }
      return withMain(b, npyFromDict(`{${items.join(', ')}}`, data, major));
    }
    return withMain(b, npyFromDict(dict, data, major === 1 ? 2 : 1));
  },
};

function editNpy(bytes: Uint8Array, r: () => number): Uint8Array {
  const { major, header, data } = npyParts(bytes);
  const edited = editNpyDict(header.trimEnd(), r);
  if (r() < 0.8) return npyFromDict(edited, data, major);
  // the length field kept: the edited text padded or cut to the old length
  const fixed = edited.length <= header.length ? edited.padEnd(header.length - 1, ' ') + '\n' : edited.slice(0, header.length);
  return npyFromDict(fixed.slice(0, header.length), data, major, false);
}

// ---- .npz

/** bomb members (inflate past FUZZ_LIMITS.maxInflateBytes), built once */
let bombCache: Uint8Array | undefined;
const bomb = () => (bombCache ??= new Uint8Array(deflateRawSync(new Uint8Array(FUZZ_LIMITS.maxInflateBytes + 1024))));

function rezip(b: Base, members: ZipMember[], r: () => number): Files {
  return withMain(b, zipBytes(members, { zip64: b.zip64 ?? false, comment: r() < 0.1 ? 'numpy' : '' }));
}

const NPZ: Record<string, Mutation> = {
  /** a numeric field of the local headers, central directory or end records set to an edge value */
  'zip-field': (b, r) => {
    const o = b.files.get(b.main)!.slice();
    const fields = zipFields(o);
    const f = pick(r, fields);
    const dv = new DataView(o.buffer);
    const max = f.width === 2 ? 0xffff : f.width === 4 ? 0xffffffff : 2 ** 53 - 1;
    const v = pick(r, [0, 1, f.value + 1, Math.max(0, f.value - 1), f.value + 1 + int(r, 64), Math.max(0, f.value - 1 - int(r, 64)), max, max - 1, o.length, int(r, o.length), 0x7fffffff & max, 2 ** 31 & max]);
    const val = Math.min(v, max);
    if (f.width === 2) dv.setUint16(f.at, val, true); else if (f.width === 4) dv.setUint32(f.at, val >>> 0, true); else dv.setBigUint64(f.at, BigInt(val), true);
    return withMain(b, o);
  },
  /** a member's compression method changed (local and central), its bytes left as they are */
  'zip-method': (b, r) => {
    const o = b.files.get(b.main)!.slice();
    const dv = new DataView(o.buffer);
    const fields = zipFields(o).filter((f) => f.what.endsWith('.method'));
    const e = pick(r, fields).what.match(/\[(\d+)\]/)![1];
    const m = pick(r, [0, 8, 1, 9, 12, 14, 93, 99, 0xffff]);
    for (const f of fields) if (f.what.includes(`[${e}]`) && (r() < 0.8 || f.what.startsWith('cd'))) dv.setUint16(f.at, m, true);
    return withMain(b, o);
  },
  /** members rebuilt with valid CRCs: an edited .npy header, other data, a renamed/duplicated/dropped member, a bomb */
  'zip-member': (b, r) => {
    const members = b.members!.map((m) => ({ ...m }));
    const i = int(r, members.length);
    const m = members[i];
    switch (int(r, 6)) {
      case 0: m.data = editNpy(m.data, r); break;
      case 1: m.data = NPY['npy-data']({ ...b, main: 'x', files: new Map([['x', m.data]]) }, r).get('x')!; break;
      case 2: m.name = pick(r, ['w', 'w.NPY', 'a/b.npy', '../escape.npy', '/abs.npy', '__proto__.npy', 'constructor.npy', '.npy', '', members[(i + 1) % members.length].name, 'é.npy', 'x'.repeat(300) + '.npy']); break;
      case 3: members.splice(int(r, members.length + 1), 0, { ...members[int(r, members.length)] }); break;
      case 4: members.splice(i, 1); break;
      default: return withMain(b, bombZip(r));
    }
    return rezip(b, members, r);
  },
  /** benign: the same members stored instead of deflated (or the reverse), an archive comment, a non-.npy member */
  benign: (b, r) => {
    const k = int(r, 3);
    if (k === 0) return rezip(b, b.members!.map((m) => ({ ...m, deflate: !m.deflate })), r);
    if (k === 1) return withMain(b, zipBytes(b.members!, { zip64: b.zip64, comment: 'saved by numpy '.repeat(1 + int(r, 4)) }));
    return withMain(b, zipBytes([...b.members!, { name: 'README.txt', data: text('not an array'), deflate: r() < 0.5 }], { zip64: b.zip64 }));
  },
};

/** A member that inflates past maxInflateBytes, declared honestly, or declared small (its header lies). */
function bombZip(r: () => number): Uint8Array {
  const name = text('bomb.npy');
  const body = bomb();
  const declared = r() < 0.5 ? FUZZ_LIMITS.maxInflateBytes + 1024 : pick(r, [0, 128, 1 << 20]);
  const h = new DataView(new ArrayBuffer(30));
  h.setUint32(0, 0x04034b50, true); h.setUint16(4, 20, true); h.setUint16(8, 8, true); h.setUint32(14, 0, true);
  h.setUint32(18, body.length, true); h.setUint32(22, declared, true); h.setUint16(26, name.length, true);
  const c = new DataView(new ArrayBuffer(46));
  c.setUint32(0, 0x02014b50, true); c.setUint16(4, 20, true); c.setUint16(6, 20, true); c.setUint16(10, 8, true);
  c.setUint32(16, 0, true); c.setUint32(20, body.length, true); c.setUint32(24, declared, true); c.setUint16(28, name.length, true);
  const cd = concat(new Uint8Array(c.buffer), name);
  const e = new DataView(new ArrayBuffer(22));
  e.setUint32(0, 0x06054b50, true); e.setUint16(8, 1, true); e.setUint16(10, 1, true);
  const localLen = 30 + name.length + body.length;
  e.setUint32(12, cd.length, true); e.setUint32(16, localLen, true);
  return concat(new Uint8Array(h.buffer), name, body, cd, new Uint8Array(e.buffer));
}

// ---- .safetensors

const ST_DTYPES = ['F32', 'F16', 'BF16', 'F64', 'I8', 'U8', 'I16', 'I32', 'I64', 'U16', 'U32', 'BOOL', 'F8_E4M3', 'f32', 'float32', '', 'F32 '];

function stValue(r: () => number, around?: number): unknown {
  const s = edgeNumber(r, around);
  return s === '' ? new Raw('') : new Raw(s);
}

const ST: Record<string, Mutation> = {
  /** the JSON header edited: dtype, shape, data_offsets, names, __metadata__, a key twice; header length recomputed */
  'st-header': (b, r) => {
    const { entries, data } = safetensorsParts(b.files.get(b.main)!);
    const tensors = entries.map(([k, v], i) => ({ k, v, i })).filter((e) => e.k !== '__metadata__');
    const t = pick(r, tensors);
    const info = { ...(t.v as { dtype: string; shape: number[]; data_offsets: number[] }) };
    const set = (v: unknown) => { entries[t.i] = [t.k, v]; };
    switch (int(r, 9)) {
      case 0: set({ ...info, dtype: r() < 0.8 ? pick(r, ST_DTYPES) : pick(r, [null, 5, ['F32']]) }); break;
      case 1: { // one dimension
        const shape: unknown[] = info.shape.slice();
        if (r() < 0.6 && shape.length) shape[int(r, shape.length)] = stValue(r, info.shape[0]);
        else if (r() < 0.5 && shape.length) shape.splice(int(r, shape.length), 1);
        else shape.splice(int(r, shape.length + 1), 0, pick(r, [1, 2, 0, 3]));
        set(new Raw(`{"dtype":${JSON.stringify(info.dtype)},"shape":[${shape.map((d) => (d instanceof Raw ? d.text : JSON.stringify(d))).join(',')}],"data_offsets":${JSON.stringify(info.data_offsets)}}`));
        break;
      }
      case 2: { // data_offsets
        const off: unknown[] = info.data_offsets.slice();
        const k = int(r, 4);
        if (k === 0) off[int(r, 2)] = stValue(r, info.data_offsets[int(r, 2)]);
        else if (k === 1) off.reverse();
        else if (k === 2) off.push(r() < 0.5 ? 0 : info.data_offsets[1]);
        else off.pop();
        set(new Raw(`{"dtype":${JSON.stringify(info.dtype)},"shape":${JSON.stringify(info.shape)},"data_offsets":[${off.map((d) => (d instanceof Raw ? d.text : JSON.stringify(d))).join(',')}]}`));
        break;
      }
      case 3: entries.splice(int(r, entries.length + 1), 0, [t.k, t.v]); break; // a key twice
      case 4: entries[t.i] = [pick(r, ['__metadata__', '__proto__', '', 'constructor', 'a/b', 'x'.repeat(1000), '0', 'conv.weight', 'h.weight']), t.v]; break;
      case 5: { // __metadata__ replaced or removed
        const m = entries.findIndex(([k]) => k === '__metadata__');
        const v = pick(r, [null, 5, [], { format: 'pt', n: 1 }, { x: { y: 'z' } }, 'pt', new Raw('{"format":"pt","format":"np"}')]);
        if (m >= 0 && r() < 0.3) entries.splice(m, 1); else if (m >= 0) entries[m] = ['__metadata__', v]; else entries.unshift(['__metadata__', v]);
        break;
      }
      case 6: { // a tensor dropped (a gap), or one added over another's bytes (an overlap)
        if (r() < 0.5) entries.splice(t.i, 1); else entries.push(['extra.weight', { ...info }]);
        break;
      }
      case 7: { // the entry's fields replaced by other types, or missing
        const k = pick(r, ['dtype', 'shape', 'data_offsets']);
        const v: Record<string, unknown> = { ...info };
        if (r() < 0.4) delete v[k]; else v[k] = pick(r, [null, 'x', 5, {}, [], true]);
        set(r() < 0.1 ? pick(r, [null, 5, 'x', []]) : v);
        break;
      }
      default: // the whole header of another type
        return withMain(b, concat(lenPrefix(text(pick(r, ['[]', 'null', '5', '"x"', '{}', '{"a":', '{"__metadata__":{}}', '[{"dtype":"F32"}]']))), data));
    }
    return withMain(b, safetensorsFrom(entries, data, r() < 0.8));
  },
  /** the u64 header length set to an edge value (off by a little, 0, past the end, beyond 2^53) */
  'st-length': (b, r) => {
    const o = b.files.get(b.main)!.slice();
    const dv = new DataView(o.buffer);
    const len = Number(dv.getBigUint64(0, true));
    const k = int(r, 3);
    if (k === 0) dv.setBigUint64(0, BigInt(Math.max(0, len + int(r, 17) - 8)), true);
    else if (k === 1) dv.setBigUint64(0, BigInt(pick(r, [0, 1, 2, o.length - 8, o.length - 7, o.length, 2 ** 32, 2 ** 53 - 1])), true);
    else dv.setUint32(4, pick(r, [1, 0x7fffffff, 0xffffffff, 0x200000]), true); // the high word: beyond 2^32, beyond 2^53
    return withMain(b, o);
  },
  /** benign: whitespace in the JSON, __metadata__ last or with more fields, the data laid out in another tensor order */
  benign: (b, r) => {
    const { entries, data } = safetensorsParts(b.files.get(b.main)!);
    const k = int(r, 3);
    if (k === 0) {
      const json = text(`{\n  ${entries.map(([key, v]) => `${JSON.stringify(key)} : ${JSON.stringify(v, null, 1)}`).join(' ,\n  ')}\n}` + ' '.repeat(int(r, 16)));
      return withMain(b, concat(lenPrefix(json), data));
    }
    if (k === 1) {
      const meta = entries.filter(([key]) => key === '__metadata__').map(([key, v]) => [key, { ...(v as object), note: 'fuzz', version: '1' }] as [string, unknown]);
      return withMain(b, safetensorsFrom([...entries.filter(([key]) => key !== '__metadata__'), ...meta], data));
    }
    // the data section in reverse tensor order, offsets rewritten; the header order (= layer order) kept
    const tensors = entries.filter(([key]) => key !== '__metadata__') as [string, { data_offsets: [number, number] }][];
    const parts = new Map<string, [number, number]>();
    let at = 0;
    const chunks: Uint8Array[] = [];
    for (const [key, v] of tensors.slice().reverse()) {
      const [s, e] = v.data_offsets;
      parts.set(key, [at, at + e - s]);
      chunks.push(data.subarray(s, e));
      at += e - s;
    }
    return withMain(b, safetensorsFrom(entries.map(([key, v]) => (key === '__metadata__' ? [key, v] : [key, { ...(v as object), data_offsets: parts.get(key) }])), concat(...chunks)));
  },
};

function lenPrefix(json: Uint8Array): Uint8Array {
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(json.length), true);
  return concat(len, json);
}

// ---- TensorFlow.js

/** What a manifest path may name: traps outside the folder, devices, missing files, inside tricks. */
export const TFJS_PATHS = [
  '../outside.bin', '../../outside.bin', 'link.bin', 'zero.bin', 'fifo.bin', 'sub', 'sub/', '.', '', '/dev/zero', '../../../../../../../../dev/zero',
  'missing.bin', 'sub/../../outside.bin', 'sub/inner.bin', 'link-in.bin', './link-in.bin', 'a\u0000b', '%2e%2e/outside.bin', '..\\outside.bin', '~/outside.bin',
];
const TFJS_DTYPES = ['float32', 'int32', 'bool', 'float16', 'uint8', 'string', 'complex64', 'float64', '', 'FLOAT32'];

interface Doc { weightsManifest: { paths: unknown[]; weights: Record<string, unknown>[] }[]; modelTopology?: unknown; [k: string]: unknown }

/** Serialises `doc`, then swaps in raw JSON text where `raw` says (1e999, NaN ...). */
function json(doc: unknown, raw: Map<string, string> = new Map()): Uint8Array {
  let s = JSON.stringify(doc);
  for (const [marker, t] of raw) s = s.replace(JSON.stringify(marker), t);
  return text(s);
}

const TFJS: Record<string, Mutation> = {
  /** a group's paths (traps, missing, repeated, swapped, other types) */
  'tfjs-paths': (b, r) => {
    const doc = JSON.parse(dec.decode(b.files.get('model.json')!)) as Doc;
    const g = pick(r, doc.weightsManifest);
    const k = int(r, 6);
    if (k <= 1) g.paths[int(r, g.paths.length)] = pick(r, TFJS_PATHS);
    else if (k === 2) g.paths.push(r() < 0.5 ? g.paths[0] : pick(r, TFJS_PATHS));
    else if (k === 3) g.paths.splice(int(r, g.paths.length), 1);
    else if (k === 4) g.paths.reverse();
    else (g as Record<string, unknown>).paths = pick(r, [null, 'x.bin', [], [5], [null], {}, [['group1-shard1of2.bin']]]);
    return new Map(b.files).set('model.json', json(doc));
  },
  /** a weight's shape, dtype, name or quantization edited; weights dropped, repeated, reordered */
  'tfjs-weights': (b, r) => {
    const doc = JSON.parse(dec.decode(b.files.get('model.json')!)) as Doc;
    const g = pick(r, doc.weightsManifest);
    const w = pick(r, g.weights);
    const raw = new Map<string, string>();
    const edge = () => { const s = edgeNumber(r, 3); const m = `@raw${raw.size}@`; raw.set(m, s === '' ? '' : s); return m; };
    switch (int(r, 8)) {
      case 0: { const shape = (w.shape as unknown[]).slice(); if (shape.length && r() < 0.7) shape[int(r, shape.length)] = edge(); else if (r() < 0.5) shape.pop(); else shape.push(pick(r, [1, 2, 0])); w.shape = shape; break; }
      case 1: w.dtype = r() < 0.8 ? pick(r, TFJS_DTYPES) : pick(r, [null, 5, {}]); break;
      case 2: w.name = pick(r, [null, 5, '', '__proto__', 'conv1/kernel', 'fc/kernel', 'a/b/c/depthwise_kernel', 'x'.repeat(500), 'dense/kernel']); break;
      case 3: { // quantization: added, removed, its fields edited
        const q = (w.quantization ??= { dtype: 'uint8', min: -1, scale: 0.01 }) as Record<string, unknown>;
        const f = pick(r, ['dtype', 'min', 'scale', 'remove', 'whole']);
        if (f === 'remove') delete w.quantization;
        else if (f === 'whole') w.quantization = pick(r, [null, 5, 'uint8', [], {}]);
        else if (f === 'dtype') q.dtype = pick(r, ['uint8', 'uint16', 'float16', 'int8', 'float32', null, 5]);
        else if (r() < 0.3) delete q[f]; else q[f] = edge();
        break;
      }
      case 4: g.weights.splice(int(r, g.weights.length), 1); break;
      case 5: g.weights.splice(int(r, g.weights.length + 1), 0, { ...pick(r, g.weights) }); break;
      case 6: g.weights.reverse(); break;
      default: (g as Record<string, unknown>).weights = pick(r, [null, {}, [null], [5], 'x']);
    }
    return new Map(b.files).set('model.json', json(doc, raw));
  },
  /** the topology: strides edited, names changed, nested deep, replaced by other types */
  'tfjs-topology': (b, r) => {
    const doc = JSON.parse(dec.decode(b.files.get('model.json')!)) as Doc;
    const topo = doc.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown>; name?: string }[] } };
    const layers = topo.config.layers;
    const l = pick(r, layers);
    const raw = new Map<string, string>();
    switch (int(r, 5)) {
      case 0: {
        const s = edgeNumber(r, 2);
        raw.set('@s@', s === '' ? '' : s);
        l.config.strides = r() < 0.7 ? ['@s@', '@s@'] : '@s@';
        break;
      }
      case 1: l.config.name = pick(r, ['conv1', 'fc', 'dw', 'dense', 'emb', 'conv', '', null, 5, '__proto__']); break;
      case 2: layers.reverse(); break;
      case 3: { // nested: below and beyond MAX_TOPOLOGY_DEPTH (1000)
        const depth = pick(r, [10, 500, 998, 1001, 1500, 20000]);
        const s = JSON.stringify(doc.modelTopology);
        const nested = '['.repeat(depth) + s + ']'.repeat(depth);
        const out = JSON.stringify({ ...doc, modelTopology: '@nested@' }).replace('"@nested@"', nested);
        return new Map(b.files).set('model.json', text(out));
      }
      default: doc.modelTopology = pick(r, [null, 5, 'x', [], {}, { class_name: 'Sequential' }, { config: null }]);
    }
    return new Map(b.files).set('model.json', json(doc, raw));
  },
  /** a shard removed, cut or grown (the manifest unchanged) */
  'tfjs-shards': (b, r) => {
    const shards = [...b.files.keys()].filter((n) => n !== 'model.json');
    const s = pick(r, shards);
    const out = new Map(b.files);
    const bytes = b.files.get(s)!;
    const k = int(r, 3);
    if (k === 0) out.set(s, null);
    else if (k === 1) out.set(s, bytes.slice(0, Math.max(0, bytes.length - 1 - int(r, 8))));
    else out.set(s, concat(bytes, new Uint8Array(1 + int(r, 8))));
    return out;
  },
  /** benign: whitespace and key order in model.json, './' paths, a group's bytes cut into shards at other places */
  benign: (b, r) => {
    const doc = JSON.parse(dec.decode(b.files.get('model.json')!)) as Doc;
    const k = int(r, 3);
    if (k === 0) {
      const { weightsManifest, ...rest } = doc;
      return new Map(b.files).set('model.json', text(JSON.stringify({ weightsManifest, ...rest, extra: { note: 'fuzz' } }, null, 1 + int(r, 4))));
    }
    if (k === 1) {
      for (const g of doc.weightsManifest) g.paths = g.paths.map((p) => (r() < 0.5 ? `./${String(p)}` : `sub/../${String(p)}`));
      return new Map(b.files).set('model.json', json(doc));
    }
    // re-shard one group: the same bytes in 1..4 shards cut at random places
    const gi = int(r, doc.weightsManifest.length);
    const g = doc.weightsManifest[gi];
    const out = new Map(b.files);
    const all = concat(...g.paths.map((p) => b.files.get(String(p))!));
    for (const p of g.paths) out.set(String(p), null);
    const n = 1 + int(r, 4);
    const cuts = [0, ...Array.from({ length: n - 1 }, () => int(r, all.length + 1)).sort((x, y) => x - y), all.length];
    g.paths = Array.from({ length: n }, (_, s) => `regroup${gi}-${s}.bin`);
    g.paths.forEach((p, s) => out.set(String(p), all.slice(cuts[s], cuts[s + 1])));
    return out.set('model.json', json(doc));
  },
};

// ---- SCALE-Sim CSV

const CSV_VALUES = ['0', '-1', '1.5', '1e3', '', 'abc', '999999999999', '9007199254740993', '00003', ' 7 ', '0x10', 'Infinity', 'NaN', '3 4', '\uff11', '+3', '1_000', '2', '65536', '3\t'];

function csvLines(b: Base): string[] { return dec.decode(b.files.get(b.main)!).split('\n'); }
const csvFiles = (b: Base, lines: string[]) => withMain(b, text(lines.join('\n')));

const CSV: Record<string, Mutation> = {
  /** one field of a layer row: numbers edge values, the name empty or depthwise or with a comma */
  'csv-field': (b, r) => {
    const lines = csvLines(b);
    const i = 1 + int(r, lines.filter((l) => l.trim()).length - 1);
    const cells = lines[i].split(',');
    const c = int(r, cells.length - 1);
    cells[c] = c === 0 ? pick(r, ['', 'DP', 'x_DP', 'a"b', 'conv1', '\u00e9', ' ']) : pick(r, CSV_VALUES);
    lines[i] = cells.join(',');
    return csvFiles(b, lines);
  },
  /** rows: header dropped or made a layer, a row repeated, dropped, columns added or removed, strides unequal, many rows */
  'csv-row': (b, r) => {
    const lines = csvLines(b);
    const rows = lines.filter((l, i) => i > 0 && l.trim());
    switch (int(r, 8)) {
      case 0: lines.shift(); break; // no header row: the first layer must not be lost silently
      case 1: lines[0] = rows[0]; break;
      case 2: lines.splice(1 + int(r, rows.length), 0, pick(r, rows)); break;
      case 3: lines.splice(1 + int(r, rows.length), 1); break;
      case 4: { const i = 1 + int(r, rows.length); lines[i] = lines[i].replace(/,\s*$/, '') + pick(r, [', 1,', ', 3,', ', 1, 1,', ',,', ', x,']); break; }
      case 5: { const i = 1 + int(r, rows.length); lines[i] = lines[i].split(',').slice(0, 1 + int(r, 8)).join(','); break; }
      case 6: return csvFiles(b, [lines[0], ...Array.from({ length: pick(r, [999, 1000, 1001, 3000]) }, (_, k) => `l${k}, 4, 4, 1, 1, 1, 1, 1,`)]);
      default: return withMain(b, text(pick(r, ['', '\n', lines[0], '\ufeff' + lines.join('\n'), lines.join('\r'), ','.repeat(20)])));
    }
    return csvFiles(b, lines);
  },
  /** benign: CRLF line ends, blank lines, spaces around fields, no trailing commas */
  benign: (b, r) => {
    const lines = csvLines(b);
    const k = int(r, 4);
    if (k === 0) return withMain(b, text(lines.join('\r\n')));
    if (k === 1) return csvFiles(b, lines.flatMap((l, i) => (i > 0 && r() < 0.5 ? ['', '   ', l] : [l])));
    if (k === 2) return csvFiles(b, lines.map((l, i) => (i === 0 ? l : l.split(',').map((c) => `  ${c.trim()} `).join(','))));
    return csvFiles(b, lines.map((l, i) => (i === 0 ? l : l.replace(/,\s*$/, ''))));
  },
};

/** Mutations per input kind: the generic byte edits and the ones that know the format. */
export const MUTATIONS: Record<InputKind, Record<string, Mutation>> = {
  npy: { ...GENERIC, ...NPY },
  npz: { ...GENERIC, ...NPZ },
  safetensors: { ...GENERIC, ...ST },
  tfjs: { ...GENERIC, ...TFJS },
  csv: { ...GENERIC, ...CSV },
  onnx: { ...GENERIC, ...ONNX_MUT },
};

/** byte-level edits that keep CRC-32s as they are: an .npz must not accept other tensor data from them */
const UNFORGED = new Set(['byte-flip', 'bit-flip', 'truncate', 'insert', 'zip-field', 'zip-method']);

// ---------------------------------------------------------------- the property

export type Outcome = 'error' | 'identical' | 'changed' | 'crash' | 'invalid' | 'different' | 'lost' | 'benign';
export const OUTCOMES: readonly Outcome[] = ['error', 'identical', 'changed', 'crash', 'invalid', 'different', 'lost', 'benign'];
/** outcomes that break the property */
export const FAILURES: ReadonlySet<Outcome> = new Set(['crash', 'invalid', 'different', 'lost', 'benign']);

export interface Failure { input: InputKind; mutation: string; base: string; seed: number; outcome: Outcome; detail: string; mainHex: string }

export interface Tally { cases: number; outcomes: Record<Outcome, number>; slowestMs: number; slowest: string }

export interface FuzzResult {
  cases: number;
  /** per input kind, then per mutation */
  byInput: Record<string, Record<string, Tally>>;
  failures: Failure[];
  /** distinct error messages' leading words (numbers and paths folded), with how often they came */
  messages: Map<string, number>;
  slowest: { ms: number; input: string; mutation: string; base: string; seed: number };
}

/** A model as text that changes when any layer's spec or weights do (sha1 of the weights). */
export function fingerprint(m: Model): string {
  return m.layers.map((l) => `${JSON.stringify(l.spec)}#${createHash('sha1').update(bytesOf(l.weights)).digest('hex')}`).join('\n');
}

const layerPrints = (m: Model) => m.layers.map((l) => `${l.weights.length}#${createHash('sha1').update(bytesOf(l.weights)).digest('hex')}`);

/** What is wrong with an accepted model (empty: nothing). */
export function checkModel(m: Model, kind: InputKind): string {
  if (!Array.isArray(m.layers) || m.layers.length === 0) return 'accepted with no layers';
  if (m.synthetic !== (kind === 'csv')) return `synthetic = ${m.synthetic}`;
  let total = 0;
  for (const l of m.layers) {
    const s = l.spec;
    const shape = s.weightShape;
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 1)) return `layer '${s.name}': weight shape [${shape.join(', ')}]`;
    if (prod(shape) !== l.weights.length) return `layer '${s.name}': ${l.weights.length} weights, its shape [${shape.join(', ')}] says ${prod(shape)}`;
    for (const k of ['ifmapH', 'ifmapW', 'filterH', 'filterW', 'channels', 'filters', 'stride'] as const) {
      if (!Number.isSafeInteger(s[k]) || s[k] < 1) return `layer '${s.name}': ${k} = ${s[k]}`;
    }
    for (let i = 0; i < l.weights.length; i++) if (!Number.isFinite(l.weights[i])) return `layer '${s.name}': weight ${i} is ${l.weights[i]}`;
    total += l.weights.length;
  }
  if (total > limits().maxWeights) return `${total} weights, beyond maxWeights ${limits().maxWeights}`;
  return '';
}

/** The manifest paths of an accepted model.json that resolve outside its folder (after symlinks). */
function escapes(modelJson: string, doc: Uint8Array): string[] {
  const folder = realpathSync(dirname(modelJson));
  const out: string[] = [];
  let parsed: Doc;
  try { parsed = JSON.parse(dec.decode(doc)) as Doc; } catch { return ['(model.json accepted but not JSON)']; }
  for (const g of parsed.weightsManifest ?? []) {
    for (const p of g.paths ?? []) {
      if (typeof p !== 'string') { out.push(String(p)); continue; }
      let real: string;
      try { real = realpathSync(resolve(folder, p)); } catch { real = resolve(folder, p); }
      const rel = relative(folder, real);
      if (isAbsolute(p) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) out.push(p);
    }
  }
  return out;
}

/** The external data locations of an accepted .onnx that resolve outside its folder (after symlinks). */
function onnxEscapes(modelPath: string, bytes: Uint8Array): string[] {
  const folder = realpathSync(dirname(modelPath));
  const out: string[] = [];
  let m: Obj;
  try { m = onnxObject(bytes); } catch { return ['(accepted but not a protobuf)']; }
  for (const t of (m.graph?.initializer ?? []) as Obj[]) {
    if (t.data_location !== 1) continue;
    const loc = (t.external_data as Obj[] | undefined)?.find((e) => e.key === 'location')?.value as string | undefined;
    if (loc === undefined) continue;
    let real: string;
    try { real = realpathSync(resolve(folder, loc)); } catch { real = resolve(folder, loc); }
    const rel = relative(folder, real);
    if (isAbsolute(loc) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) out.push(loc);
  }
  return out;
}

/** The folder of one base: files written per case, traps around tfjs models. */
interface Workspace { base: Base; dir: string; mainPath: string; model: Model; print: string; prints: Set<string> }

function prepare(root: string, base: Base, index: number): Omit<Workspace, 'model' | 'print' | 'prints'> {
  const top = join(root, `${base.kind}-${index}-${base.name}`);
  const traps = base.kind === 'tfjs' || base.kind === 'onnx';
  const dir = traps ? join(top, 'model') : top;
  mkdirSync(join(dir, 'sub'), { recursive: true });
  if (traps) {
    // the traps a manifest or external data may name: a real shard outside, links out and to a device, a FIFO, a directory
    const shard = [...base.files].find(([n]) => n !== base.main)?.[1] ?? base.files.get(base.main)!;
    writeFileSync(join(top, 'outside.bin'), shard);
    writeFileSync(join(dir, 'sub/inner.bin'), shard);
    symlinkSync('../outside.bin', join(dir, 'link.bin'));
    symlinkSync('/dev/zero', join(dir, 'zero.bin'));
    symlinkSync([...base.files.keys()].find((n) => n !== base.main) ?? base.main, join(dir, 'link-in.bin'));
    try { execFileSync('mkfifo', [join(dir, 'fifo.bin')]); } catch { /* no mkfifo: the name is then missing */ }
  }
  return { base, dir, mainPath: join(dir, base.main) };
}

function writeFiles(ws: { dir: string; base: Base }, files: Files): void {
  for (const name of new Set([...ws.base.files.keys(), ...files.keys()])) {
    const p = join(ws.dir, name);
    const bytes = files.get(name);
    if (bytes) writeFileSync(p, bytes);
    else { try { unlinkSync(p); } catch { /* absent already */ } }
  }
}

/** the previous case's extra files (re-sharded tfjs) are removed before the next case */
function cleanExtras(ws: { dir: string; base: Base }, files: Files): void {
  for (const name of files.keys()) if (!ws.base.files.has(name)) { try { unlinkSync(join(ws.dir, name)); } catch { /* gone */ } }
}

const load = (ws: { mainPath: string; base: Base }) => loadModel(ws.mainPath, { topology: true });

/** One case: mutate, write, load (twice when accepted), classify. */
export function fuzzCase(ws: Workspace, mutation: string, r: () => number): { outcome: Outcome; detail: string; files: Files } {
  const kind = ws.base.kind;
  let files: Files;
  try {
    files = MUTATIONS[kind][mutation](ws.base, r);
  } catch (err) {
    return { outcome: 'crash', detail: `the mutation itself failed: ${(err as Error).stack}`, files: ws.base.files };
  }
  writeFiles(ws, files);
  try {
    let m: Model;
    try {
      m = load(ws);
    } catch (err) {
      if (err instanceof HwsimError) {
        const name = kind === 'csv' ? basename(ws.mainPath) : ws.mainPath;
        if (err.message.trim() !== '' && err.message.includes(name)) return { outcome: 'error', detail: err.message, files };
        return { outcome: 'crash', detail: `HwsimError not naming ${name}: ${err.message}\n${err.stack}`, files };
      }
      return { outcome: 'crash', detail: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack}` : String(err), files };
    }
    const bad = checkModel(m, kind);
    if (bad) return { outcome: 'invalid', detail: bad, files };
    let again: Model;
    try { again = load(ws); } catch (err) { return { outcome: 'invalid', detail: `accepted once, then: ${(err as Error).message}`, files }; }
    const print = fingerprint(m);
    if (fingerprint(again) !== print || again.name !== m.name || again.description !== m.description) {
      return { outcome: 'invalid', detail: 'loading the same files twice gave different models', files };
    }
    if (kind === 'tfjs' || kind === 'onnx') {
      const out = kind === 'tfjs' ? escapes(ws.mainPath, files.get('model.json') ?? new Uint8Array()) : onnxEscapes(ws.mainPath, files.get(ws.base.main) ?? new Uint8Array());
      if (out.length) return { outcome: 'invalid', detail: `accepted a manifest naming ${out.join(', ')} (outside the model's folder)`, files };
    }
    const identical = print === ws.print;
    if (mutation === 'benign' && !identical) return { outcome: 'benign', detail: `a benign edit changed the model:\n${print}\n--- base ---\n${ws.print}`, files };
    if (kind === 'npz' && UNFORGED.has(mutation)) {
      const foreign = layerPrints(m).filter((p) => !ws.prints.has(p));
      if (foreign.length) return { outcome: 'different', detail: `an unforged edit of the archive was accepted with ${foreign.length} tensors the base does not hold`, files };
      const missing = [...ws.prints].filter((p) => !layerPrints(m).includes(p));
      if (missing.length) {
        return { outcome: 'lost', detail: `an unforged edit of the archive was accepted without ${missing.length} of the base's tensors (layers ${m.layers.map((l) => l.spec.name).join(', ')}; base ${ws.model.layers.map((l) => l.spec.name).join(', ')})`, files };
      }
    }
    return { outcome: identical ? 'identical' : 'changed', detail: '', files };
  } catch (err) {
    return { outcome: 'crash', detail: `the check itself failed: ${(err as Error).stack}`, files };
  } finally {
    cleanExtras(ws, files);
  }
}

/** An error message folded to its kind: the file's path, quoted names and text, bracketed details and numbers left out. */
export function errorKind(input: string, message: string, mainPath: string): string {
  const m = message.split(mainPath).join('<file>').split(basename(mainPath)).join('<file>').replace(/^<file>: /, '').replace(/: ".*$/, '').replace(/\((?!limit )[^()]*\)?/g, '(…)')
    .replace(/'[^']*'/g, "'…'").replace(/"[^"]*"/g, '"…"').replace(/\d[\d,.]*/g, 'N');
  return `${input}: ${m.slice(0, 80)}`;
}

/** The cases of a run: case c goes to input kind c mod 6, then cycles through that kind's mutations and bases. */
export function plan(c: number, bases: readonly Base[]): { input: InputKind; mutation: string; base: number } {
  const input = INPUT_KINDS[c % INPUT_KINDS.length];
  const k = Math.floor(c / INPUT_KINDS.length);
  const muts = Object.keys(MUTATIONS[input]);
  const mine = bases.map((b, i) => ({ b, i })).filter((x) => x.b.kind === input);
  return { input, mutation: muts[k % muts.length], base: mine[Math.floor(k / muts.length) % mine.length].i };
}

export interface FuzzOptions {
  cases: number;
  seed: number;
  /** cases slower than this are listed as failures (outcome 'crash', "slow") — for the bench, not for tests */
  slowMs?: number;
  maxFailures?: number;
  /** run only the cases whose input kind / mutation is listed */
  only?: { input?: InputKind; mutation?: string; base?: string; caseSeed?: number };
  /** called after each case, while its files are still in place (exploration, debugging) */
  onCase?: (c: { input: InputKind; mutation: string; base: string; seed: number; outcome: Outcome; detail: string; mainPath: string; baseModel: Model }) => void;
  /** keep the folder (for --replay) */
  keep?: (root: string) => void;
}

/** Runs `cases` cases from `seed` under FUZZ_LIMITS (the previous limits are restored afterwards). */
export function runFuzz(opts: FuzzOptions): FuzzResult {
  const saved = { ...limits() };
  const root = mkdtempSync(join(tmpdir(), 'hwsim-fuzz-loaders-'));
  const result: FuzzResult = { cases: 0, byInput: {}, failures: [], messages: new Map(), slowest: { ms: 0, input: '', mutation: '', base: '', seed: 0 } };
  try {
    setLimits(FUZZ_LIMITS);
    const bases = baseInputs();
    const spaces: Workspace[] = bases.map((b, i) => {
      const ws = prepare(root, b, i);
      writeFiles(ws, b.files);
      let model: Model;
      try { model = load(ws); } catch (err) { throw new Error(`internal: the base ${b.kind}/${b.name} does not load: ${(err as Error).message}`); }
      const bad = checkModel(model, b.kind);
      if (bad) throw new Error(`internal: the base ${b.kind}/${b.name}: ${bad}`);
      return { ...ws, model, print: fingerprint(model), prints: new Set(layerPrints(model)) };
    });
    for (const kind of INPUT_KINDS) {
      result.byInput[kind] = {};
      for (const m of Object.keys(MUTATIONS[kind])) result.byInput[kind][m] = { cases: 0, outcomes: Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Record<Outcome, number>, slowestMs: 0, slowest: '' };
    }
    const only = opts.only;
    for (let c = 0; c < opts.cases; c++) {
      const p = plan(c, bases);
      const caseSeed = only?.caseSeed ?? (opts.seed * 1_000_003 + c) >>> 0;
      const ws = spaces[p.base];
      if (only && ((only.input && only.input !== p.input) || (only.mutation && only.mutation !== p.mutation) || (only.base && only.base !== ws.base.name))) continue;
      const t0 = performance.now();
      const res = fuzzCase(ws, p.mutation, rng(caseSeed));
      const ms = performance.now() - t0;
      let outcome = res.outcome;
      let detail = res.detail;
      if (opts.slowMs !== undefined && ms > opts.slowMs && !FAILURES.has(outcome)) {
        outcome = 'crash';
        detail = `slow: ${ms.toFixed(0)} ms (limit ${opts.slowMs} ms), ${res.outcome}: ${detail}`;
      }
      opts.onCase?.({ input: p.input, mutation: p.mutation, base: ws.base.name, seed: caseSeed, outcome, detail, mainPath: ws.mainPath, baseModel: ws.model });
      result.cases++;
      const t = result.byInput[p.input][p.mutation];
      t.cases++;
      t.outcomes[outcome]++;
      if (ms > t.slowestMs) { t.slowestMs = ms; t.slowest = `${ws.base.name} seed ${caseSeed}`; }
      if (ms > result.slowest.ms) result.slowest = { ms, input: p.input, mutation: p.mutation, base: ws.base.name, seed: caseSeed };
      if (outcome === 'error') {
        result.messages.set(errorKind(p.input, detail, ws.mainPath), (result.messages.get(errorKind(p.input, detail, ws.mainPath)) ?? 0) + 1);
      }
      if (FAILURES.has(outcome) && result.failures.length < (opts.maxFailures ?? 20)) {
        const main = res.files.get(ws.base.main);
        result.failures.push({
          input: p.input, mutation: p.mutation, base: ws.base.name, seed: caseSeed, outcome, detail,
          mainHex: main ? (main.length <= 512 ? Buffer.from(main).toString('hex') : `${main.length} bytes, first 256: ${Buffer.from(main.subarray(0, 256)).toString('hex')}`) : '(absent)',
        });
      }
      if (only?.caseSeed !== undefined) break;
    }
  } finally {
    setLimits(saved);
    if (opts.keep) opts.keep(root); else rmSync(root, { recursive: true, force: true });
  }
  return result;
}

// ---------------------------------------------------------------- command line

function main(argv: string[]): number {
  const arg = (name: string, dflt: number) => intFlag(argv, name, dflt);
  const r = argv.indexOf('--replay');
  if (r >= 0) {
    // <input>:<mutation>:<base>:<case seed>: that one case, its files kept and the outcome printed
    const [input, mutation, base, seed] = String(argv[r + 1]).split(':');
    const bases = baseInputs();
    const nth = (() => { for (let c = 0; c < 100_000; c++) { const p = plan(c, bases); if (p.input === input && p.mutation === mutation && bases[p.base].name === base) return c; } return -1; })();
    if (nth < 0) throw new Error(`no case ${argv[r + 1]}: give <input>:<mutation>:<base>:<case seed> as the table's failures print them`);
    let kept = '';
    const res = runFuzz({ cases: nth + 1, seed: 0, only: { input: input as InputKind, mutation, base, caseSeed: Number(seed) }, maxFailures: 1, keep: (d) => { kept = d; } });
    const t = res.byInput[input][mutation];
    const outcome = OUTCOMES.find((o) => t.outcomes[o] > 0);
    process.stdout.write(`${argv[r + 1]}: ${outcome}; files in ${kept}\n${res.failures.map((f) => `${f.detail}\nmain file (hex): ${f.mainHex}`).join('\n')}\n`);
    return res.failures.length ? 1 : 0;
  }
  const cases = arg('cases', 20000);
  const seed = arg('seed', 1);
  const slowMs = arg('slow-ms', 2000);
  const t0 = performance.now();
  const res = runFuzz({ cases, seed, slowMs });
  const secs = (performance.now() - t0) / 1000;
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify({ cases: res.cases, seed, seconds: secs, byInput: res.byInput, slowest: res.slowest, failures: res.failures }, null, 2) + '\n');
    return res.failures.length ? 1 : 0;
  }
  const shown: Outcome[] = ['error', 'identical', 'changed', 'crash', 'invalid', 'different', 'lost', 'benign'];
  const rows: string[][] = [];
  const sum = (ts: Tally[], o: Outcome) => ts.reduce((a, t) => a + t.outcomes[o], 0);
  const failed = (ts: Tally[]) => String([...FAILURES].reduce((a, o) => a + sum(ts, o), 0));
  for (const [input, muts] of Object.entries(res.byInput)) {
    for (const [m, t] of Object.entries(muts)) {
      rows.push([input, m, String(t.cases), ...shown.map((o) => String(t.outcomes[o])), failed([t]), t.slowestMs.toFixed(1)]);
    }
    const ts = Object.values(muts);
    rows.push([input, '(all)', String(ts.reduce((a, t) => a + t.cases, 0)), ...shown.map((o) => String(sum(ts, o))), failed(ts), Math.max(...ts.map((t) => t.slowestMs)).toFixed(1)]);
  }
  const all = Object.values(res.byInput).flatMap((m) => Object.values(m));
  rows.push(['TOTAL', '', String(res.cases), ...shown.map((o) => String(sum(all, o))), failed(all), res.slowest.ms.toFixed(1)]);
  const head = ['input', 'mutation', 'cases', ...shown, 'FAILED', 'slowest ms'];
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (x: string[]) => x.map((c, i) => (i < 2 ? c.padEnd(width[i]) : c.padStart(width[i]))).join('  ');
  const s = res.slowest;
  process.stdout.write(`weight-loader fuzz: ${res.cases} cases, seed ${seed}, ${secs.toFixed(1)} s (${Math.round(res.cases / secs)} cases/s), ` +
    `limits maxWeights ${FUZZ_LIMITS.maxWeights}, maxInflateBytes ${FUZZ_LIMITS.maxInflateBytes}\n` +
    'crash: not a HwsimError, or one not naming the file, or slower than --slow-ms; invalid: an accepted model with bad weights or shapes, ' +
    'nondeterministic, or read outside its folder; different: npz data past the CRCs; lost: an npz member dropped silently; ' +
    'benign: a benign edit changed the model. FAILED = their sum.\n\n' +
    [line(head), ...rows.map(line)].join('\n') + '\n\n' +
    `slowest case: ${s.ms.toFixed(1)} ms, ${s.input}:${s.mutation}:${s.base}:${s.seed}\n` +
    `distinct error kinds: ${res.messages.size}; most frequent:\n` +
    [...res.messages].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([m, n]) => `  ${String(n).padStart(7)}  ${m}`).join('\n') + '\n');
  for (const f of res.failures) {
    process.stdout.write(`\nFAIL ${f.input}:${f.mutation}:${f.base}:${f.seed} → ${f.outcome}\n${f.detail}\nmain file (hex): ${f.mainHex}\n`);
  }
  return res.failures.length ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv.slice(2));
