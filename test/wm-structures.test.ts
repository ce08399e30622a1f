/**
 * The wavelet-matrix building blocks against naive references: the bit vector's rank/select and
 * directory, the plain and Huffman-shaped matrices' access/rank/select, their space against n·H0.
 */
import { describe, expect, it } from 'vitest';
import { HwsimError } from '../src/errors.js';
import { BitVector, buildDirectory, popcount32 } from '../src/codecs/wm/bitvector.js';
import { assignCodes, huffmanLengths, huffmanMatrix, plainMatrix, type WaveletMatrix } from '../src/codecs/wm/matrix.js';
import { quantize } from '../src/codecs/quant/index.js';
import { laplace, rng } from './laplace.js';

function randomBits(n: number, p: number, seed: number): BitVector {
  const r = rng(seed);
  const words = new Uint32Array(Math.ceil(n / 32));
  for (let i = 0; i < n; i++) if (r() < p) words[i >>> 5] |= 1 << (i & 31);
  return new BitVector(words, n);
}

const EDGE_LENGTHS = [0, 1, 31, 32, 33, 63, 64, 65, 511, 512, 513, 2047, 2048, 2049, 5000];

describe('bit vector', () => {
  it('popcount32 counts bits', () => {
    for (const v of [0, 1, 0xffffffff, 0x80000000, 0x12345678]) {
      expect(popcount32(v)).toBe(v.toString(2).split('').filter((c) => c === '1').length);
    }
  });

  it('rank and select agree with a naive scan at every position, every edge length and density', () => {
    for (const n of EDGE_LENGTHS) {
      for (const p of [0, 0.05, 0.5, 0.97, 1]) {
        const bv = randomBits(n, p, n * 7 + Math.round(p * 100));
        let ones = 0;
        const onesAt: number[] = [];
        const zerosAt: number[] = [];
        for (let i = 0; i <= n; i++) {
          expect(bv.rank1(i)).toBe(ones);
          expect(bv.rank0(i)).toBe(i - ones);
          if (i < n) {
            if (bv.get(i)) { onesAt.push(i); ones++; } else zerosAt.push(i);
          }
        }
        onesAt.forEach((pos, j) => expect(bv.select1(j)).toBe(pos));
        zerosAt.forEach((pos, j) => expect(bv.select0(j)).toBe(pos));
        expect(() => bv.select1(onesAt.length)).toThrow(HwsimError);
        expect(() => bv.select0(zerosAt.length)).toThrow(HwsimError);
        expect(() => bv.get(n)).toThrow(/outside/);
      }
    }
  });

  it('the directory costs ≤ 3.125 % of a long bitmap (≤ 6.25 % asked) and a wrong directory breaks rank', () => {
    const bv = randomBits(1 << 16, 0.5, 3);
    expect(bv.dir.length / bv.words.length).toBeLessThanOrEqual(0.03125 + 1e-3);
    // mutation: a directory off by one in one relative count changes rank in that sub-block
    const dir = buildDirectory(bv.words, bv.length).slice();
    dir[2 * 3 + 1] += 1;
    const bad = new BitVector(bv.words, bv.length, dir);
    expect(bad.rank1(3 * 2048 + 600)).toBe(bv.rank1(3 * 2048 + 600) + 1);
  });
});

function naiveRank(seq: Uint8Array, c: number, i: number): number {
  let r = 0;
  for (let k = 0; k < i; k++) if (seq[k] === c) r++;
  return r;
}

