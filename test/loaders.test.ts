// Weight-file loaders: round trips through files written here (tiny writers below, plus small
// files written by NumPy 2.4 and embedded as base64), every malformed file → HwsimError naming the
// file, and a real load of the trained MobileNetV2 that scripts/fetch-models.sh caches.
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../src/codecs/crc32.js';
import { HwsimError } from '../src/errors.js';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { halfToFloat, permute } from '../src/models/loaders/tensors.js';

const dir = mkdtempSync(join(tmpdir(), 'hwsim-loaders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------- tiny writers

const f32 = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const u16le = (values: number[]) => new Uint8Array(Uint16Array.from(values).buffer);
const u8 = (values: number[]) => Uint8Array.from(values);
const text = (s: string) => new TextEncoder().encode(s);

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** .npy version 1.0, header padded so that the data starts at a multiple of 64. */
function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const len = Math.ceil((10 + dict.length + 1) / 64) * 64 - 10;
  const header = dict.padEnd(len - 1, ' ') + '\n';
  const pre = new Uint8Array(10);
  pre.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(pre.buffer).setUint16(8, header.length, true);
  return cat(pre, text(header), data);
}

/** A zip archive, entries stored or deflated, with a central directory. */
function zip(entries: { name: string; data: Uint8Array; deflate?: boolean }[]): Uint8Array {
  const locals: Uint8Array[] = [], centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = text(e.name);
    const body = e.deflate ? new Uint8Array(deflateRawSync(e.data)) : e.data;
    const h = new DataView(new ArrayBuffer(30));
    h.setUint32(0, 0x04034b50, true); h.setUint16(4, 20, true); h.setUint16(8, e.deflate ? 8 : 0, true);
    h.setUint32(14, crc32(e.data), true); h.setUint32(18, body.length, true); h.setUint32(22, e.data.length, true);
    h.setUint16(26, name.length, true);
    const c = new DataView(new ArrayBuffer(46));
    c.setUint32(0, 0x02014b50, true); c.setUint16(4, 20, true); c.setUint16(6, 20, true); c.setUint16(10, e.deflate ? 8 : 0, true);
    c.setUint32(16, crc32(e.data), true); c.setUint32(20, body.length, true); c.setUint32(24, e.data.length, true);
    c.setUint16(28, name.length, true); c.setUint32(42, offset, true);
    locals.push(new Uint8Array(h.buffer), name, body);
    centrals.push(new Uint8Array(c.buffer), name);
    offset += 30 + name.length + body.length;
  }
  const cd = cat(...centrals);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true); end.setUint16(8, entries.length, true); end.setUint16(10, entries.length, true);
  end.setUint32(12, cd.length, true); end.setUint32(16, offset, true);
  return cat(...locals, cd, new Uint8Array(end.buffer));
}

interface StTensor { name: string; dtype: string; shape: number[]; data: Uint8Array }

function safetensors(tensors: StTensor[], headerPatch: Record<string, unknown> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let at = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + t.data.length] };
    at += t.data.length;
  }
  Object.assign(header, headerPatch);
  const json = text(JSON.stringify(header));
  const len = new DataView(new ArrayBuffer(8));
  len.setUint32(0, json.length, true);
  return cat(new Uint8Array(len.buffer), json, ...tensors.map((t) => t.data));
}

function write(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Writes model.json + shards into a fresh directory; returns the model.json path. */
function tfjs(name: string, manifest: unknown[], shards: Record<string, Uint8Array>, extra: Record<string, unknown> = {}): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [file, bytes] of Object.entries(shards)) writeFileSync(join(d, file), bytes);
  writeFileSync(join(d, 'model.json'), JSON.stringify({ format: 'layers-model', weightsManifest: manifest, ...extra }));
  return join(d, 'model.json');
}

/** Expects a HwsimError (not a TypeError/RangeError) whose message names `file` and matches `re`. */
function expectHwsimError(fn: () => unknown, file: string, re: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err, 'no error raised').toBeInstanceOf(HwsimError);
  const e = err as HwsimError;
  expect(e.message).toContain(file);
  expect(e.message).toMatch(re);
  expect(e.fix ?? '').not.toBe('');
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

