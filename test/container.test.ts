// The .hwz container: encode → write → read → decode is bit-exact, and every corruption
// (any flipped byte, any truncation) is caught with an error naming the failed check.
import { describe, expect, it } from 'vitest';
import { readContainer, writeContainer } from '../src/codecs/container.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { decodeContainer } from '../src/codecs/model-image.js';
import { quantize, quantizeInt8 } from '../src/codecs/quant/index.js';
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

/** The symbols the quantizer gives, independently of any codec: the golden model of a decode. */
function expectedSymbols(model: Model, i: number, bins: number, raw: boolean): Uint8Array {
  const w = model.layers[i].weights;
  return raw ? quantizeInt8(w).symbols : quantize(w, bins).symbols;
}

describe('.hwz container', () => {
  const model = tinyModel();
  const encoded = encodeModel(model, { states: 64, streams: 4, bins: 15 });
  const image = writeContainer(encoded);

  it('round-trips bit-exactly: the decoded symbols are the quantizer\'s, levels and values follow', () => {
    const { image: read, layers } = decodeContainer(image, 'tiny.hwz');
    expect(layers.map((l) => l.codec)).toEqual(['raw', 'tans', 'tans', 'raw']);
    layers.forEach((l, i) => {
      expect(l.symbols).toEqual(expectedSymbols(model, i, 15, l.codec === 'raw'));
      const m = (l.bins - 1) / 2;
      l.levels.forEach((v, j) => expect(v).toBe(l.symbols[j] - m));
    });
    expect(read.model.synthetic).toBe(true);
    expect(read.specs.map((s) => s.name)).toEqual(['conv1', 'block.conv', 'block.dw', 'head.fc']);
    expect(read.specs).toEqual(model.layers.map((l) => l.spec));
    expect(read.fileBytes).toBe(image.length);
  });

  it('records the split actually used: the depthwise layer (1 input channel, 4 streams) is interleaved', () => {
    const dw = encoded.layers[2];
    expect(dw.codec === 'tans' && dw.split).toBe('interleaved');
    const conv = encoded.layers[1];
    expect(conv.codec === 'tans' && conv.split).toBe('channel');
  });

  it('catches a flipped byte anywhere with a HwsimError naming the file', () => {
    expectEveryFlipCaught(image);
  });

  it("round-trips FSE's own table (spread kind fse-tail) and catches its corruption", () => {
    const shape = [32, 16, 3, 3];
    const one: Model = {
      name: 'one', source: 'test', synthetic: true, description: 'synthetic test model',
      layers: [{
        spec: { name: 'c', kind: 'conv', weightShape: shape, ifmapH: 8, ifmapW: 8, filterH: 3, filterW: 3, channels: 16, filters: 32, stride: 1 },
        weights: laplaceWeights(32 * 16 * 9, 0.05, 7),
      }],
    };
    const enc = encodeModel(one, { states: 64, streams: 4, bins: 15, keepEdges: false });
    const layer = enc.layers[0];
    expect(layer.codec === 'tans' && layer.spreadKind).toBe('fse-tail'); // the optimizer picked FSE's table here
    const img = writeContainer(enc);
    expect(decodeContainer(img, 'one.hwz').layers[0].symbols).toEqual(expectedSymbols(one, 0, 15, false));
    expectEveryFlipCaught(img);
  });

  it('names the layer whose bytes are corrupted', () => {
    const read = readContainer(image, 'x');
    const last = read.records[3];
    const at = last.payload.byteOffset - image.byteOffset + 5; // inside the last layer's payload
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

  it('refuses a version-1 container with the advice to re-encode', () => {
    const v1 = new Uint8Array(64);
    v1.set(new TextEncoder().encode('HWZ1'));
    expect(() => readContainer(v1, 'old.hwz')).toThrow(/old\.hwz: \.hwz format version 1; this hwsim reads version 2/);
  });

  it('rejects non-zero bits past the end of a stream, with a valid CRC (the reader, not the CRC, catches it)', () => {
    const enc = encodeModel(model, { states: 64, streams: 4, bins: 15 });
    const layer = enc.layers[1];
    if (layer.codec !== 'tans') throw new Error('expected a tANS layer');
    // the interleaved word order ends with the last word of the longest streams: set the top bit
    // of the payload's last word, which is past the end unless that stream fills its word exactly
    const words = layer.words;
    expect(words[words.length - 1] >>> 31).toBe(0);
    words[words.length - 1] |= 0x80000000;
    expect(() => decodeContainer(writeContainer(enc), 'pad.hwz')).toThrow(/layer #1 'block\.conv': .*non-zero padding bits/);
  });

  it("rejects a 'channel' split on a layer with fewer input channels than streams", () => {
    const enc = encodeModel(model, { states: 64, streams: 4, bins: 15 });
    const dw = enc.layers[2];
    if (dw.codec !== 'tans') throw new Error('expected a tANS layer');
    dw.split = 'channel';
    expect(() => readContainer(writeContainer(enc), 's.hwz')).toThrow(/layer #2 'block\.dw': split 'channel' with 1 input channels for 4 streams/);
  });

  it('costs at most 64 bytes beyond the payload per tANS layer with an fse/tuned spread (S = 8, 31 bins, L = 256)', () => {
    const big: Model = { ...model, layers: [0, 1, 2, 3].map((k) => ({
      spec: { name: `c${k}`, kind: 'conv' as const, weightShape: [256, 128, 3, 3], ifmapH: 16, ifmapW: 16, filterH: 3, filterW: 3, channels: 128, filters: 256, stride: 1 },
      weights: laplaceWeights(256 * 128 * 9, 0.02 * (k + 1), 10 + k),
    })) };
    const enc = encodeModel(big, { states: 256, streams: 8, bins: 31, keepEdges: false });
    const bytes = writeContainer(enc);
    const read = readContainer(bytes, 'big.hwz');
    const payload = read.records.reduce((a, r) => a + r.payload.length, 0);
    let counted = 0;
    read.records.forEach((r, i) => {
      const l = read.layers[i];
      const overhead = r.prefix.length + 4; // prefix + CRC
      counted += overhead;
      if (l.codec === 'tans' && l.spreadKind !== 'explicit') expect(overhead).toBeLessThanOrEqual(64);
    });
    // the file accounted for two ways: magic + payloads + per-record overhead + trailer (its
    // length read from the file's last 16 bytes) is the file's size
    const metaLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 16, true);
    expect(4 + payload + counted + metaLen + 16).toBe(bytes.length);
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
