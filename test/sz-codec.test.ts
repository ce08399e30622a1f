/**
 * The sz codec (src/codecs/sz): the SZ coder's error bound over random data and arrays of any
 * length, the sparse index array, the codec through the container, and corrupted records refused.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { assembleContainer, commonFields, splitContainer } from '../bench/fuzz-container.js';
import { ByteWriter } from '../src/codecs/bytes.js';
import type { SzLayer } from '../src/codecs/codec.js';
import { writeContainer, type ModelImage } from '../src/codecs/container.js';
import { decodeContainer } from '../src/codecs/model-image.js';
import { encodeSzLayer, szCodec } from '../src/codecs/sz/index.js';
import { MAX_RADIUS, szDecode, szEncode } from '../src/codecs/sz/lossy.js';
import { FILLER, indexArray, keptValues, pruneMask, scatter } from '../src/codecs/sz/sparse.js';
import { HwsimError } from '../src/errors.js';
import type { LayerSpec } from '../src/models/types.js';
import { laplace, rng } from './laplace.js';

const LENGTHS = [0, 1, 2, 3, 7, 255, 256, 259, 260, 261, 1000, 4097];
const BOUNDS = [1e-4, 1e-3, 5e-3, 9e-3, 0.1];

/** random arrays of several kinds: Laplace weights, wide uniforms (escapes), spikes, constants */
function arrays(n: number, seed: number): Array<[string, Float32Array]> {
  const u = rng(seed);
  const spikes = laplace(n, 0.02, seed + 1);
  for (let i = 0; i < n; i += 17) spikes[i] = (u() - 0.5) * 1e4;
  return [
    ['laplace', laplace(n, 0.05, seed)],
    ['uniform ±100', Float32Array.from({ length: n }, () => (u() - 0.5) * 200)],
    ['spikes', spikes],
    ['constant', new Float32Array(n).fill(0.3)],
    ['tiny', Float32Array.from({ length: n }, () => (u() - 0.5) * 1e-30)],
  ];
}

describe('SZ error-bounded coder', () => {
  it('every decoded value lies within eb of the original, for arrays of any length', () => {
    let checked = 0;
    let escaped = 0;
    for (const n of LENGTHS) {
      for (const [kind, values] of arrays(n, n + 11)) {
        for (const eb of BOUNDS) {
          const code = szEncode(values, eb);
          const out = szDecode(code.symbols, code.radius, code.escapes, code.eb);
          expect(out.length).toBe(n);
          for (let i = 0; i < n; i++) {
            if (!(Math.abs(out[i] - values[i]) <= code.eb)) throw new Error(`${kind} n=${n} eb=${eb}: value ${i} off by ${Math.abs(out[i] - values[i])}`);
            expect(Object.is(out[i], code.reconstructed[i])).toBe(true);
          }
          expect(code.radius).toBeLessThanOrEqual(MAX_RADIUS);
          checked += n;
          escaped += code.escapes.length;
        }
      }
    }
    // the cases exercised both paths: predicted values and escapes
    expect(checked).toBeGreaterThan(100_000);
    expect(escaped).toBeGreaterThan(1000);
  });

  it('a smooth array needs no escapes and small codes; a wide one escapes', () => {
    const smooth = Float32Array.from({ length: 500 }, (_, i) => Math.sin(i / 50));
    const a = szEncode(smooth, 1e-3);
    expect(a.escapes.length).toBe(0);
    expect(a.radius).toBeLessThan(12);
    const wide = Float32Array.from({ length: 500 }, (_, i) => (i % 2 ? 1 : -1));
    expect(szEncode(wide, 1e-3).escapes.length).toBeGreaterThan(400);
  });

  it('refuses a zero, negative or non-finite error bound and non-finite values', () => {
    for (const eb of [0, -1e-3, NaN, Infinity]) expect(() => szEncode(new Float32Array(4), eb)).toThrow(HwsimError);
    expect(() => szEncode(new Float32Array(4), 0)).toThrow(/error bound 0 is not a positive number/);
    expect(() => szEncode(Float32Array.of(1, NaN), 1e-3)).toThrow(/value 1 is NaN/);
  });
});

