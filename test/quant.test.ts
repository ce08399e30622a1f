// Zero-point quantizer: zero is a bin center, errors bounded by step/2 inside the range, MSE step
// selection, rate-distortion and the mixed-precision entropy budget.
import { describe, expect, it } from 'vitest';
import {
  allocateBits, dequantize, entropyOf, quantize, quantizeInt8, quantizeWith, symbolToInt8,
} from '../src/codecs/quant/index.js';
import { HwsimError } from '../src/errors.js';
import { laplace } from './laplace.js';


const mse = (a: Float32Array, b: Float32Array) => a.reduce((acc, v, i) => acc + (v - b[i]) ** 2, 0) / a.length;

describe('zero-point quantizer', () => {
  it('maps zero to the center bin and is symmetric', () => {
    const w = Float32Array.from([0, 0.1, -0.1, 0.26, -0.26, 5, -5]);
    const q = quantizeWith(w, { bins: 7, step: 0.1 });
    expect(Array.from(q.symbols)).toEqual([3, 4, 2, 6, 0, 6, 0]);
    expect(Array.from(q.symbols, (s) => symbolToInt8(s, 7))).toEqual([0, 1, -1, 3, -3, 3, -3]);
  });

  it('round-trip error is at most step/2 inside the range', () => {
    const w = laplace(20000, 0.05, 7);
    const q = quantize(w, 31);
    const back = dequantize(q.symbols, q.params);
    const edge = 15 * q.params.step;
    w.forEach((v, i) => { if (Math.abs(v) <= edge) expect(Math.abs(v - back[i])).toBeLessThanOrEqual(q.params.step / 2 + 1e-9); });
  });

  it('rejects even, too few or too many bins with a fix', () => {
    for (const bins of [2, 16, 1, 0, 257, 3.5]) {
      expect(() => quantize(new Float32Array(4), bins)).toThrow(HwsimError);
    }
    expect(() => quantize(new Float32Array(4), 16)).toThrow(/odd/);
  });

  it('MSE step beats a clipping-free step, and more bins give less error', () => {
    const w = laplace(50000, 1, 3);
    const q15 = quantize(w, 15);
    const naive = quantizeWith(w, { bins: 15, step: w.reduce((a, v) => Math.max(a, Math.abs(v)), 0) / 7 });
    const e15 = mse(w, dequantize(q15.symbols, q15.params));
    expect(e15).toBeLessThan(mse(w, dequantize(naive.symbols, naive.params)));
    const q31 = quantize(w, 31);
    expect(mse(w, dequantize(q31.symbols, q31.params))).toBeLessThan(e15);
  });

  it('rate-distortion trades error for entropy as lambda grows', () => {
    const w = laplace(50000, 1, 5);
    const a = quantize(w, 31, { method: 'rd', lambda: 0 });
    const b = quantize(w, 31, { method: 'rd', lambda: 0.5 });
    expect(b.entropyBits).toBeLessThan(a.entropyBits);
    expect(mse(w, dequantize(b.symbols, b.params))).toBeGreaterThan(mse(w, dequantize(a.symbols, a.params)));
  });

  it('int8 path: 255 bins, largest weight at ±127', () => {
    const w = Float32Array.from([-2, 1, 0.5, 2]);
    const q = quantizeInt8(w);
    expect(q.params.bins).toBe(255);
    expect(Array.from(q.symbols, (s) => symbolToInt8(s, 255))).toEqual([-127, 64, 32, 127]);
  });

  it('entropyOf: 1 bit for two equal counts, 2 for four, 0 for one symbol', () => {
    expect(entropyOf([1, 1])).toBeCloseTo(1);
    expect(entropyOf([5])).toBe(0);
    expect(entropyOf([1, 1, 1, 1])).toBeCloseTo(2);
  });
});

describe('mixed precision under an entropy budget', () => {
  const layers = [laplace(40000, 1, 1), laplace(20000, 0.1, 2), laplace(80000, 0.5, 3)];
  const n = layers.reduce((a, l) => a + l.length, 0);
  const run = (budget: number) => {
    const params = allocateBits(layers, budget);
    const qs = layers.map((w, i) => quantizeWith(w, params[i]));
    const bits = qs.reduce((a, q) => a + q.entropyBits, 0) / n;
    const err = layers.reduce((a, w, i) => a + mse(w, dequantize(qs[i].symbols, qs[i].params)) * w.length, 0);
    return { params, bits, err };
  };

  it('meets the budget and spends more bits for less error', () => {
    const r1 = run(1);
    const r2 = run(2);
    const r3 = run(3);
    for (const [r, b] of [[r1, 1], [r2, 2], [r3, 3]] as const) expect(r.bits).toBeLessThanOrEqual(b * 1.02);
    expect(r2.bits).toBeGreaterThan(r1.bits);
    expect(r2.err).toBeLessThan(r1.err);
    expect(r3.err).toBeLessThan(r2.err);
    r2.params.forEach((p) => { expect(p.bins % 2).toBe(1); expect(p.bins).toBeGreaterThanOrEqual(3); });
  });

  it('respects the largest allowed bin count', () => {
    const params = allocateBits(layers, 6, { maxBins: 31 });
    params.forEach((p) => expect(p.bins).toBeLessThanOrEqual(31));
  });
});
