// Round-trip and invariant tests of the tANS reference codec (table, stream, layer, layout).
import { describe, expect, it } from 'vitest';
import { decodeStream, encodeStream, StreamDecodeError } from '../src/codecs/tans/codec.js';
import { deinterleaveStreams, interleaveStreams, wordOwners } from '../src/codecs/tans/layout.js';
import { decodeTansLayer, encodeTansLayer } from '../src/codecs/tans/layer.js';
import { chooseTable } from '../src/codecs/tans/optimize.js';
import { normalizeCounts } from '../src/codecs/tans/normalize.js';
import { effectiveSplit, streamIndices } from '../src/codecs/tans/streams.js';
import {
  buildDecodeTable, buildEncodeTable, checkSpread, checkStates, spreadFseStep, spreadTuned,
} from '../src/codecs/tans/table.js';
import { HwsimError } from '../src/errors.js';
import { stepBitsDecoded, tansCodec } from '../src/codecs/tans/index.js';
import { histogram } from '../src/codecs/tans/layer.js';

/** Deterministic PRNG for test data (xorshift32). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/** Samples n symbols from probabilities p. */
function sample(p: number[], n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const cdf = p.map(((acc) => (v: number) => (acc += v))(0));
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = r() * cdf[cdf.length - 1];
    let k = 0;
    while (k < p.length - 1 && cdf[k] <= u) k++;
    out[i] = k;
  }
  return out;
}

function histogramOf(symbols: Uint8Array, n: number): number[] {
  const h = new Array(n).fill(0);
  for (const s of symbols) h[s]++;
  return h;
}

const laplace = (n: number, b: number) => Array.from({ length: n }, (_, i) => Math.exp(-Math.abs(i - (n - 1) / 2) / b));

const distributions: Array<[string, number[], number]> = [
  ['one symbol', [1], 32],
  ['p = 0.999', [0.0005, 0.999, 0.0005], 32],
  ['laplace 15 bins', laplace(15, 1.2), 32],
  ['laplace 31 bins', laplace(31, 3), 32],
  ['L=32 with 31 symbols', laplace(31, 8), 32],
  ['256 near-uniform', Array.from({ length: 256 }, (_, i) => 1 + 0.01 * (i % 7)), 256],
  ['two symbols', [0.3, 0.7], 32],
];

function roundTrip(symbols: Uint8Array, alphabet: number, states: number, spread: 'fse' | 'tuned' | 'chosen') {
  const hist = histogramOf(symbols, alphabet);
  const choice = chooseTable(hist, states);
  const counts = choice.counts;
  const sp = spread === 'fse' ? spreadFseStep(counts) : spread === 'tuned' ? spreadTuned(counts) : choice.spread;
  checkSpread(sp, counts);
  const enc = buildEncodeTable(counts, sp);
  const dec = buildDecodeTable(counts, sp);
  const s = encodeStream(symbols, enc);
  expect(s.words.length).toBe(Math.ceil(s.bitLength / 32));
  const out = new Uint8Array(symbols.length);
  decodeStream(s.words, s.bitLength, symbols.length, dec, out);
  expect(out).toEqual(symbols);
  return { counts, bits: s.bitLength };
}

