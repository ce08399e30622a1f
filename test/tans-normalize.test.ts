/**
 * Property test of table choice: for every histogram with 1..L present symbols (alphabet up to 256)
 * at every L = 32..4096, chooseTable returns a valid table (counts sum to L, every present symbol
 * owns >= 1 slot, the spread is the one the container rebuilds from its fields) that round-trips
 * through encode -> decode. Includes the histograms where FSE's own normalization fails
 * (FSE_normalizeM2 rounding a symbol to zero slots), which used to abort `hwsim encode`.
 */
import { describe, expect, it } from 'vitest';
import { rng } from './laplace.js';
import { HwsimError } from '../src/errors.js';
import { chooseTable, hasTail } from '../src/codecs/tans/optimize.js';
import { fseLowProbabilityTail, fseNormalizeCount, tryFseBaselineTable } from '../src/codecs/tans/fse-baseline.js';
import { rebuildSpread } from '../src/codecs/tans/layer.js';
import { buildDecodeTable, buildEncodeTable } from '../src/codecs/tans/table.js';
import { decodeStream, encodeStream } from '../src/codecs/tans/codec.js';


const STATES = [32, 64, 128, 256, 512, 1024, 2048, 4096];

/** Laplace-shaped counts over n symbols, every one present: the shape on which FSE_normalizeM2 fails when n is close to L. */
function peaked(n: number, width: number, scale: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 + Math.floor(scale * Math.exp(-Math.abs(i - n / 2) / width)));
}

/** Named adversarial histograms plus seeded random ones, all with 1..L present symbols. */
function histograms(L: number, rand: () => number): Array<[string, number[]]> {
  const nMax = Math.min(L, 256);
  const out: Array<[string, number[]]> = [];
  const int = (k: number) => Math.floor(rand() * k);
  out.push(['one symbol', [0, 0, 5000, 0]]);
  out.push(['one dominant, two tiny', [1e9, 1, 1]]);
  out.push(['p = 0.999999 in a 256 alphabet', Array.from({ length: 256 }, (_, i) => (i === 128 ? 999_999 : i === 3 ? 1 : 0))]);
  out.push(['one dominant + n-1 symbols of count 1', Array.from({ length: nMax }, (_, i) => (i === 0 ? 1e7 : 1))]);
  out.push(['n = L max: all equal', Array.from({ length: nMax }, () => 7)]);
  out.push(['n = max, peaked (width 8)', peaked(nMax, 8, 1000)]);
  out.push(['n = max, peaked (width 3)', peaked(nMax, 3, 1e5)]);
  out.push(['n = max - 1, peaked', peaked(nMax - 1, 8, 1000)]);
  out.push(['n = max - 1, random tiny', Array.from({ length: nMax - 1 }, () => 1 + int(3))]);
  out.push(['n = max, random tiny', Array.from({ length: nMax }, () => 1 + int(3))]);
  out.push(['n = max, few symbols (total < 2048)', Array.from({ length: nMax }, (_, i) => (i < 3 ? 2 : 1))]);
  if (L <= 128) { // L present symbols scattered in a 256 alphabet, with absent symbols between them
    out.push(['L present of 256, scattered', Array.from({ length: 256 }, (_, i) => (i % 2 === 0 && i / 2 < L ? 1 + int(1000) ** 2 : 0))]);
  }
  for (let k = 0; k < 10; k++) { // random: alphabet, presence, heavy-tailed counts
    const n = 1 + int(nMax);
    const hist = Array.from({ length: n }, () => (rand() < 0.2 ? 0 : 1 + Math.floor(Math.exp(rand() * 16))));
    let present = hist.filter((h) => h > 0).length;
    if (present === 0) { hist[0] = 1; present = 1; }
    out.push([`random ${k} (n = ${n}, ${present} present)`, hist]);
  }
  return out;
}

