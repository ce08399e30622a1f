import { describe, expect, it } from 'vitest';
import { rng } from './laplace.js';
import { HwsimError } from '../src/errors.js';
import { ChainCost, expectedBitsPerSymbol } from '../src/codecs/tans/cost.js';
import { chooseTable, spreadByProbability, spreadStorageBits } from '../src/codecs/tans/optimize.js';
import { fseBaselineTable, fseNormalizeCount, fseSpread, spreadFseTail } from '../src/codecs/tans/fse-baseline.js';
import { normalizeCounts, normalizeLargestRemainder } from '../src/codecs/tans/normalize.js';
import { buildDecodeTable, buildEncodeTable, spreadFseStep, spreadTuned } from '../src/codecs/tans/table.js';
import { decodeStream, encodeStream } from '../src/codecs/tans/codec.js';


/** i.i.d. symbols drawn from p (inverse CDF). */
function sample(p: ArrayLike<number>, n: number, rand: () => number): Uint8Array {
  const cdf = new Float64Array(p.length);
  let acc = 0;
  for (let i = 0; i < p.length; i++) { acc += p[i]; cdf[i] = acc; }
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const u = rand() * acc;
    let i = 0;
    while (i < p.length - 1 && u >= cdf[i]) i++;
    out[k] = i;
  }
  return out;
}

function laplaceHist(bins: number, decay: number, total: number): Float64Array {
  const m = (bins - 1) / 2;
  const h = new Float64Array(bins);
  for (let i = 0; i < bins; i++) h[i] = Math.round(total * Math.exp(-decay * Math.abs(i - m)));
  return h;
}

const STATES = [32, 64, 128, 256, 512, 1024, 2048, 4096];

/** Random histograms, degenerate ones included. */
function distributions(rand: () => number, states: number): Float64Array[] {
  const out: Float64Array[] = [];
  out.push(Float64Array.from([0, 1000, 0]));                       // one symbol
  out.push(Float64Array.from([999, 1]));                           // p = 0.999
  out.push(Float64Array.from([1, 1e6, 1, 0, 1]));                  // tails far below 1/L
  out.push(laplaceHist(31, 0.9, 1e6));                             // Laplace-like, 31 bins
  const n = Math.min(states, 256);
  out.push(Float64Array.from({ length: n }, () => 1000 + Math.floor(rand() * 20))); // near-uniform, n = min(L, 256)
  const k = 2 + Math.floor(rand() * Math.min(states - 1, 40));
  out.push(Float64Array.from({ length: k }, () => (rand() < 0.2 ? 0 : 1 + Math.floor(1e4 * rand() ** 4))));
  return out;
}

describe('expectedBitsPerSymbol (cost.ts)', () => {
  it('agrees with actual encodeStream bit lengths on long i.i.d. sequences', () => {
    const rand = rng(11);
    const cases: Array<[number[], number]> = [
      [[0.5, 0.3, 0.15, 0.05], 64],
      [[0.985, 0.005, 0.005, 0.003, 0.002], 64],
      [[0.999, 0.001], 32],
      [Array.from(laplaceHist(15, 0.8, 1e6)), 128],
      [Array.from(laplaceHist(31, 0.5, 1e6)), 256],
    ];
    const n = 400_000;
    for (const [p, L] of cases) {
      const counts = normalizeCounts(p.map((v) => v * 1e6), L);
      for (const spread of [spreadFseStep(counts), spreadTuned(counts), spreadByProbability(counts, p)]) {
        const expected = expectedBitsPerSymbol(Float64Array.from(p), counts, spread);
        const symbols = sample(p, n, rand);
        const enc = encodeStream(symbols, buildEncodeTable(counts, spread));
        const actual = (enc.bitLength - Math.log2(L)) / n;
        // sampling error: the bits of one symbol have a standard deviation of a few bits at most
        expect(Math.abs(actual - expected)).toBeLessThan(5 * 3 / Math.sqrt(n) + 1e-3);
      }
    }
  });

  it('matches plain power iteration of the encoder chain', () => {
    const p = [0.6, 0.25, 0.1, 0.05];
    const L = 32;
    const counts = Int32Array.from([18, 8, 4, 2]);
    const spread = spreadFseStep(counts);
    const enc = buildEncodeTable(counts, spread);
    let pi = new Float64Array(L).fill(1 / L);
    for (let it = 0; it < 5000; it++) {
      const next = new Float64Array(L);
      for (let t = 0; t < L; t++) {
        const x = L + t;
        for (let a = 0; a < p.length; a++) {
          const nb = x < enc.threshold[a] ? enc.maxBits[a] - 1 : enc.maxBits[a];
          next[enc.slotOf[enc.start[a] + (x >>> nb) - counts[a]]] += pi[t] * p[a];
        }
      }
      pi = next;
    }
    let bits = 0;
    for (let t = 0; t < L; t++) {
      const x = L + t;
      for (let a = 0; a < p.length; a++) bits += pi[t] * p[a] * (x < enc.threshold[a] ? enc.maxBits[a] - 1 : enc.maxBits[a]);
    }
    expect(expectedBitsPerSymbol(Float64Array.from(p), counts, spread)).toBeCloseTo(bits, 10);
  });

  it('is zero for one symbol with the whole table, infinite for a symbol without a slot', () => {
    const counts = Int32Array.from([64, 0]);
    expect(expectedBitsPerSymbol(Float64Array.from([1, 0]), counts, spreadFseStep(counts))).toBe(0);
    expect(expectedBitsPerSymbol(Float64Array.from([0.5, 0.5]), counts, spreadFseStep(counts))).toBe(Infinity);
  });

  it('rejects inconsistent inputs with a HwsimError', () => {
    const counts = Int32Array.from([30, 2]);
    expect(() => expectedBitsPerSymbol(Float64Array.from([0.5, 0.5]), counts, spreadFseStep(Int32Array.from([31, 1])))).toThrow(HwsimError);
    expect(() => expectedBitsPerSymbol(Float64Array.from([1]), counts, spreadFseStep(counts))).toThrow(HwsimError);
  });

  it('converges in fewer than 100 iterations when one symbol dominates (p = 0.999, L = 4096)', () => {
    const cc = new ChainCost([0.999, 0.0005, 0.0005], 4096);
    const counts = Int32Array.from([4094, 1, 1]);
    cc.evaluate(counts, spreadFseStep(counts));
    expect(cc.lastIterations).toBeLessThan(100);
  });
});