describe('tANS tables', () => {
  it('rejects bad table sizes with a fix', () => {
    for (const bad of [0, 33, 100, 16, 8192, -64, 64.5]) {
      expect(() => checkStates(bad)).toThrow(HwsimError);
    }
    expect(() => checkStates(48)).toThrow(/not a power of two/);
    expect(() => checkStates(8192)).toThrow(/outside 32..4096/);
    for (let k = 5; k <= 12; k++) expect(checkStates(1 << k)).toBe(k);
  });

  it('rejects more distinct symbols than states', () => {
    const hist = new Array(40).fill(1);
    expect(() => chooseTable(hist, 32)).toThrow(HwsimError);
    expect(() => chooseTable(hist, 32)).toThrow(/40 distinct symbols/);
  });

  it('builds decode entries in range and consistent with the spread', () => {
    for (let k = 5; k <= 12; k++) {
      const L = 1 << k;
      const hist = laplace(31, 2).map((p) => Math.round(p * 10000));
      const { counts, spread } = chooseTable(hist, L);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(L);
      hist.forEach((h, i) => { if (h > 0) expect(counts[i]).toBeGreaterThanOrEqual(1); });
      const dec = buildDecodeTable(counts, spread);
      for (let s = 0; s < L; s++) {
        expect(dec.symbol[s]).toBe(spread[s]);
        expect(dec.nbBits[s]).toBeLessThanOrEqual(k);
        expect(dec.newState[s] + (1 << dec.nbBits[s]) - 1).toBeLessThan(L);
      }
    }
  });

  it('handles entries with nbBits = 0 (a symbol owning more than half the table)', () => {
    const counts = Int32Array.from([1, 30, 1]);
    const dec = buildDecodeTable(counts, spreadTuned(counts));
    expect(Array.from(dec.nbBits).some((b) => b === 0)).toBe(true);
    roundTrip(sample([0.02, 0.96, 0.02], 5000, 3), 3, 32, 'tuned');
  });
});

describe('tANS stream round trip', () => {
  for (const [name, p, minStates] of distributions) {
    it(`${name}: every L from ${minStates} to 4096, three spreads`, () => {
      const symbols = sample(p, 20000, name.length);
      for (let k = 5; k <= 12; k++) {
        const L = 1 << k;
        if (L < minStates) continue;
        for (const spread of ['fse', 'tuned', 'chosen'] as const) roundTrip(symbols, p.length, L, spread);
      }
    });
  }

  it('random distributions over random alphabets', () => {
    const r = rng(99);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(r() * 60);
      const p = Array.from({ length: n }, () => r() ** 4);
      const symbols = sample(p, 1 + Math.floor(r() * 5000), trial + 1);
      const L = 1 << (6 + Math.floor(r() * 7));
      roundTrip(symbols, n, L, 'chosen');
    }
  });

  it('a single-symbol stream costs only its initial state', () => {
    const { bits } = roundTrip(new Uint8Array(1000), 1, 64, 'chosen');
    expect(bits).toBe(6);
  });

  it('refuses to encode a symbol without a slot', () => {
    const counts = Int32Array.from([32, 0, 32]);
    const enc = buildEncodeTable(counts, spreadTuned(counts));
    expect(() => encodeStream(Uint8Array.from([0, 2, 1, 0]), enc)).toThrow(/symbol 1 at index 2 has no slot/);
    expect(() => encodeStream(Uint8Array.from([0, 7]), enc)).toThrow(/symbol 7 at index 1/);
  });

  it('empty stream: just the initial state 0', () => {
    const counts = Int32Array.from([64]);
    const s = encodeStream(new Uint8Array(0), buildEncodeTable(counts, spreadTuned(counts)));
    expect(s.bitLength).toBe(6);
    expect(Array.from(s.words)).toEqual([0]);
  });

  it('detects a stream that does not end in state 0 or uses the wrong number of bits', () => {
    const symbols = sample(laplace(15, 1.5), 3000, 5);
    // a fixed table rule, so that the figure does not move with the optimizer's choice
    const counts = normalizeCounts(histogramOf(symbols, 15), 64);
    const spread = spreadTuned(counts);
    const s = encodeStream(symbols, buildEncodeTable(counts, spread));
    const dec = buildDecodeTable(counts, spread);
    const out = new Uint8Array(symbols.length);
    let detected = 0;
    for (let w = 0; w < s.words.length; w += 7) {
      const bad = s.words.slice();
      bad[w] ^= 1 << (w % 32);
      try { decodeStream(bad, s.bitLength, symbols.length, dec, out); } catch (e) {
        expect(e).toBeInstanceOf(StreamDecodeError);
        detected++;
      }
    }
    // A flipped bit may still end in state 0: tANS decoding resynchronizes after an error, so
    // the end-state check catches most flips, not all; the container's CRC is the main guard.
    expect(detected).toBeGreaterThan(0.8 * Math.ceil(s.words.length / 7));
    expect(() => decodeStream(s.words, s.bitLength + 1, symbols.length, dec, out)).toThrow(StreamDecodeError);
  });
});

