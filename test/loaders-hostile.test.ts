// Hostile model inputs: files stay inside the model's folder, only regular files are
// read, declared sizes are checked against the limits before anything is allocated, and the
// formats are strict. Every crafted file must end in a HwsimError naming the problem: never a
// RangeError, a stack overflow, a hang or gigabytes allocated (sizes are declared, not written).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { crc32 } from '../src/codecs/crc32.js';
import { HwsimError } from '../src/errors.js';
import { checkLimit, DEFAULT_LIMITS, limits, setLimits } from '../src/limits.js';
import { applyLimitFlags } from '../src/cli/limit-flags.js';
import { loadModel } from '../src/models/load.js';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { duplicateJsonKey } from '../src/models/loaders/safetensors.js';
import { loadScaleSimTopology, parseScaleSimTopology } from '../src/models/scalesim.js';
import { PARAMS } from '../src/params/declaration.js';
import { isAllowed } from '../src/params/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'hwsim-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => setLimits({ ...DEFAULT_LIMITS }));

// ---------------------------------------------------------------- tiny writers

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const text = (s: string) => new TextEncoder().encode(s);

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** .npy 1.0 from a header dict text. */
function npyRaw(dict: string, data: Uint8Array): Uint8Array {
  const len = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const header = dict.padEnd(len - 1, ' ') + '\n';
  const pre = new Uint8Array(10);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(pre.buffer).setUint16(8, header.length, true);
  return cat(pre, text(header), data);
}
const npy = (shape: number[], data: Uint8Array) => npyRaw(`{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}), }`, data);

interface ZipIn { name: string; data?: Uint8Array; deflate?: boolean; body?: Uint8Array; size?: number; crc?: number; at?: number }

/**
 * A zip archive. Each entry's local header + body is written unless `at` points the central
 * directory at an earlier entry's local header (overlapping entries); `body`/`size` forge the
 * compressed bytes and the declared size.
 */
function zip(entries: ZipIn[]): Uint8Array {
  const locals: Uint8Array[] = [], centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = text(e.name);
    const data = e.data ?? new Uint8Array(0);
    const body = e.body ?? (e.deflate ? new Uint8Array(deflateRawSync(data)) : data);
    const size = e.size ?? data.length;
    const crc = e.crc ?? crc32(data);
    const method = e.deflate ? 8 : 0;
    let local = offset;
    if (e.at === undefined) {
      const h = new DataView(new ArrayBuffer(30));
      h.setUint32(0, 0x04034b50, true); h.setUint16(4, 20, true); h.setUint16(8, method, true);
      h.setUint32(14, crc, true); h.setUint32(18, body.length, true); h.setUint32(22, size, true);
      h.setUint16(26, name.length, true);
      locals.push(new Uint8Array(h.buffer), name, body);
      offset += 30 + name.length + body.length;
    } else local = e.at;
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true); c.setUint16(4, 20, true); c.setUint16(6, 20, true); c.setUint16(10, method, true);
    c.setUint32(16, crc, true); c.setUint32(20, body.length, true); c.setUint32(24, size, true);
    c.setUint16(28, name.length, true); c.setUint32(42, local, true);
    centrals.push(new Uint8Array(c.buffer), name);
  }
  const cd = cat(...centrals);
  const n = entries.length;
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true); end.setUint16(8, n, true); end.setUint16(10, n, true);
  end.setUint32(12, cd.length, true); end.setUint32(16, offset, true);
  return cat(...locals, cd, new Uint8Array(end.buffer));
}

/** safetensors from a header object (or raw JSON text) and a data section. */
function safetensors(header: Record<string, unknown> | string, data: Uint8Array): Uint8Array {
  const json = text(typeof header === 'string' ? header : JSON.stringify(header));
  const len = new DataView(new ArrayBuffer(8));
  len.setUint32(0, json.length, true);
  return cat(new Uint8Array(len.buffer), json, data);
}

function write(name: string, bytes: Uint8Array | string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, bytes);
  return p;
}