function checkMatrix(wm: WaveletMatrix, seq: Uint8Array, sigma: number): void {
  for (let i = 0; i < seq.length; i++) expect(wm.access(i)).toBe(seq[i]);
  const probes = [0, 1, seq.length >> 1, seq.length - 1, seq.length].filter((i) => i >= 0 && i <= seq.length);
  for (let c = 0; c < sigma; c++) {
    for (const i of probes) expect(wm.rank(c, i)).toBe(naiveRank(seq, c, i));
    let j = 0;
    for (let i = 0; i < seq.length; i++) if (seq[i] === c) expect(wm.select(c, j++)).toBe(i);
    expect(() => wm.select(c, j)).toThrow(HwsimError);
  }
  expect(() => wm.access(seq.length)).toThrow(/access: position .* outside/);
  expect(() => wm.access(-1)).toThrow(HwsimError);
}

function randomSeq(n: number, sigma: number, seed: number, skew: boolean): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => {
    const u = r();
    return Math.min(sigma - 1, Math.floor(skew ? sigma * u * u * u : sigma * u));
  });
}

describe('wavelet matrix', () => {
  it('plain and Huffman-shaped: access, rank, select equal the naive reference for every σ and edge length', () => {
    for (const sigma of [1, 2, 3, 4, 5, 7, 8, 15, 16, 31, 64, 255]) {
      for (const n of [0, 1, 2, 63, 64, 65, 700]) {
        for (const skew of [false, true]) {
          const seq = randomSeq(n, sigma, sigma * 1000 + n + (skew ? 1 : 0), skew);
          checkMatrix(plainMatrix(seq, sigma), seq, sigma);
          checkMatrix(huffmanMatrix(seq, sigma), seq, sigma);
        }
      }
    }
  });

  it('a sequence past 2048 bits per level crosses directory blocks', () => {
    const seq = randomSeq(9000, 31, 5, true);
    checkMatrix(huffmanMatrix(seq, 31), seq, 31);
  });

  it('plain matrix bitmaps are n·⌈log2 σ⌉; Huffman bitmaps are Σ n_c·len(c)', () => {
    const seq = randomSeq(5000, 15, 9, true);
    expect(plainMatrix(seq, 15).bitmapBits).toBe(5000 * 4);
    const counts = new Float64Array(15);
    for (const s of seq) counts[s]++;
    const lengths = huffmanLengths(counts);
    expect(huffmanMatrix(seq, 15).bitmapBits).toBe(Array.from(seq).reduce((a, s) => a + lengths[s], 0));
  });

  it('codes are prefix-free and the ending codes take the largest prefixes at each depth', () => {
    const lengths = huffmanLengths([100, 50, 20, 20, 5, 3, 1, 1]);
    const { codes } = assignCodes(lengths);
    for (let a = 0; a < 8; a++) {
      for (let b = 0; b < 8; b++) {
        if (a === b || lengths[a] > lengths[b]) continue;
        expect((codes[b] & ((1 << lengths[a]) - 1)) === codes[a]).toBe(false);
        // a code ending at depth d is larger than the d-bit prefix of every longer code
        if (lengths[a] < lengths[b]) expect(codes[a]).toBeGreaterThan(codes[b] & ((1 << lengths[a]) - 1));
      }
    }
  });

  it('Huffman-shaped space is within H0 + 10 % (directories included) on 15- and 31-bin Laplace weights', () => {
    for (const bins of [15, 31]) {
      const q = quantize(laplace(200_000, 0.05, bins), bins, { method: 'mse' });
      const counts = new Float64Array(bins);
      for (const s of q.symbols) counts[s]++;
      const n = q.symbols.length;
      const h0 = counts.reduce((h, c) => (c ? h - (c / n) * Math.log2(c / n) : h), 0);
      const wm = huffmanMatrix(q.symbols, bins);
      checkSample(wm, q.symbols);
      expect(wm.storedBits / n).toBeLessThanOrEqual(1.10 * h0);
      expect(plainMatrix(q.symbols, bins).storedBits / n).toBeGreaterThan(Math.ceil(Math.log2(bins)));
    }
  });
});

function checkSample(wm: WaveletMatrix, seq: Uint8Array): void {
  for (let i = 0; i < seq.length; i += 97) expect(wm.access(i)).toBe(seq[i]);
}