describe('streams of a layer', () => {
  it('channel split assigns input channels round-robin; interleaved by index', () => {
    const ch = streamIndices([2, 3, 1, 2], 2, 'channel'); // out 2, in 3, kernel 1x2
    expect(Array.from(ch[0])).toEqual([0, 1, 4, 5, 6, 7, 10, 11]);
    expect(Array.from(ch[1])).toEqual([2, 3, 8, 9]);
    const il = streamIndices([10], 3, 'interleaved');
    expect(il.map((a) => Array.from(a))).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    // fewer input channels than streams (depthwise): falls back to interleaved
    expect(streamIndices([8, 1, 3, 3], 4, 'channel')[1][0]).toBe(1);
  });

  it('word interleaving round-trips and skips exhausted streams', () => {
    const a = Uint32Array.from([1, 2, 3]);
    const b = Uint32Array.from([10]);
    const c = Uint32Array.from([20, 21]);
    const words = interleaveStreams([a, b, c]);
    expect(Array.from(words)).toEqual([1, 10, 20, 2, 21, 3]);
    expect(Array.from(wordOwners([3, 1, 2]))).toEqual([0, 1, 2, 0, 2, 0]);
    expect(deinterleaveStreams(words, [3, 1, 2])).toEqual([a, b, c]);
  });

  it('layer round trip for S = 1..16, both splits', () => {
    const shape = [24, 16, 3, 3];
    const n = shape.reduce((x, y) => x * y, 1);
    const symbols = sample(laplace(31, 2.5), n, 11);
    for (let S = 1; S <= 16; S++) {
      for (const split of ['channel', 'interleaved'] as const) {
        const code = encodeTansLayer(symbols, 31, shape, { states: 128, streams: S, split });
        expect(code.streams.length).toBe(S);
        expect(code.words.length).toBe(code.streams.reduce((a, s) => a + s.words.length, 0));
        const words = deinterleaveStreams(code.words, code.streams.map((s) => s.words.length));
        const back = decodeTansLayer(shape, code.decodeTable, split, code.streams.map((s, k) => ({ ...s, words: words[k] })));
        expect(back).toEqual(symbols);
      }
    }
  });

  it('effectiveSplit: channel only with at least S input channels, else interleaved; interleaved stays interleaved', () => {
    expect(effectiveSplit([8, 4, 3, 3], 4, 'channel')).toBe('channel');
    expect(effectiveSplit([8, 3, 3, 3], 4, 'channel')).toBe('interleaved');  // C = 3 < S = 4
    expect(effectiveSplit([32, 1, 3, 3], 8, 'channel')).toBe('interleaved'); // depthwise
    expect(effectiveSplit([32, 1, 3, 3], 1, 'channel')).toBe('channel');     // one stream: C = 1 is enough
    expect(effectiveSplit([10], 3, 'channel')).toBe('interleaved');          // rank 1: one input channel
    expect(effectiveSplit([10, 20], 3, 'interleaved')).toBe('interleaved');
    expect(() => effectiveSplit([8, 4], 0, 'channel')).toThrow(HwsimError);
    expect(() => effectiveSplit([8, 4], 2, 'bogus' as never)).toThrow(HwsimError);
  });

  it('streamIndices applies exactly the effective split', () => {
    for (const shape of [[8, 4, 3, 3], [8, 3, 3, 3], [32, 1, 3, 3], [10], [6, 5]]) {
      for (const S of [1, 2, 3, 4, 8]) {
        const used = effectiveSplit(shape, S, 'channel');
        expect(streamIndices(shape, S, 'channel'), `${shape} S=${S}`).toEqual(streamIndices(shape, S, used));
      }
    }
    // the two rules really differ on these shapes, so the equality above says which one ran
    expect(streamIndices([8, 4, 3, 3], 4, 'channel')).not.toEqual(streamIndices([8, 4, 3, 3], 4, 'interleaved'));
  });

  it('encodeTansLayer records the split it used (depthwise: interleaved), and decoding with the recorded split round-trips', () => {
    const cases: Array<[number[], number, 'channel' | 'interleaved']> = [
      [[16, 1, 3, 3], 8, 'interleaved'], [[16, 8, 3, 3], 8, 'channel'], [[16, 8, 3, 3], 16, 'interleaved'],
    ];
    for (const [shape, S, expected] of cases) {
      const n = shape.reduce((x, y) => x * y, 1);
      const symbols = sample(laplace(31, 2.5), n, 5);
      const code = encodeTansLayer(symbols, 31, shape, { states: 64, streams: S, split: 'channel' });
      expect(code.split, `${shape} S=${S}`).toBe(expected);
      const words = deinterleaveStreams(code.words, code.streams.map((s) => s.words.length));
      const back = decodeTansLayer(shape, code.decodeTable, code.split, code.streams.map((s, k) => ({ ...s, words: words[k] })));
      expect(back).toEqual(symbols);
    }
  });
});