/** model.json in its own folder dir/name/, shards beside it; returns the model.json path. */
function tfjs(name: string, manifest: unknown[], shards: Record<string, Uint8Array> = {}, extra: Record<string, unknown> | string = {}): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [file, bytes] of Object.entries(shards)) writeFileSync(join(d, file), bytes);
  const doc = typeof extra === 'string' ? extra : JSON.stringify({ format: 'layers-model', weightsManifest: manifest, ...extra });
  writeFileSync(join(d, 'model.json'), doc);
  return join(d, 'model.json');
}

/** The HwsimError `fn` throws (anything else, or nothing, fails the test). */
function hwsimError(fn: () => unknown): HwsimError {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, `expected a HwsimError, got ${String(err)}`).toBeInstanceOf(HwsimError);
  expect((err as HwsimError).fix ?? '').not.toBe('');
  return err as HwsimError;
}

const kernel = [{ name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }];

// ---------------------------------------------------------------- confinement and file kinds

describe('confinement: files a model names stay inside its folder', () => {
  it('a tfjs shard named ../outside/kernel.bin is refused by name, though it exists', () => {
    write('outside/kernel.bin', f32([1, 2, 3, 4]));
    const m = tfjs('trav/model', [{ paths: ['../outside/kernel.bin'], weights: kernel }]);
    // dir/trav/model/../outside = dir/trav/outside: make it exist too
    write('trav/outside/kernel.bin', f32([1, 2, 3, 4]));
    const e = hwsimError(() => loadWeightsFile(m));
    expect(e.message).toBe(`${m} names ../outside/kernel.bin, which is outside the model's folder (${join(dir, 'trav/model')})`);
  });

  it('../../dev/zero and an absolute path are refused before anything is read', () => {
    const m = tfjs('zero', [{ paths: ['../../../../../../../../dev/zero'], weights: kernel }]);
    expect(hwsimError(() => loadWeightsFile(m)).message).toMatch(/names \.\.\/(\.\.\/)*dev\/zero, which is outside the model's folder/);
    const a = tfjs('abs', [{ paths: [join(dir, 'outside/kernel.bin')], weights: kernel }]);
    expect(hwsimError(() => loadWeightsFile(a)).message).toMatch(/outside\/kernel\.bin, which is outside the model's folder/);
  });

  it('a symlink inside the folder that leads out of it is refused; one that stays inside is read', () => {
    const m = tfjs('link', [{ paths: ['kernel.bin'], weights: kernel }]);
    symlinkSync(join(dir, 'outside/kernel.bin'), join(dir, 'link/kernel.bin'));
    expect(hwsimError(() => loadWeightsFile(m)).message).toMatch(/names kernel\.bin, which is outside the model's folder/);
    const z = tfjs('linkzero', [{ paths: ['kernel.bin'], weights: kernel }]);
    symlinkSync('/dev/zero', join(dir, 'linkzero/kernel.bin'));
    expect(hwsimError(() => loadWeightsFile(z)).message).toMatch(/names kernel\.bin, which is outside the model's folder/);
    const ok = tfjs('linkok', [{ paths: ['sub/../k.bin'], weights: kernel }], { 'real.bin': f32([1, 2, 3, 4]) });
    symlinkSync('real.bin', join(dir, 'linkok/k.bin'));
    expect(loadWeightsFile(ok).layers).toHaveLength(1);
    // a model folder reached through a symlink is its real folder
    symlinkSync(join(dir, 'linkok'), join(dir, 'linkok-alias'));
    expect(loadWeightsFile(join(dir, 'linkok-alias/model.json')).layers).toHaveLength(1);
  });

  it('a shard that is a FIFO inside the folder is refused, without blocking', () => {
    const m = tfjs('fifo', [{ paths: ['s.bin'], weights: kernel }]);
    execFileSync('mkfifo', [join(dir, 'fifo/s.bin')]);
    expect(hwsimError(() => loadWeightsFile(m)).message).toBe(`${m}: weight shard 's.bin' is a FIFO (named pipe), not a regular file: hwsim reads only regular files`);
  });
});

describe('only regular files are read', () => {
  it('/dev/zero as a model (hwsim encode /dev/zero) is refused by name', () => {
    expect(hwsimError(() => loadWeightsFile('/dev/zero')).message).toBe('/dev/zero is a character device, not a regular file: hwsim reads only regular files');
    expect(hwsimError(() => loadModel('/dev/zero')).message).toMatch(/^\/dev\/zero is a character device/);
  });

  it('a FIFO named x.npy, x.safetensors or x.csv is refused, without blocking', () => {
    for (const name of ['x.npy', 'x.safetensors', 'x.csv']) {
      const p = join(dir, `fifo-${name}`);
      execFileSync('mkfifo', [p]);
      const e = hwsimError(() => loadModel(p, { topology: true }));
      expect(e.message).toBe(`${p} is a FIFO (named pipe), not a regular file: hwsim reads only regular files`);
    }
    expect(hwsimError(() => loadScaleSimTopology(join(dir, 'fifo-x.csv'))).message).toMatch(/is a FIFO/);
  });

  it('a directory named like a weights file is refused', () => {
    mkdirSync(join(dir, 'd.npy'));
    expect(hwsimError(() => loadWeightsFile(join(dir, 'd.npy'))).message).toMatch(/d\.npy is a directory, not a regular file/);
  });
});

// ---------------------------------------------------------------- memory bombs

describe('memory bombs: declared sizes checked before allocating', () => {
  it('an .npy header declaring 2^31 weights (tiny body) is refused from its shape', () => {
    const p = write('huge.npy', npy([65536, 32768], f32([1, 2])));
    expect(hwsimError(() => loadWeightsFile(p)).message)
      .toBe(`${p}: shape (65536, 32768) asks for 2,147,483,648 (limit maxWeights = 268,435,456)`);
    const q = write('huger.npy', npy([1000000, 1000000], f32([1])));
    expect(hwsimError(() => loadWeightsFile(q)).message).toMatch(/asks for 1,000,000,000,000 \(limit maxWeights/);
  });

  it('safetensors and tfjs shapes are checked before their data is looked at', () => {
    const st = write('huge.safetensors', safetensors({ w: { dtype: 'F32', shape: [65536, 32768], data_offsets: [0, 8] } }, f32([1, 2])));
    expect(hwsimError(() => loadWeightsFile(st)).message)
      .toBe(`${st}: tensor 'w' of shape [65536, 32768] asks for 2,147,483,648 (limit maxWeights = 268,435,456)`);
    const tf = tfjs('hugetf', [{ paths: ['missing.bin'], weights: [{ name: 'k', shape: [65536, 32768], dtype: 'float32' }] }]);
    expect(hwsimError(() => loadWeightsFile(tf)).message)
      .toBe(`${tf}: weight 'k' of shape [65536, 32768] asks for 2,147,483,648 (limit maxWeights = 268,435,456)`);
  });

  it('maxWeights counts all tensors of a file (.npz members together); a raised limit admits them', () => {
    const p = write('two.npz', zip([{ name: 'a.npy', data: npy([2, 3], f32([1, 2, 3, 4, 5, 6])) }, { name: 'b.npy', data: npy([2, 3], f32([1, 2, 3, 4, 5, 6])) }]));
    setLimits({ maxWeights: 10 });
    expect(hwsimError(() => loadWeightsFile(p)).message)
      .toBe(`${p}: b.npy: shape (2, 3), with the 6 weights before it, asks for 12 (limit maxWeights = 10)`);
    setLimits({ maxWeights: 12 });
    expect(loadWeightsFile(p).layers).toHaveLength(2);
  });

  it('an .npz member declaring more than maxInflateBytes is refused before inflating', () => {
    const zeros = new Uint8Array(2 << 20);
    const p = write('bomb.npz', zip([{ name: 'w.npy', data: zeros, deflate: true }]));
    setLimits({ maxInflateBytes: 1 << 20 });
    expect(hwsimError(() => loadWeightsFile(p)).message)
      .toBe(`${p}: inflating entries up to 'w.npy' asks for 2,097,152 (limit maxInflateBytes = 1,048,576)`);
  });

  it('a member that inflates past its declared size is cut at that size and refused', () => {
    const zeros = new Uint8Array(2 << 20);
    const p = write('liar.npz', zip([{ name: 'w.npy', data: zeros, deflate: true, size: 1024 }]));
    expect(hwsimError(() => loadWeightsFile(p)).message).toMatch(/^.*liar\.npz: entry 'w\.npy' does not inflate: /);
  });

  it('8 overlapping entries of 1 GiB each (one stream listed 8 times) are refused at once, from the directory', () => {
    const body = new Uint8Array(deflateRawSync(new Uint8Array(1 << 16)));
    const entries: ZipIn[] = [{ name: 'e0.npy', body, size: 2 ** 30, deflate: true, crc: 0 }];
    for (let i = 1; i < 8; i++) entries.push({ name: `e${i}.npy`, body, size: 2 ** 30, deflate: true, crc: 0, at: 0 });
    const p = write('overlap8.npz', zip(entries));
    expect(hwsimError(() => loadWeightsFile(p)).message)
      .toBe(`${p}: inflating entries up to 'e1.npy' asks for 2,147,483,648 (limit maxInflateBytes = 1,073,741,824)`);
    // the same trick with small sizes: refused as overlapping
    const small = write('overlap2.npz', zip([{ name: 'a.npy', data: npy([2, 2], f32([1, 2, 3, 4])) }, { name: 'b.npy', data: npy([2, 2], f32([1, 2, 3, 4])), at: 0 }]));
    expect(hwsimError(() => loadWeightsFile(small)).message).toBe(`${small}: entries 'a.npy' and 'b.npy' overlap (both use bytes from 0)`);
  });

  it('a SCALE-Sim CSV declaring 2^31 or 10^12 weights, or a 100000×100000 ifmap, is refused from its numbers', () => {
    const H = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';
    expect(hwsimError(() => parseScaleSimTopology(`${H}big, 1, 1, 1, 1, 32768, 65536, 1,\n`, 't.csv')).message)
      .toBe("t.csv: the layers up to 'big' (65536×32768×1×1 weights in it) asks for 2,147,483,648 (limit maxWeights = 268,435,456)");
    expect(hwsimError(() => parseScaleSimTopology(`${H}tera, 1, 1, 1, 1, 1000000, 1000000, 1,\n`, 't.csv')).message)
      .toMatch(/asks for 1,000,000,000,000 \(limit maxWeights/);
    expect(hwsimError(() => parseScaleSimTopology(`${H}wide, 100000, 100000, 1, 1, 1, 1, 1,\n`, 't.csv')).message)
      .toBe("t.csv: layer 'wide' with a 100000×100000×1 ifmap asks for 10,000,000,000 (limit maxIfmapElements = 1,073,741,824)");
    // through the file loader too (which would otherwise draw the synthetic weights)
    const p = write('tera.csv', `${H}tera, 1, 1, 1, 1, 1000000, 1000000, 1,\n`);
    expect(hwsimError(() => loadModel(p, { topology: true })).message).toMatch(/tera\.csv: the layers up to 'tera'.*asks for 1,000,000,000,000/);
  });

  it('layers beyond maxLayers are refused (CSV, safetensors)', () => {
    const H = 'Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n';
    setLimits({ maxLayers: 3 });
    const rows = Array.from({ length: 4 }, (_, i) => `l${i}, 4, 4, 1, 1, 1, 1, 1,\n`).join('');
    expect(hwsimError(() => parseScaleSimTopology(H + rows, 't.csv')).message).toBe('t.csv: the layer count asks for 4 (limit maxLayers = 3)');
    const header: Record<string, unknown> = {};
    for (let i = 0; i < 4; i++) header[`w${i}`] = { dtype: 'F32', shape: [1, 1], data_offsets: [4 * i, 4 * i + 4] };
    const p = write('layers.safetensors', safetensors(header, f32([1, 2, 3, 4])));
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: the weight tensor count asks for 4 (limit maxLayers = 3)`);
  });

  it('a tfjs stride of 1e300 gives an ifmap far beyond maxIfmapElements: refused, not simulated forever', () => {
    const m = tfjs('stride', [{ paths: ['s.bin'], weights: [{ name: 'conv/kernel', shape: [1, 1, 1, 1], dtype: 'float32' }] }], { 's.bin': f32([1]) },
      { modelTopology: { model_config: { class_name: 'Model', config: { layers: [{ class_name: 'Conv2D', config: { name: 'conv', strides: [1e300, 1e300] } }] } } } });
    expect(hwsimError(() => loadWeightsFile(m)).message).toMatch(/layer 'conv\/kernel' with a .* ifmap asks for .* \(limit maxIfmapElements = 1,073,741,824\)/);
  });
});

// ---------------------------------------------------------------- CSV header

describe('SCALE-Sim CSV: the header row', () => {
  it('a first line that looks like a layer is refused, naming the header to add', () => {
    const e = hwsimError(() => parseScaleSimTopology('Conv1, 230, 230, 7, 7, 3, 64, 2,\nConv2, 58, 58, 3, 3, 64, 64, 1,\n', 't.csv'));
    expect(e.message).toBe('t.csv: the first line looks like a layer, not SCALE-Sim\'s header row: "Conv1, 230, 230, 7, 7, 3, 64, 2,"');
    expect(e.fix).toMatch(/^add the header line `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,`/);
  });

  it('any first line whose second field is not a number is the header (and skipped)', () => {
    expect(parseScaleSimTopology('name,h,w,fh,fw,c,f,s\nA, 8, 8, 3, 3, 4, 4, 1,\n', 't.csv')).toHaveLength(1);
    expect(parseScaleSimTopology('\nA, 8, 8, 3, 3, 4, 4, 1,\n', 't.csv')).toHaveLength(1);
  });
});

// ---------------------------------------------------------------- strict formats

describe('strict formats', () => {
  const st = (name: string, offsets: [number, number][], dataBytes: number) => {
    const header: Record<string, unknown> = {};
    offsets.forEach(([b, e], i) => { header[`t${i}`] = { dtype: 'U8', shape: [1, e - b], data_offsets: [b, e] }; });
    return write(name, safetensors(header, new Uint8Array(dataBytes)));
  };

  it('safetensors offsets must tile the data: overlap, partial overlap, gap, trailing bytes, a late start', () => {
    let p = st('same.safetensors', [[0, 4], [0, 4]], 4);
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: tensor 't1' (bytes 0..4) overlaps tensor 't0' (bytes 0..4)`);
    p = st('partial.safetensors', [[0, 4], [2, 6]], 6);
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: tensor 't1' (bytes 2..6) overlaps tensor 't0' (bytes 0..4)`);
    p = st('gap.safetensors', [[0, 4], [6, 8]], 8);
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: bytes 4..6 of the data belong to no tensor (a gap before tensor 't1')`);
    p = st('tail.safetensors', [[0, 4]], 7);
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: bytes 4..7 of the data belong to no tensor (after the last tensor's data)`);
    p = st('late.safetensors', [[2, 4]], 4);
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: bytes 0..2 of the data belong to no tensor (a gap before tensor 't0')`);
    // out of header order but tiling: fine
    expect(loadWeightsFile(st('swapped.safetensors', [[4, 8], [0, 4]], 8)).layers).toHaveLength(2);
  });

  it('safetensors: a key given twice in the header is refused (top level and inside a tensor)', () => {
    const t = '{"dtype":"U8","shape":[1,4],"data_offsets":[0,4]}';
    let p = write('dup.safetensors', safetensors(`{"w":${t},"w":${t}}`, new Uint8Array(4)));
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: the safetensors header gives the key 'w' twice`);
    p = write('dup2.safetensors', safetensors('{"w":{"dtype":"U8","shape":[1,4],"shape":[2,2],"data_offsets":[0,4]}}', new Uint8Array(4)));
    expect(hwsimError(() => loadWeightsFile(p)).message).toBe(`${p}: the safetensors header gives the key 'shape' twice (in 'w')`);
    // an escaped spelling of the same key is the same key
    p = write('dup3.safetensors', safetensors(`{"w":${t},"\\u0077":${t}}`, new Uint8Array(4)));
    expect(hwsimError(() => loadWeightsFile(p)).message).toMatch(/gives the key 'w' twice/);
  });

  it('the duplicate-key scanner: strings with brackets, escapes, arrays of objects, deep nesting', () => {
    expect(duplicateJsonKey('{"a":"}{,\\"a\\":","b":[{"a":1},{"a":2}],"c":{"a":{"a":1}}}')).toBeNull();
    expect(duplicateJsonKey('{"a":[{"x":1,"x":2}]}')).toEqual({ key: 'x', in: 'a' });
    expect(duplicateJsonKey(`${'['.repeat(100000)}${']'.repeat(100000)}`)).toBeNull();
    expect(duplicateJsonKey('{"a":1,"b":2,"a":3}')).toEqual({ key: 'a', in: undefined });
  });

  it('an .npy header with a duplicated key (two shapes) is refused', () => {
    const p = write('dupshape.npy', npyRaw("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1), 'shape': (2, 2), }", f32([1, 2, 3, 4])));
    expect(hwsimError(() => loadWeightsFile(p)).message).toMatch(new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: the .npy header gives the key 'shape' twice: `));
  });

  it('a tfjs modelTopology nested 50,000 deep is refused, not a stack overflow', () => {
    const deep = `{"format":"layers-model","weightsManifest":[{"paths":["s.bin"],"weights":[{"name":"k","shape":[2,2],"dtype":"float32"}]}],"modelTopology":${'{"a":'.repeat(50000)}1${'}'.repeat(50000)}}`;
    const m = tfjs('deep', [], { 's.bin': f32([1, 2, 3, 4]) }, deep);
    expect(hwsimError(() => loadWeightsFile(m)).message).toBe(`${m}: modelTopology nests deeper than 1000 levels`);
    const arrays = `{"weightsManifest":[],"modelTopology":${'['.repeat(50000)}${']'.repeat(50000)}}`;
    const a = tfjs('deeparr', [], {}, arrays);
    expect(hwsimError(() => loadWeightsFile(a)).message).toBe(`${a}: modelTopology nests deeper than 1000 levels`);
  });
});

// ---------------------------------------------------------------- the limits' declaration and flags

describe('limits: declared once, raised by flags', () => {
  it('the defaults are the declaration\'s, and allowed by it', () => {
    for (const name of ['maxWeights', 'maxLayers', 'maxInflateBytes', 'maxIfmapElements'] as const) {
      const p = PARAMS.find((x) => x.name === name)!;
      expect(p.faces).toEqual(['run', 'encode']);
      expect(DEFAULT_LIMITS[name]).toBe(p.default);
      expect(isAllowed(p, p.default)).toBe(true);
    }
  });

  it('applyLimitFlags reads --max-* flags, checked, and starts from the defaults', () => {
    applyLimitFlags({ maxWeights: 5, 'max-layers': 7 }, 'run');
    expect(limits()).toEqual({ ...DEFAULT_LIMITS, maxWeights: 5, maxLayers: 7 });
    expect(hwsimError(() => applyLimitFlags({ maxWeights: 0 }, 'encode')).message).toBe('--max-weights 0 is not allowed: an integer 1..9007199254740991 (weights)');
    expect(hwsimError(() => applyLimitFlags({ maxLayers: 1.5 }, 'run')).message).toMatch(/^--max-layers 1\.5 is not allowed/);
    setLimits({ maxLayers: 2 });
    applyLimitFlags({ maxWeights: 5 }, 'run');
    expect(limits()).toEqual({ ...DEFAULT_LIMITS, maxWeights: 5 });
  });

  it('a refusal says how to raise the limit; NaN is never within a limit', () => {
    const e = hwsimError(() => checkLimit('maxWeights', 2 ** 31, 'x'));
    expect(e.fix).toBe('if the input is meant to be this large, raise the limit maxWeights (hwsim run/encode: --max-weights; the library: setLimits)');
    expect(() => checkLimit('maxWeights', Number.NaN, 'x')).toThrow(HwsimError);
  });
});