// ---------------------------------------------------------------- round trips

describe('.npy', () => {
  it('2-D is an fc layer [out, in], 4-D a conv OIHW, with exact values', () => {
    const fc = loadWeightsFile(write('head.npy', npy('<f4', [3, 4], f32(range(12, (i) => i - 6)))));
    expect(fc.synthetic).toBe(false);
    expect(fc.source).toContain('head.npy');
    expect(fc.layers).toHaveLength(1);
    expect(fc.layers[0].spec).toMatchObject({ name: 'head', kind: 'fc', filters: 3, channels: 4, weightShape: [3, 4], ifmapH: 1, ifmapW: 1 });
    expect(Array.from(fc.layers[0].weights)).toEqual(range(12, (i) => i - 6));
    expect(fc.description).toMatch(/geometry not in the file/);

    const conv = loadWeightsFile(write('conv.npy', npy('<f4', [8, 3, 3, 3], f32(range(216, (i) => i / 8)))));
    expect(conv.layers[0].spec).toMatchObject({ kind: 'conv', filters: 8, channels: 3, filterH: 3, filterW: 3, stride: 1, ifmapH: 58, weightShape: [8, 3, 3, 3] });
    expect(conv.layers[0].weights[215]).toBe(215 / 8);
  });

  it('decodes float16, float64, int8, big-endian and Fortran order', () => {
    const half = loadWeightsFile(write('h.npy', npy('<f2', [2, 2], u16le([0x3e00, 0xc000, 0x3400, 0x0000]))));
    expect(Array.from(half.layers[0].weights)).toEqual([1.5, -2, 0.25, 0]);
    const f64 = new Uint8Array(Float64Array.from([1, -2, 3.5, 4]).buffer);
    expect(Array.from(loadWeightsFile(write('d.npy', npy('<f8', [2, 2], f64))).layers[0].weights)).toEqual([1, -2, 3.5, 4]);
    expect(Array.from(loadWeightsFile(write('i.npy', npy('|i1', [2, 2], u8([1, 255, 128, 7])))).layers[0].weights)).toEqual([1, -1, -128, 7]);
    const be = new Uint8Array(8);
    new DataView(be.buffer).setFloat32(0, 1.25); new DataView(be.buffer).setFloat32(4, -3);
    expect(Array.from(loadWeightsFile(write('be.npy', npy('>f4', [1, 2], be))).layers[0].weights)).toEqual([1.25, -3]);
    // Fortran order [[0, 1, 2], [3, 4, 5]] is stored column by column: 0 3 1 4 2 5
    const fo = loadWeightsFile(write('fo.npy', npy('<f4', [2, 3], f32([0, 3, 1, 4, 2, 5]), true)));
    expect(Array.from(fo.layers[0].weights)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads a file written by NumPy (big-endian float64, Fortran order)', () => {
    // np.save('f.npy', np.asfortranarray(np.arange(6, dtype='>f8').reshape(2, 3))), NumPy 2.4.6
    const p = write('numpy-f.npy', Buffer.from(NUMPY_F_NPY, 'base64'));
    expect(Array.from(loadWeightsFile(p).layers[0].weights)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('torch-layout depthwise kernels [C, 1, kh, kw] named as such become dwconv', () => {
    const m = loadWeightsFile(write('blocks.safetensors', safetensors([
      { name: 'features.1.conv.0.depthwise.weight', dtype: 'F32', shape: [4, 1, 3, 3], data: f32(range(36, (i) => i)) },
      { name: 'stem.weight', dtype: 'F32', shape: [4, 1, 3, 3], data: f32(range(36, (i) => i)) },
    ])));
    expect(m.layers[0].spec).toMatchObject({ kind: 'dwconv', channels: 4, filters: 4, weightShape: [4, 1, 3, 3] });
    expect(m.layers[1].spec).toMatchObject({ kind: 'conv', channels: 1, filters: 4 });
  });
});

describe('.npz', () => {
  it('stored and deflated entries; 1-D arrays (biases) are skipped', () => {
    const p = write('net.npz', zip([
      { name: 'conv1.npy', data: npy('<f4', [2, 1, 2, 2], f32(range(8, (i) => i))), deflate: true },
      { name: 'conv1_bias.npy', data: npy('<f4', [2], f32([0.5, 0.5])) },
      { name: 'fc.npy', data: npy('<f4', [2, 8], f32(range(16, (i) => -i))) },
    ]));
    const m = loadWeightsFile(p);
    expect(m.name).toBe('net');
    expect(m.layers.map((l) => l.spec.name)).toEqual(['conv1', 'fc']);
    expect(Array.from(m.layers[0].weights)).toEqual(range(8, (i) => i));
    expect(Array.from(m.layers[1].weights)).toEqual(range(16, (i) => -i));
    expect(m.description).toMatch(/1 tensors with < 2 dims skipped/);
  });

  it('reads archives written by NumPy: savez_compressed (ZIP64 local headers) and savez', () => {
    // conv = (arange(24, float32).reshape(2, 3, 2, 2) − 5) / 4, fc = float16 [[1.5, −2, .25], [0, 3, −1]],
    // bias = float32 [.1, .2]; ffc = Fortran-order big-endian float64 arange(6).reshape(2, 3)
    const c = loadWeightsFile(write('numpy-c.npz', Buffer.from(NUMPY_C_NPZ, 'base64')));
    expect(c.layers.map((l) => [l.spec.name, l.spec.kind, l.spec.weightShape])).toEqual([
      ['conv', 'conv', [2, 3, 2, 2]], ['fc', 'fc', [2, 3]],
    ]);
    expect(Array.from(c.layers[0].weights)).toEqual(range(24, (i) => (i - 5) / 4));
    expect(Array.from(c.layers[1].weights)).toEqual([1.5, -2, 0.25, 0, 3, -1]);
    const s = loadWeightsFile(write('numpy-s.npz', Buffer.from(NUMPY_S_NPZ, 'base64')));
    expect(Array.from(s.layers[1].weights)).toEqual([0, 1, 2, 3, 4, 5]);
  });
});

describe('.safetensors', () => {
  it('F32, F16, BF16, I8, U8 tensors; 1-D skipped; __metadata__ ignored', () => {
    const p = write('model.safetensors', safetensors([
      { name: 'a.weight', dtype: 'F32', shape: [2, 3], data: f32([1, 2, 3, 4, 5, 6]) },
      { name: 'a.bias', dtype: 'F32', shape: [2], data: f32([0, 0]) },
      { name: 'b.weight', dtype: 'F16', shape: [1, 1, 2, 2], data: u16le([0x3e00, 0xc000, 0x3400, 0xbc00]) },
      { name: 'c.weight', dtype: 'BF16', shape: [2, 1], data: u16le([0x3fc0, 0xc000]) },
      { name: 'd.weight', dtype: 'I8', shape: [1, 2], data: u8([0xff, 3]) },
      { name: 'e.weight', dtype: 'U8', shape: [1, 2], data: u8([0xff, 3]) },
    ]));
    const m = loadWeightsFile(p);
    expect(m.layers.map((l) => l.spec.name)).toEqual(['a.weight', 'b.weight', 'c.weight', 'd.weight', 'e.weight']);
    expect(Array.from(m.layers[1].weights)).toEqual([1.5, -2, 0.25, -1]);
    expect(Array.from(m.layers[2].weights)).toEqual([1.5, -2]);
    expect(Array.from(m.layers[3].weights)).toEqual([-1, 3]);
    expect(Array.from(m.layers[4].weights)).toEqual([255, 3]);
    expect(m.layers[1].spec).toMatchObject({ kind: 'conv', weightShape: [1, 1, 2, 2] });
  });
});

describe('TensorFlow.js model.json', () => {
  // canonical values: conv W[o][i][h][w] = 1000o + 100i + 10h + w; dense W[o][i] = 10o + i
  const conv = (o: number, i: number, h: number, w: number) => 1000 * o + 100 * i + 10 * h + w;

  it("a plain HWIO conv whose name has a 'dw' token stays a conv (only Keras depthwise kernels are depthwise)", () => {
    const p = tfjs('dwname', [{ paths: ['s.bin'], weights: [{ name: 'conv_dw_1/kernel', shape: [3, 3, 4, 5], dtype: 'float32' }] }],
      { 's.bin': f32(range(180, (i) => i)) });
    expect(loadWeightsFile(p).layers[0].spec).toMatchObject({ kind: 'conv', channels: 4, filters: 5, weightShape: [5, 4, 3, 3] });
  });

  it('converts HWIO conv, depthwise [kh, kw, C, mult] and dense [in, out]; dequantizes; spans shards', () => {
    const [KH, KW, I, O] = [2, 3, 2, 4];
    const hwio: number[] = [];
    for (let h = 0; h < KH; h++) for (let w = 0; w < KW; w++) for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) hwio.push(conv(o, i, h, w));
    // depthwise, C = 2, mult = 2: output channel c·2 + m holds value 10c + m + 0.5h (2×1 kernel)
    const dw: number[] = [];
    for (let h = 0; h < 2; h++) for (let c = 0; c < 2; c++) for (let m = 0; m < 2; m++) dw.push(10 * c + m + 0.5 * h);
    // dense [in = 3, out = 2], uint8-quantized with min −1, scale 0.5: stored bytes q → q·0.5 − 1
    const denseQ: number[] = [];
    for (let i = 0; i < 3; i++) for (let o = 0; o < 2; o++) denseQ.push(2 * (10 * o + i) + 2);
    const all = cat(f32(hwio), f32(dw), u8(denseQ), u16le([0x3e00, 0xc000]), f32([7, 7]));
    const cut = 50; // the first shard ends mid-tensor
    const path = tfjs('tiny-tfjs', [{
      paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
      weights: [
        { name: 'conv/kernel', shape: [KH, KW, I, O], dtype: 'float32' },
        { name: 'dw/depthwise_kernel', shape: [2, 1, 2, 2], dtype: 'float32' },
        { name: 'dense/kernel', shape: [3, 2], dtype: 'float32', quantization: { dtype: 'uint8', min: -1, scale: 0.5 } },
        { name: 'half/kernel', shape: [1, 2], dtype: 'float32', quantization: { dtype: 'float16' } },
        { name: 'dense/bias', shape: [2], dtype: 'float32' },
      ],
    }], { 'group1-shard1of2.bin': all.subarray(0, cut), 'group1-shard2of2.bin': all.subarray(cut) }, {
      modelTopology: { model_config: { class_name: 'Model', config: { layers: [
        { class_name: 'Conv2D', config: { name: 'conv', strides: [2, 2] } },
        { class_name: 'DepthwiseConv2D', config: { name: 'dw', strides: [1, 1] } },
        { class_name: 'Dense', config: { name: 'half' } },
        { class_name: 'Dense', config: { name: 'dense' } },
      ] } } },
    });
    const m = loadWeightsFile(path);
    expect(m.name).toBe('tiny-tfjs');
    expect(m.synthetic).toBe(false);
    // graph order from the topology (half before dense), 1-D bias skipped
    expect(m.layers.map((l) => l.spec.name)).toEqual(['conv/kernel', 'dw/depthwise_kernel', 'half/kernel', 'dense/kernel']);
    const [c, d, h, fc] = m.layers;
    expect(c.spec).toMatchObject({ kind: 'conv', weightShape: [O, I, KH, KW], channels: I, filters: O, stride: 2, filterH: KH, filterW: KW });
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < KH; y++) for (let x = 0; x < KW; x++) {
      expect(c.weights[((o * I + i) * KH + y) * KW + x]).toBe(conv(o, i, y, x));
    }
    expect(d.spec).toMatchObject({ kind: 'dwconv', weightShape: [4, 1, 2, 1], channels: 2, filters: 4 });
    expect(Array.from(d.weights)).toEqual([0, 0.5, 1, 1.5, 10, 10.5, 11, 11.5]);
    expect(h.spec.weightShape).toEqual([2, 1]);
    expect(Array.from(h.weights)).toEqual([1.5, -2]);
    expect(fc.spec).toMatchObject({ kind: 'fc', weightShape: [2, 3], channels: 3, filters: 2 });
    expect(Array.from(fc.weights)).toEqual([0, 1, 2, 10, 11, 12]);
  });
});

describe('helpers', () => {
  it('halfToFloat covers subnormals, infinities and NaN', () => {
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });
  it('permute reorders axes', () => {
    // [[0, 1, 2], [3, 4, 5]] transposed
    expect(Array.from(permute(Float32Array.from([0, 1, 2, 3, 4, 5]), [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
  });
});

// ---------------------------------------------------------------- malformed files

describe('malformed files raise HwsimError naming the file', () => {
  const goodNpy = npy('<f4', [2, 2], f32([1, 2, 3, 4]));
  const goodSt = safetensors([{ name: 'w', dtype: 'F32', shape: [2, 2], data: f32([1, 2, 3, 4]) }]);
  const goodNpz = zip([{ name: 'w.npy', data: goodNpy, deflate: true }, { name: 'v.npy', data: goodNpy }]);

  it('.npy: bad magic, header past EOF, truncated data, extra data, unknown dtype, 1-D, bad header', () => {
    const bad = goodNpy.slice(); bad[1] = 0x41;
    expectHwsimError(() => loadWeightsFile(write('bad-magic.npy', bad)), 'bad-magic.npy', /bad magic/);
    const longHeader = goodNpy.slice(); new DataView(longHeader.buffer).setUint16(8, 60000, true);
    expectHwsimError(() => loadWeightsFile(write('long.npy', longHeader)), 'long.npy', /header length 60000 runs past/);
    expectHwsimError(() => loadWeightsFile(write('trunc.npy', goodNpy.subarray(0, goodNpy.length - 3))), 'trunc.npy', /needs 16 data bytes, the file holds 13/);
    expectHwsimError(() => loadWeightsFile(write('extra.npy', cat(goodNpy, u8([0])))), 'extra.npy', /needs 16 data bytes, the file holds 17/);
    expectHwsimError(() => loadWeightsFile(write('complex.npy', npy('<c8', [2, 2], new Uint8Array(32)))), 'complex.npy', /unsupported dtype '<c8'/);
    expectHwsimError(() => loadWeightsFile(write('bias.npy', npy('<f4', [2], f32([1, 2])))), 'bias.npy', /1-D array is not a weight layer/);
    expectHwsimError(() => loadWeightsFile(write('nodict.npy', npy('<f4', [2, 2], f32([1, 2, 3, 4])).map((b, i) => (i === 11 ? 0x20 : b)))), 'nodict.npy', /header lacks/);
  });

  it('.npz: not a zip, truncated, CRC mismatch, bad entry inside, unsupported method', () => {
    expectHwsimError(() => loadWeightsFile(write('plain.npz', goodNpy)), 'plain.npz', /not a zip archive/);
    expectHwsimError(() => loadWeightsFile(write('cut.npz', goodNpz.subarray(0, 60))), 'cut.npz', /not a zip archive/);
    const flipped = goodNpz.slice();
    const at = goodNpz.length - 22 - 2 * 46 - 5 - 5 - 20; // inside v.npy's stored data
    flipped[at] ^= 0xff;
    expectHwsimError(() => loadWeightsFile(write('crc.npz', flipped)), 'crc.npz', /CRC-32/);
    const inner = zip([{ name: 'w.npy', data: goodNpy.subarray(0, goodNpy.length - 3) }]);
    expectHwsimError(() => loadWeightsFile(write('inner.npz', inner)), 'inner.npz: w.npy', /needs 16 data bytes/);
    const bz = goodNpz.slice();
    new DataView(bz.buffer).setUint16(goodNpz.length - 22 - 2 * 46 - 10 + 10, 12, true); // central method of w.npy → bzip2
    expectHwsimError(() => loadWeightsFile(write('bz.npz', bz)), 'bz.npz', /compression method 12/);
    expectHwsimError(() => loadWeightsFile(write('empty.npz', zip([{ name: 'readme.txt', data: text('hi') }]))), 'empty.npz', /no weight tensors/);
  });

  it('.safetensors: header past EOF, short file, not JSON, unknown dtype, byte-count mismatch, offsets past EOF', () => {
    const long = goodSt.slice(); new DataView(long.buffer).setUint32(0, 1 << 20, true);
    expectHwsimError(() => loadWeightsFile(write('long.safetensors', long)), 'long.safetensors', /header length 1048576 runs past the end/);
    const huge = goodSt.slice(); new DataView(huge.buffer).setUint32(4, 1, true);
    expectHwsimError(() => loadWeightsFile(write('huge.safetensors', huge)), 'huge.safetensors', /runs past the end/);
    expectHwsimError(() => loadWeightsFile(write('short.safetensors', u8([1, 2, 3]))), 'short.safetensors', /truncated/);
    const notJson = goodSt.slice(); notJson[8] = 0x5b; notJson[9] = 0x5b;
    expectHwsimError(() => loadWeightsFile(write('nojson.safetensors', notJson)), 'nojson.safetensors', /not JSON/);
    expectHwsimError(() => loadWeightsFile(write('dtype.safetensors', safetensors([{ name: 'w', dtype: 'C64', shape: [2, 2], data: new Uint8Array(32) }]))),
      'dtype.safetensors', /tensor 'w': unsupported dtype "C64"/);
    expectHwsimError(() => loadWeightsFile(write('count.safetensors', safetensors([{ name: 'w', dtype: 'F32', shape: [2, 3], data: f32([1, 2, 3, 4]) }]))),
      'count.safetensors', /needs 24 bytes, data_offsets give 16/);
    expectHwsimError(() => loadWeightsFile(write('trunc.safetensors', goodSt.subarray(0, goodSt.length - 4))), 'trunc.safetensors', /run past the end of the data/);
    expectHwsimError(() => loadWeightsFile(write('shape.safetensors', safetensors([], { w: { dtype: 'F32', shape: [2, -1], data_offsets: [0, 0] } }))),
      'shape.safetensors', /bad shape/);
    expectHwsimError(() => loadWeightsFile(write('five.safetensors', safetensors([{ name: 'w', dtype: 'U8', shape: [1, 1, 1, 1, 2], data: u8([1, 2]) }]))),
      'five.safetensors', /5 dims/);
  });

  it('tfjs: missing shard, truncated shard, extra bytes, unknown dtype, no manifest, not JSON', () => {
    const w = [{ name: 'k', shape: [2, 2], dtype: 'float32' }];
    expectHwsimError(() => loadWeightsFile(tfjs('missing', [{ paths: ['s1.bin', 's2.bin'], weights: w }], { 's1.bin': f32([1, 2]) })),
      'missing', /weight shard 's2.bin' cannot be read \(ENOENT\)/);
    expectHwsimError(() => loadWeightsFile(tfjs('short', [{ paths: ['s1.bin'], weights: w }], { 's1.bin': f32([1, 2, 3]) })),
      'short', /weight 'k': needs bytes 0..16 of group 0, its shards hold 12/);
    expectHwsimError(() => loadWeightsFile(tfjs('extra', [{ paths: ['s1.bin'], weights: w }], { 's1.bin': f32([1, 2, 3, 4, 5]) })),
      'extra', /shards hold 20 bytes, its weights use 16/);
    expectHwsimError(() => loadWeightsFile(tfjs('qdtype', [{ paths: ['s1.bin'], weights: [{ ...w[0], quantization: { dtype: 'int4', min: 0, scale: 1 } }] }], { 's1.bin': f32([1]) })),
      'qdtype', /unsupported quantization dtype "int4"/);
    expectHwsimError(() => loadWeightsFile(tfjs('string', [{ paths: ['s1.bin'], weights: [{ ...w[0], dtype: 'string' }] }], { 's1.bin': f32([1]) })),
      'string', /unsupported dtype "string"/);
    const noManifest = join(dir, 'nomanifest.json');
    writeFileSync(noManifest, JSON.stringify({ modelTopology: {} }));
    expectHwsimError(() => loadWeightsFile(noManifest), 'nomanifest.json', /no weightsManifest/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"weightsManifest": [');
    expectHwsimError(() => loadWeightsFile(broken), 'broken.json', /not JSON/);
  });

  it('NaN or infinite weights are named with their tensor; a null tfjs quantization scale is rejected', () => {
    expectHwsimError(() => loadWeightsFile(write('nan.npy', npy('<f4', [2, 2], f32([1, Number.NaN, 3, 4])))), 'nan.npy',
      /tensor 'nan' holds NaN at flat index 1/);
    expectHwsimError(() => loadWeightsFile(write('big.npy', npy('<f8', [1, 2], new Uint8Array(Float64Array.from([1, 1e300]).buffer)))), 'big.npy',
      /holds Infinity at flat index 1/);
    const w = [{ name: 'k', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', min: 0, scale: null } }];
    expectHwsimError(() => loadWeightsFile(tfjs('nullscale', [{ paths: ['s1.bin'], weights: w }], { 's1.bin': u8([1, 2, 3, 4]) })),
      'nullscale', /numeric scale and min/);
  });

  it('unknown extension and unreadable paths', () => {
    expectHwsimError(() => loadWeightsFile(write('model.pt', u8([1, 2, 3]))), 'model.pt', /unknown weights format '.pt'/);
    expectHwsimError(() => loadWeightsFile(join(dir, 'nope.npy')), 'nope.npy', /cannot read .*ENOENT/);
  });

  it('every truncation and many byte flips give a model or a HwsimError, never another error', () => {
    const cases: [string, Uint8Array][] = [['t.npy', goodNpy], ['t.npz', goodNpz], ['t.safetensors', goodSt]];
    for (const [name, good] of cases) {
      const variants: Uint8Array[] = [];
      for (let n = 0; n < good.length; n++) variants.push(good.subarray(0, n));
      for (let at = 0; at < good.length; at++) for (const x of [0x01, 0x80, 0xff]) { const v = good.slice(); v[at] ^= x; variants.push(v); }
      for (const v of variants) {
        const p = write(name, v);
        try {
          loadWeightsFile(p);
        } catch (err) {
          if (!(err instanceof HwsimError)) throw new Error(`${name} (${v.length} bytes): ${String(err)}`);
        }
      }
    }
  });
});

// ---------------------------------------------------------------- real trained weights

const NSFWJS = join(import.meta.dirname, '..', '.cache', 'models', 'nsfwjs-mobilenet_v2', 'model.json');

describe.skipIf(!existsSync(NSFWJS))('real weights: nsfwjs MobileNetV2 (tfjs, uint8) — needs `bash scripts/fetch-models.sh`', () => {
  it('loads 55 kernels, 2,550,848 weights, in graph order, named after their Keras layers, strides from the topology', () => {
    const m = loadWeightsFile(NSFWJS);
    expect(m.synthetic).toBe(false);
    expect(m.layers).toHaveLength(55);
    // 2,550,848 kernel weights (the 2.62M parameters of the model less BN and biases)
    expect(m.layers.reduce((a, l) => a + l.weights.length, 0)).toBe(2_550_848);
    expect(m.layers.filter((l) => l.spec.kind === 'dwconv')).toHaveLength(17);
    expect(m.layers[0].spec).toMatchObject({ name: 'Conv1', kind: 'conv', weightShape: [32, 3, 3, 3], stride: 2 });
    expect(m.layers[m.layers.length - 1].spec).toMatchObject({ kind: 'fc', weightShape: [5, 128] });
    expect(m.layers.filter((l) => l.spec.stride === 2)).toHaveLength(5);
    // uint8 quantization: at most 256 distinct values per tensor, all finite
    for (const l of m.layers) {
      expect(new Set(l.weights).size).toBeLessThanOrEqual(256);
      expect(l.weights.every(Number.isFinite)).toBe(true);
    }
    expect(readFileSync(NSFWJS, 'utf8')).toContain('"quantization"');
  });
});

if (!existsSync(NSFWJS)) {
  // eslint-disable-next-line no-console
  console.warn(`loaders.test: ${NSFWJS} is missing; the real-weights test is skipped. Run: bash scripts/fetch-models.sh`);
}

// NumPy 2.4.6 output, see the tests above for the contents
const NUMPY_F_NPY =
  'k05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAEAIAAAAAAAAP/AAAAAAAABAEAAAAAAAAEAAAAAAAAAAQBQAAAAAAAA=';
const NUMPY_C_NPZ =
  'UEsDBC0AAAAIAAAAIQBhTBIY//////////8IABQAY29udi5ucHkBABAA4AAAAAAAAACLAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqKuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsY6CkDSSFNHoVaBDMDFwLBgPwNDAxA7ADEDiL2PAQwa7ICEPVAciBuAeAEQHwDiB0DM4MDAIADECkBsAMQOQBwAxAlAXADEDUDcAcQTHABQSwMELQAAAAgAAAAhAEGlRV///////////wYAFABmYy5ucHkBABAAjAAAAAAAAABSAAAAAAAAAJvsF+obEMnIUMZQrZ6SWpxcpG6loG6TZqSuo6Cell9UUpSYF59flJIKEndLzClOBYoXZyQWpAL5GkY6CsaaOgq1CmQDLgY7hgMMJgwMDE4MewBQSwMELQAAAAgAAAAhADnxDPj//////////wgAFABiaWFzLm5weQEAEACIAAAAAAAAAE0AAAAAAAAAm+wX6hsQychQxlCtnpJanFykbqWgbpNmoq6joJ6WX1RSlJgXn1+UkgoSd0vMKU4FihdnJBakAvkaRjqaOgq1ChQArrNnztiePeNjBwBQSwECLQMtAAAACAAAACEAYUwSGIsAAADgAAAACAAAAAAAAAAAAAAAgAEAAAAAY29udi5ucHlQSwECLQMtAAAACAAAACEAQaVFX1IAAACMAAAABgAAAAAAAAAAAAAAgAHFAAAAZmMubnB5UEsBAi0DLQAAAAgAAAAhADnxDPhNAAAAiAAAAAgAAAAAAAAAAAAAAIABTwEAAGJpYXMubnB5UEsFBgAAAAADAAMAoAAAANYBAAAAAA==';
const NUMPY_S_NPZ =
  'UEsDBC0AAAAAAAAAIQBhTBIY//////////8IABQAY29udi5ucHkBABAA4AAAAAAAAADgAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAzLCAyLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAACgvwAAgL8AAEC/AAAAvwAAgL4AAAAAAACAPgAAAD8AAEA/AACAPwAAoD8AAMA/AADgPwAAAEAAABBAAAAgQAAAMEAAAEBAAABQQAAAYEAAAHBAAACAQAAAiEAAAJBAUEsDBC0AAAAAAAAAIQBfBFBH//////////8HABQAZmZjLm5weQEAEACwAAAAAAAAALAAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPmY4JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAAAEAIAAAAAAAAP/AAAAAAAABAEAAAAAAAAEAAAAAAAAAAQBQAAAAAAABQSwECLQMtAAAAAAAAACEAYUwSGOAAAADgAAAACAAAAAAAAAAAAAAAgAEAAAAAY29udi5ucHlQSwECLQMtAAAAAAAAACEAXwRQR7AAAACwAAAABwAAAAAAAAAAAAAAgAEaAQAAZmZjLm5weVBLBQYAAAAAAgACAGsAAAADAgAAAAA=';