describe('pruning and the relative index array', () => {
  it('prunes exactly floor(sparsity·n) weights, the smallest magnitudes', () => {
    const w = laplace(10_000, 0.05, 3);
    for (const s of [0, 0.1, 0.5, 0.9, 0.99]) {
      const keep = pruneMask(w, s);
      const kept = keep.reduce((a, b) => a + b, 0);
      expect(kept).toBe(10_000 - Math.floor(s * 10_000));
      let minKept = Infinity;
      let maxDropped = 0;
      for (let i = 0; i < w.length; i++) {
        if (keep[i]) minKept = Math.min(minKept, Math.abs(w[i])); else maxDropped = Math.max(maxDropped, Math.abs(w[i]));
      }
      expect(maxDropped).toBeLessThanOrEqual(minKept);
    }
  });

  it('refuses sparsity outside [0, 1)', () => {
    for (const s of [-0.1, 1, 1.5, NaN]) expect(() => pruneMask(new Float32Array(4), s)).toThrow(/sparsity .* is outside \[0, 1\)/);
  });

  it('writes a filler entry every 255 skipped positions, and scatters back', () => {
    const keep = new Uint8Array(2000);
    keep[0] = 1; keep[254] = 1; keep[255 + 254] = 1; keep[1000] = 1;
    const idx = indexArray(keep);
    // 0 → entry 1; 254 → 254; 509 → 255; 1000: gap 491 → a filler and 236
    expect([...idx]).toEqual([1, 254, 255, FILLER, 236]);
    const w = laplace(2000, 1, 9);
    const dense = scatter(idx, keptValues(w, keep), 2000);
    for (let i = 0; i < 2000; i++) expect(dense[i]).toBe(keep[i] ? w[i] : 0);
    expect(indexArray(new Uint8Array(0)).length).toBe(0);
    expect(() => scatter(Uint8Array.of(3), Float32Array.of(1), 2)).toThrow(/past the layer's 2 weights/);
    expect(() => scatter(Uint8Array.of(1, FILLER), Float32Array.of(1), 600)).toThrow(/ends in a filler/);
  });
});

const specOf = (name: string, shape: number[]): LayerSpec => ({
  name, kind: 'fc', weightShape: shape, ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: shape[1], filters: shape[0], stride: 1,
});
function imageOf(layers: Array<[string, SzLayer]>): ModelImage {
  return {
    model: { name: 'sz-test', source: 'test', synthetic: true, description: 'sz test' },
    options: {}, specs: layers.map(([n, l]) => specOf(n, l.shape)), layers: layers.map(([, l]) => l),
  };
}

describe('the sz codec in the container', () => {
  const shapes = [[1, 1], [20, 13], [3, 87], [100, 300]];
  it('round-trips every shape, sparsity, bound and index coding through .hwz bytes', () => {
    let layers = 0;
    for (const shape of shapes) {
      const n = shape[0] * shape[1];
      const w = laplace(n, 0.05, n);
      for (const sparsity of [0, 0.5, 0.92, 0.999]) {
        for (const eb of [1e-3, 9e-3]) {
          for (const indexCoding of ['raw', 'tans'] as const) {
            const { layer, stats } = encodeSzLayer(w, shape, { errorBound: eb, sparsity, indexCoding });
            const img = imageOf([['fc', layer]]);
            const { layers: [d] } = decodeContainer(writeContainer(img), 't.hwz');
            const keep = pruneMask(w, sparsity);
            for (let i = 0; i < n; i++) {
              if (!keep[i]) expect(d.values[i]).toBe(0);
              else if (!(Math.abs(d.values[i] - w[i]) <= layer.errorBound)) throw new Error(`weight ${i} off`);
            }
            expect(d.codec).toBe('sz');
            expect(stats.values).toBe(n - Math.floor(sparsity * n));
            expect(d.payloadBits / 8).toBe(stats.valueBytes + stats.indexBytes);
            layers++;
          }
        }
      }
    }
    expect(layers).toBe(shapes.length * 16);
  });

  it('reports both index codings; auto stores the smaller', () => {
    const w = laplace(30_000, 0.05, 5);
    const { stats, layer } = encodeSzLayer(w, [100, 300], { errorBound: 5e-3, sparsity: 0.9 });
    expect(stats.indexRawBytes).toBe(4 * Math.ceil(layer.indexEntries / 4));
    expect(stats.indexTansBytes).toBeGreaterThan(0);
    expect(stats.indexBytes).toBe(Math.min(stats.indexRawBytes, stats.indexTansBytes));
    expect(layer.indexCoding).toBe(stats.indexTansBytes < stats.indexRawBytes ? 'tans' : 'raw');
  });

  // one layer with escapes, fillers and a tANS index, for the corruption cases
  let layer: SzLayer;
  let good: Uint8Array;
  beforeAll(() => {
    const w = laplace(6000, 0.05, 77);
    for (let i = 0; i < w.length; i += 397) w[i] = 40 + i; // escapes
    layer = encodeSzLayer(w, [20, 300], { errorBound: 1e-3, sparsity: 0.99, indexCoding: 'tans' }).layer;
    good = writeContainer(imageOf([['fc1', layer]]));
  });

  function refusal(bytes: Uint8Array): string {
    try {
      decodeContainer(bytes, 'c.hwz');
    } catch (err) {
      expect(err).toBeInstanceOf(HwsimError);
      expect((err as Error).message).toMatch(/^c\.hwz: layer #0 'fc1': /);
      return (err as Error).message;
    }
    throw new Error('the corrupted container was accepted');
  }

  it('the layer under test has escapes, fillers and a tANS index', () => {
    expect(layer.escapes).toBeGreaterThan(10);
    expect(layer.indexCoding).toBe('tans');
    expect(scatterHasFiller(layer)).toBe(true);
    expect(decodeContainer(good, 'c.hwz').layers[0].values.length).toBe(6000);
  });

  it('refuses every flipped byte of the record (CRC) and a truncated file', () => {
    const parts = splitContainer(good);
    const recordBytes = 1 + 2 + parts.records[0].header.length + 2 + parts.records[0].payload.length;
    for (let i = 4; i < 4 + recordBytes; i += 7) {
      const bad = good.slice();
      bad[i] ^= 0x10;
      expect(() => decodeContainer(bad, 'c.hwz')).toThrow(HwsimError);
    }
    expect(() => decodeContainer(good.subarray(0, good.length - 9), 'c.hwz')).toThrow(HwsimError);
  });

  /** the record with its sz section rewritten (CRCs recomputed): a corruption the CRC cannot see */
  function withSection(edit: (h: SzLayer) => void, payload?: (p: Uint8Array) => Uint8Array): Uint8Array {
    const parts = splitContainer(good);
    const f = commonFields(parts.records[0].header);
    const h = { ...layer };
    edit(h);
    const sw = new ByteWriter();
    szCodec.writeHeader(h, sw);
    const head = new Uint8Array(f.sectionAt + sw.length);
    head.set(parts.records[0].header.subarray(0, f.sectionAt));
    head.set(sw.result(), f.sectionAt);
    parts.records[0].header = head;
    if (payload) parts.records[0].payload = payload(parts.records[0].payload);
    return assembleContainer(parts);
  }

  it('refuses corrupted header fields with the layer and the field named', () => {
    expect(refusal(withSection((h) => { h.radius = 200; }))).toMatch(/code radius 200 exceeds 127/);
    expect(refusal(withSection((h) => { h.values = 6001; }))).toMatch(/value count 6001 exceeds 6000/);
    expect(refusal(withSection((h) => { h.escapes = h.values + 1; }))).toMatch(/escape count/);
    expect(refusal(withSection((h) => { h.errorBound = -1; }))).toMatch(/error bound -1 is not a positive number/);
    expect(refusal(withSection((h) => { h.escapes -= 1; }))).toMatch(/payload of \d+ bytes, the header implies/);
    expect(refusal(withSection((h) => { h.escapes -= 1; }, (p) => p.subarray(0, p.length - 4)))).toMatch(/escaped|ran out|words/);
    expect(refusal(withSection((h) => { h.indexEntries += 1; }))).toMatch(/index|stream|payload/);
  });

  it('refuses a payload whose streams do not end cleanly (a flipped bit, CRC recomputed)', () => {
    let refused = 0;
    const goodValues = decodeContainer(good, 'c.hwz').layers[0].values;
    for (let word = 0; word < layer.words.length; word += Math.max(1, layer.words.length >> 5)) {
      const bad = withSection(() => undefined, (p) => { const q = p.slice(); q[4 * word] ^= 1; return q; });
      try {
        const d = decodeContainer(bad, 'c.hwz').layers[0].values;
        // a flip inside a bin code can decode to other values: never silently the same layer
        expect(d.some((v, i) => !Object.is(v, goodValues[i]))).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(HwsimError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  });
});

function scatterHasFiller(l: SzLayer): boolean {
  return l.indexEntries > l.values;
}
