// No layer coded larger than raw: a layer whose tANS record (header with its table, plus payload)
// would take more bytes than its symbols as raw bytes is stored raw, with the same quantizer;
// inspect names it and gives both sizes, recomputed from the file; the bit allocator charges a
// layer its table's bits, so small layers get fewer bins.
import { describe, expect, it } from 'vitest';
import { writeContainer } from '../src/codecs/container.js';
import { modelFigures } from '../src/codecs/inspect.js';
import { encodeModel, recordBytes } from '../src/codecs/model-codec.js';
import { decodeContainer } from '../src/codecs/model-image.js';
import { allocateBits, quantize } from '../src/codecs/quant/index.js';
import { tableBits } from '../src/codecs/quant/allocate.js';
import { rawCodec } from '../src/codecs/raw/index.js';
import type { LayerSpec, Model } from '../src/models/types.js';
import { laplace } from './laplace.js';

const conv = (name: string, out: number, inp: number, k: number): LayerSpec => ({
  name, kind: 'conv', ifmapH: 8 + k - 1, ifmapW: 8 + k - 1, filterH: k, filterW: k, channels: inp, filters: out, stride: 1,
  weightShape: [out, inp, k, k],
});

/** first and last layers large; `small` in the middle: 4·2·3·3 = 72 weights */
function model(): Model {
  const specs = [conv('first', 16, 8, 3), conv('small', 4, 2, 3), conv('big', 64, 32, 3), conv('last', 16, 8, 3)];
  return {
    name: 'm', source: 'test', synthetic: true, description: 'test',
    layers: specs.map((spec, i) => ({ spec, weights: laplace(spec.weightShape.reduce((a, b) => a * b, 1), 0.05, 10 + i) })),
  };
}

const rawRecord = (n: number, header: number) => 1 + 1 + header + (n < 128 ? 1 : 2) + n + 4;

describe('never larger than raw', () => {
  it('a 72-weight layer at 63 bins and 8 streams is stored raw with its quantizer; every record is at most raw', () => {
    const m = model();
    const image = encodeModel(m, { bins: 63, states: 64, streams: 8 });
    expect(image.layers.map((l) => l.codec)).toEqual(['raw', 'raw', 'tans', 'raw']);
    const small = image.layers[1];
    // the same symbols as the quantizer's at 63 bins: the weights decode to the same values as tANS would give
    const q = quantize(m.layers[1].weights, 63);
    expect(small.quant.bins).toBe(63);
    expect(rawCodec.decode(small as never)).toEqual(q.symbols);
    for (const l of image.layers) {
      const n = l.shape.reduce((a, b) => a * b, 1);
      expect(recordBytes(l)).toBeLessThanOrEqual(rawRecord(n, 1 + l.shape.length + 1 + 4 + (n > 127 ? 1 : 0)) + 4);
    }
    const bytes = writeContainer(image);
    const { image: read, layers } = decodeContainer(bytes, 'm.hwz');
    const f = modelFigures(read, layers);
    expect(f.layers.map((l) => l.raw?.reason ?? null)).toEqual(['edge', 'fallback', null, 'edge']);
    const why = f.layers[1].raw as { tansBytes: number; rawBytes: number };
    // the raw size is the record in the file; the tANS size is larger
    expect(why.rawBytes).toBe(read.records[1].prefix.length + read.records[1].payload.length + 4);
    expect(why.tansBytes).toBeGreaterThan(why.rawBytes);
  });

  it('the larger layer stays tANS when its record is smaller than raw (the rule compares, it does not just prefer raw)', () => {
    const image = encodeModel(model(), { bins: 15, states: 64, streams: 2 });
    expect(image.layers[2].codec).toBe('tans');
    expect(recordBytes(image.layers[2])).toBeLessThan(64 * 32 * 9);
  });
});

describe('the bit allocator charges the table', () => {
  it('a small layer gets fewer bins when its table counts; a large one is unaffected', () => {
    const small = laplace(72, 0.05, 1);
    const big = laplace(200_000, 0.05, 2);
    const without = allocateBits([small, big], 3, { maxBins: 63 });
    const withTable = allocateBits([small, big], 3, { maxBins: 63, states: 64 });
    expect(withTable[0].bins).toBeLessThan(without[0].bins);
    expect(withTable[1].bins).toBe(without[1].bins);
  });

  it('tableBits grows with the bins: about 2·log2(L / bins + 1) + 1 bits per count', () => {
    expect(tableBits(63, 64)).toBeCloseTo(63 * (2 * Math.log2(64 / 63 + 1) + 1), 9);
    expect(tableBits(7, 64)).toBeLessThan(tableBits(15, 64));
  });
});
