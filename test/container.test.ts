// The .hwz container: encode → write → read → decode is bit-exact, and every corruption
// (any flipped byte, any truncation) is caught with an error naming the failed check.
import { describe, expect, it } from 'vitest';
import { readContainer } from '../src/codecs/container.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { decodeContainer, toContainer } from '../src/codecs/model-image.js';
import { HwsimError } from '../src/errors.js';
import type { Model } from '../src/models/types.js';

function laplaceWeights(n: number, scale: number, seed: number): Float32Array {
  let s = seed;
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    const u = (s + 0.5) / 4294967296 - 0.5;
    w[i] = -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  }
  return w;
}

/** A small hand-made model: conv, depthwise, conv, fc (first and last stay int8). */
function tinyModel(): Model {
  const layer = (name: string, kind: 'conv' | 'dwconv' | 'fc', weightShape: number[], seed: number) => ({
    spec: {
      name, kind, weightShape, ifmapH: 8, ifmapW: 8, filterH: weightShape[2] ?? 1, filterW: weightShape[3] ?? 1,
      channels: kind === 'dwconv' ? weightShape[0] : weightShape[1], filters: weightShape[0], stride: 1,
    },
    weights: laplaceWeights(weightShape.reduce((a, b) => a * b, 1), 0.05, seed),
  });
  return {
    name: 'tiny', source: 'test', synthetic: true, description: 'synthetic test model',
    layers: [
      layer('conv1', 'conv', [8, 3, 3, 3], 1),
      layer('block.conv', 'conv', [16, 8, 3, 3], 2),
      layer('block.dw', 'dwconv', [16, 1, 3, 3], 3),
      layer('head.fc', 'fc', [10, 64], 4),
    ],
  };
}

function expectEveryFlipCaught(image: Uint8Array): void {
  for (let pos = 0; pos < image.length; pos++) {
    const bad = image.slice();
    bad[pos] ^= 0x5a;
    try {
      decodeContainer(bad, 'bad.hwz');
    } catch (err) {
      expect(err).toBeInstanceOf(HwsimError);
      expect((err as Error).message).toMatch(/^bad\.hwz: /);
      continue;
    }
    throw new Error(`flipping byte ${pos} went unnoticed`);
  }
}

describe('.hwz container', () => {
  const encoded = encodeModel(tinyModel(), { states: 64, streams: 4, bins: 15 });
  const image = toContainer(encoded);

  it('round-trips bit-exactly: symbols, levels and dequantized values', () => {
    const decoded = decodeContainer(image, 'tiny.hwz');
    expect(decoded.layers.map((l) => l.codec)).toEqual(['raw', 'tans', 'tans', 'raw']);
    decoded.layers.forEach((l, i) => {
      expect(l.symbols).toEqual(encoded.layers[i].symbols);
      expect(l.codedBits).toBe(encoded.layers[i].codedBits);
      const m = (l.bins - 1) / 2;
      l.levels.forEach((v, j) => expect(v).toBe(l.symbols[j] - m));
    });
    expect(decoded.meta.synthetic).toBe(true);
    expect(decoded.specs.map((s) => s.name)).toEqual(['conv1', 'block.conv', 'block.dw', 'head.fc']);
  });

  it('catches a flipped byte anywhere, naming the check', () => {
    expectEveryFlipCaught(image);
  });

  it("round-trips FSE's own table (spread kind fse-tail) and catches its corruption", () => {
    const shape = [32, 16, 3, 3];
    const model: Model = {
      name: 'one', source: 'test', synthetic: true, description: 'synthetic test model',
      layers: [{
        spec: { name: 'c', kind: 'conv', weightShape: shape, ifmapH: 8, ifmapW: 8, filterH: 3, filterW: 3, channels: 16, filters: 32, stride: 1 },
        weights: laplaceWeights(32 * 16 * 9, 0.05, 7),
      }],
    };
    const one = encodeModel(model, { states: 64, streams: 4, bins: 15, keepEdges: false });
    expect(one.layers[0].tans!.spreadKind).toBe('fse-tail'); // the optimizer picked FSE's table here
    const img = toContainer(one);
    expect(decodeContainer(img, 'one.hwz').layers[0].symbols).toEqual(one.layers[0].symbols);
    expectEveryFlipCaught(img);
  });

  it('names the layer whose bytes are corrupted', () => {
    const stored = readContainer(image, 'x');
    expect(stored.layers[1].name).toBe('block.conv');
    const at = image.length - 40; // inside the last layer's payload
    const bad = image.slice();
    bad[at] ^= 1;
    expect(() => decodeContainer(bad, 'bad.hwz')).toThrow(/layer #3 'head\.fc': CRC-32 mismatch/);
  });

  it('catches every truncation and trailing garbage', () => {
    for (let len = 0; len < image.length; len++) {
      expect(() => decodeContainer(image.subarray(0, len), 't.hwz')).toThrow(HwsimError);
    }
    const longer = new Uint8Array(image.length + 3);
    longer.set(image);
    expect(() => decodeContainer(longer, 't.hwz')).toThrow(/file length mismatch|end marker/);
  });

  it('rejects impossible encode parameters with a fix', () => {
    const m = tinyModel();
    expect(() => encodeModel(m, { states: 48, streams: 1, bins: 15 })).toThrow(/power of two/);
    expect(() => encodeModel(m, { states: 64, streams: 1, bins: 16 })).toThrow(/odd/);
    expect(() => encodeModel(m, { states: 64, streams: 1, bins: 1 })).toThrow(/odd integer in 3..255/);
    expect(() => encodeModel(m, { states: 32, streams: 1, bins: 63 })).toThrow(/states/);
    expect(() => encodeModel(m, { states: 64, streams: 0, bins: 15 })).toThrow(/--streams/);
  });
});