describe('chooseTable (optimize.ts)', () => {
  it('counts sum to L, every present symbol has a slot, and encode -> decode round-trips, for every L', () => {
    const rand = rng(5);
    for (const L of STATES) {
      for (const hist of distributions(rand, L)) {
        for (const effort of ['fast', 'best'] as const) {
          if (effort === 'best' && L > 64) continue; // 'best' takes ~1 s per table; the bench runs it at 64..256
          const t = chooseTable(hist, L, effort);
          expect(t.counts.reduce((a, b) => a + b, 0)).toBe(L);
          for (let s = 0; s < hist.length; s++) {
            if (hist[s] > 0) expect(t.counts[s]).toBeGreaterThanOrEqual(1); else expect(t.counts[s]).toBe(0);
          }
          if (t.spreadKind === 'fse') expect(t.spread).toEqual(spreadFseStep(t.counts));
          if (t.spreadKind === 'tuned') expect(t.spread).toEqual(spreadTuned(t.counts));
          if (t.spreadKind === 'fse-tail') expect(t.spread).toEqual(spreadFseTail(t.counts, t.tail!));
          if (t.spreadKind === 'tuned-tail') expect(t.spread).toEqual(spreadTuned(t.counts, t.tail!));
          const symbols = sample(hist, 5000, rand);
          const enc = encodeStream(symbols, buildEncodeTable(t.counts, t.spread));
          const out = new Uint8Array(symbols.length);
          decodeStream(enc.words, enc.bitLength, symbols.length, buildDecodeTable(t.counts, t.spread), out);
          expect(out).toEqual(symbols);
        }
      }
    }
  });

  it('corner cases: one symbol owns the table at 0 bits, [999, 1] at L = 32 gets 31/1, 31 symbols at L = 32 get at most 2 slots, 256 near-uniform symbols cost 8 bits', () => {
    const one = chooseTable([0, 0, 500, 0], 64);
    expect(Array.from(one.counts)).toEqual([0, 0, 64, 0]);
    expect(one.expectedBitsPerSymbol).toBe(0);
    const skewed = chooseTable([999, 1], 32, 'best');
    expect(Array.from(skewed.counts)).toEqual([31, 1]); // the dominant symbol pays log2(32/31) at least
    expect(skewed.expectedBitsPerSymbol).toBeLessThan(0.05);
    const full = chooseTable(Array.from({ length: 31 }, (_, i) => 100 + i), 32);
    expect(Math.max(...full.counts)).toBe(2);
    const uniform = chooseTable(Array.from({ length: 256 }, (_, i) => 1000 + (i % 3)), 256);
    expect(uniform.expectedBitsPerSymbol).toBeCloseTo(8, 6);
  });

  it('rejects more present symbols than states, an empty histogram and bad sizes with a fix', () => {
    const expectFix = (f: () => unknown) => {
      try { f(); } catch (e) {
        expect(e).toBeInstanceOf(HwsimError);
        expect((e as HwsimError).fix).toBeTruthy();
        return;
      }
      throw new Error('did not throw');
    };
    expectFix(() => chooseTable(new Array(33).fill(1), 32));
    expectFix(() => chooseTable([0, 0], 64));
    expectFix(() => chooseTable([1, 2], 100));
    expectFix(() => chooseTable([1, -2], 64));
  });

  it('is never worse than the FSE baseline or the placeholder normalization (total cost)', () => {
    const rand = rng(9);
    const sets: Float64Array[] = [
      laplaceHist(15, 0.9, 1e6), laplaceHist(31, 0.9, 1e6), laplaceHist(31, 0.35, 1e6), laplaceHist(15, 4, 1e6),
      Float64Array.from([1, 1e6, 1, 0, 1]), Float64Array.from([999, 1]),
    ];
    for (let k = 0; k < 4; k++) sets.push(Float64Array.from({ length: 20 }, () => Math.floor(1e5 * rand() ** 3)));
    for (const L of [32, 64, 128, 256]) {
      for (const hist of sets) {
        let present = 0;
        let total = 0;
        for (const h of hist) { if (h > 0) present++; total += h; }
        if (present > L) continue;
        const cc = new ChainCost(hist, L);
        const fse = fseBaselineTable(hist, L);
        const fseBits = cc.evaluate(fse.counts, fse.spread) * total + spreadStorageBits(fse.tail.some((b) => b > 0) ? 'fse-tail' : 'fse', L, hist.length);
        const ph = normalizeLargestRemainder(hist, L);
        const phBits = Math.min(cc.evaluate(ph, spreadFseStep(ph)), cc.evaluate(ph, spreadTuned(ph))) * total;
        for (const effort of L <= 64 ? ['fast', 'best'] as const : ['fast'] as const) {
          const t = chooseTable(hist, L, effort);
          const ours = t.expectedBitsPerSymbol * total + spreadStorageBits(t.spreadKind, L, hist.length);
          expect(ours).toBeLessThanOrEqual(fseBits + 1e-6 * total);
          expect(ours).toBeLessThanOrEqual(phBits + 1e-6 * total);
        }
      }
    }
  });

  it('reports the exact cost of the table it returns, and is deterministic', () => {
    const hist = laplaceHist(31, 0.9, 1e6);
    for (const effort of ['fast', 'best'] as const) {
      const a = chooseTable(hist, 64, effort);
      const b = chooseTable(hist, 64, effort);
      expect(b.counts).toEqual(a.counts);
      expect(b.spread).toEqual(a.spread);
      expect(b.spreadKind).toBe(a.spreadKind);
      const p = Float64Array.from(hist);
      expect(expectedBitsPerSymbol(p, a.counts, a.spread)).toBeCloseTo(a.expectedBitsPerSymbol, 9);
    }
  });
});