describe('streamLengths', () => {
  it('equals the lengths of streamIndices for every split, shape and stream count', async () => {
    const { streamIndices, streamLengths } = await import('../src/codecs/tans/streams.js');
    let checked = 0;
    for (const shape of [[8, 3, 3, 3], [16, 1, 3, 3], [10, 64], [7, 5], [32, 16, 1, 1], [5, 13, 2, 3]]) {
      for (const S of [1, 2, 3, 4, 8, 16]) {
        for (const split of ['channel', 'interleaved'] as const) {
          expect(Array.from(streamLengths(shape, S, split)), `${shape} S=${S} ${split}`)
            .toEqual(streamIndices(shape, S, split).map((l) => l.length));
          checked++;
        }
      }
    }
    expect(checked).toBe(72);
  });
});

describe('copyStream', () => {
  it('gathers and scatters exactly the weights streamIndices assigns, in its order', async () => {
    const { copyStream, streamIndices } = await import('../src/codecs/tans/streams.js');
    let moved = 0;
    for (const shape of [[8, 3, 3, 3], [16, 1, 3, 3], [10, 64], [7, 5], [32, 16, 1, 1], [5, 13, 2, 3]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const flat = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      for (const S of [1, 3, 4, 8]) {
        for (const split of ['channel', 'interleaved'] as const) {
          const back = new Uint8Array(n);
          streamIndices(shape, S, split).forEach((idx, k) => {
            const own = new Uint8Array(idx.length);
            copyStream(flat, own, shape, S, split, k, true);
            expect(Array.from(own)).toEqual(Array.from(idx, (i) => flat[i]));
            copyStream(back, own, shape, S, split, k, false);
            moved += own.length;
          });
          expect(back).toEqual(flat);
        }
      }
    }
    expect(moved).toBeGreaterThan(1000);
  });
});

describe('tansCodec.decodeHistogram (verifying an image without putting the symbols in flat order)', () => {
  it('counts exactly the symbols decode() yields, records the same step bits, and fails the checks decode() fails', () => {
    for (const [shape, S, split] of [[[16, 8, 3, 3], 4, 'channel'], [[16, 1, 3, 3], 8, 'channel'], [[40, 30], 3, 'interleaved']] as const) {
      const n = shape.reduce((x, y) => x * y, 1);
      const symbols = sample(laplace(31, 2.5), n, 7);
      const layer = tansCodec.encode(symbols, { shape: [...shape], quant: { bins: 31, step: 0.01 } },
        { states: 64, streams: S, split, effort: 'fast' });
      const hist = tansCodec.decodeHistogram!(layer, 31);
      const histBits = stepBitsDecoded(layer.words)!.map((b) => Array.from(b));
      expect(Array.from(hist)).toEqual(Array.from(histogram(symbols, 31)));
      expect(Array.from(histogram(tansCodec.decode(layer), 31))).toEqual(Array.from(hist));
      expect(stepBitsDecoded(layer.words)!.map((b) => Array.from(b))).toEqual(histBits);
      // a stream cut short: both refuse it
      const cut = { ...layer, words: layer.words.slice(0, -1), wordCounts: Int32Array.from(layer.wordCounts, (c, k) => (k === S - 1 ? c - 1 : c)) };
      expect(() => tansCodec.decode(cut as never)).toThrow(HwsimError);
      expect(() => tansCodec.decodeHistogram!(cut as never, 31)).toThrow(HwsimError);
    }
  });
});