/** Symbols to round-trip: every present symbol at least once, then draws proportional to the histogram. */
function symbolsFor(hist: number[], rand: () => number, extra: number): Uint8Array {
  const present = hist.flatMap((h, s) => (h > 0 ? [s] : []));
  const total = hist.reduce((a, b) => a + b, 0);
  const out = new Uint8Array(present.length + extra);
  out.set(present);
  for (let i = present.length; i < out.length; i++) {
    let u = rand() * total;
    let s = 0;
    while (s < hist.length - 1 && (hist[s] === 0 || u >= hist[s])) { u -= hist[s]; s++; }
    out[i] = s;
  }
  return out;
}

describe('chooseTable: a valid table for every histogram with 1..L present symbols', () => {
  it.each(STATES)('L = %i: counts sum to L, present symbols >= 1 slot, container-rebuildable spread, encode -> decode round trip', (L) => {
    const rand = rng(L);
    for (const [name, hist] of histograms(L, rand)) {
      const t = chooseTable(hist, L);
      const ctx = `${name} at L = ${L}`;
      expect(t.counts.length, ctx).toBe(hist.length);
      expect(t.counts.reduce((a, b) => a + b, 0), ctx).toBe(L);
      for (let s = 0; s < hist.length; s++) {
        if (hist[s] > 0) expect(t.counts[s], `${ctx}: symbol ${s}`).toBeGreaterThanOrEqual(1);
        else expect(t.counts[s], `${ctx}: absent symbol ${s}`).toBe(0);
      }
      expect(Number.isFinite(t.expectedBitsPerSymbol), ctx).toBe(true);
      if (hasTail(t.spreadKind)) { // tail symbols must be one-slot symbols
        for (let s = 0; s < hist.length; s++) if ((t.tail![s >> 3] >> (s & 7)) & 1) expect(t.counts[s], ctx).toBe(1);
      }
      // what a decoder rebuilds from the container's fields is the spread the encoder used
      expect(rebuildSpread(t.spreadKind, t.counts, t.spread, t.tail), ctx).toEqual(t.spread);
      const symbols = symbolsFor(hist, rand, 2000);
      const enc = encodeStream(symbols, buildEncodeTable(t.counts, t.spread));
      const out = new Uint8Array(symbols.length);
      decodeStream(enc.words, enc.bitLength, symbols.length, buildDecodeTable(t.counts, t.spread), out);
      expect(out, ctx).toEqual(symbols);
    }
  });

  it('covers histograms where FSE\'s normalization fails: fseNormalizeCount throws a HwsimError with a fix, chooseTable still succeeds', () => {
    const failing: Array<[number, number[]]> = [];
    for (const L of [32, 64, 128, 256]) {
      for (const hist of [peaked(L, 8, 1000), peaked(L - 1, 8, 1000), peaked(Math.min(L, 255), 8, 1000)]) {
        if (tryFseBaselineTable(hist, L) === null) failing.push([L, hist]);
      }
    }
    expect(failing.length).toBeGreaterThan(0); // the fallback path really runs
    for (const [L, hist] of failing) {
      let err: unknown;
      try { fseNormalizeCount(hist, L); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(HwsimError);
      expect((err as HwsimError).fix).toBeTruthy();
      const t = chooseTable(hist, L, L <= 64 ? 'best' : 'fast');
      expect(t.counts.reduce((a, b) => a + b, 0)).toBe(L);
      for (let s = 0; s < hist.length; s++) expect(t.counts[s]).toBeGreaterThanOrEqual(1);
    }
  });

  it('fseLowProbabilityTail equals the tail of FSE\'s table wherever FSE succeeds', () => {
    const rand = rng(77);
    let compared = 0;
    for (const L of STATES) {
      for (const [, hist] of histograms(L, rand)) {
        const fse = tryFseBaselineTable(hist, L);
        if (fse === null) continue;
        expect(fseLowProbabilityTail(hist, L)).toEqual(fse.tail);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(50);
  });
});