describe('normalizeCounts and the FSE baseline', () => {
  it('normalizeCounts gives every present symbol a slot and sums to L', () => {
    const rand = rng(3);
    for (const L of STATES) {
      for (const hist of distributions(rand, L)) {
        const c = normalizeCounts(hist, L);
        expect(c.reduce((a, b) => a + b, 0)).toBe(L);
        for (let s = 0; s < hist.length; s++) expect(c[s] > 0).toBe(hist[s] > 0);
      }
    }
  });

  it('FSE normalization: low-probability symbols get -1 and sit at the end of the spread', () => {
    const hist = [5, 3000, 90000, 3000, 5, 0, 1];
    const norm = fseNormalizeCount(hist, 64);
    expect(Array.from(norm)).toEqual([-1, 2, 57, 2, -1, 0, -1]);
    const spread = fseSpread(norm, 64);
    expect(Array.from(spread.slice(61))).toEqual([6, 4, 0]);
    expect(Array.from(fseNormalizeCount([5, 3000, 90000, 3000, 5, 0, 1], 64, false))).toEqual([1, 2, 57, 2, 1, 0, 1]);
    const { counts, tail } = fseBaselineTable(hist, 64);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(64);
    expect(Array.from(tail)).toEqual([0b1010001]); // symbols 0, 4, 6
    expect(spreadFseTail(counts, tail)).toEqual(spread);
    expect(spreadFseTail(counts, new Uint8Array(1))).toEqual(spreadFseStep(counts));
  });

  it('tuned-tail: flagged one-slot symbols fill the end in symbol order, the rest keep the tuned order', () => {
    const counts = Int32Array.from([1, 2, 57, 2, 1, 0, 1]);
    const tail = Uint8Array.from([0b1010001]);
    const spread = spreadTuned(counts, tail);
    expect(Array.from(spread.slice(61))).toEqual([6, 4, 0]);
    const head = Array.from(spread.slice(0, 61));
    expect(head.filter((s) => s === 1).length).toBe(2);
    expect(head.filter((s) => s === 2).length).toBe(57);
    expect(spreadTuned(counts, new Uint8Array(1))).toEqual(spreadTuned(counts));
  });
});
