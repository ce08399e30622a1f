// The quantizer's contract beyond test/quant.test.ts: exact symmetry at rounding ties, bad input
// as HwsimError (NaN/infinite weights, bad symbols, bad channel splits), per-channel steps,
// float32 steps (as the container stores them) and the int8 edge path.
import { describe, expect, it } from 'vitest';
import { dequantize, quantize, quantizeInt8, quantizeWith, symbolToInt8 } from '../src/codecs/quant/index.js';
import { HwsimError } from '../src/errors.js';
import { laplace } from './laplace.js';


function raises(fn: () => unknown, re: RegExp): void {
  let err: unknown;
  try { fn(); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(HwsimError);
  expect((err as HwsimError).message).toMatch(re);
  expect((err as HwsimError).fix ?? '').not.toBe('');
}

describe('symmetry', () => {
  it('rounds ties away from zero on both sides', () => {
    // step 0.5: ±0.25, ±0.75, ±1.25 are exact ties
    const q = quantizeWith(Float32Array.from([0.25, -0.25, 0.75, -0.75, 1.25, -1.25, 0, -0]), { bins: 9, step: 0.5 });
    expect(Array.from(q.symbols, (s) => symbolToInt8(s, 9))).toEqual([1, -1, 2, -2, 3, -3, 0, 0]);
  });

  it('quantizing −w mirrors quantizing w, at any step', () => {
    const w = laplace(5000, 0.1, 3);
    const neg = w.map((v) => -v);
    for (const [bins, step] of [[7, 0.05], [31, 0.0125], [255, 0.001]]) {
      const a = quantizeWith(w, { bins, step }), b = quantizeWith(neg, { bins, step });
      a.symbols.forEach((s, i) => expect(b.symbols[i]).toBe(bins - 1 - s));
      expect(b.entropyBits).toBeCloseTo(a.entropyBits, 9);
    }
  });
});

describe('bad input is a HwsimError', () => {
  it('NaN or infinite weights name the index', () => {
    const w = Float32Array.from([0.1, -0.2, NaN, 0.3]);
    raises(() => quantize(w, 15), /weight 2 is NaN/);
    raises(() => quantizeWith(w, { bins: 15, step: 0.1 }), /weight 2 is NaN/);
    raises(() => quantizeInt8(Float32Array.from([1, -Infinity])), /weight 1 is -Infinity/);
  });

  it('empty layers, bad steps, methods and lambdas', () => {
    raises(() => quantize(new Float32Array(0), 15), /no weights/);
    raises(() => quantizeWith(Float32Array.from([1]), { bins: 15, step: 0 }), /step 0/);
    raises(() => quantize(Float32Array.from([1, 2]), 15, { method: 'rd', lambda: -1 }), /lambda -1/);
    raises(() => quantize(Float32Array.from([1, 2]), 15, { method: 'max' as 'mse' }), /unknown quantizer method/);
  });

  it('symbols outside the alphabet', () => {
    expect(symbolToInt8(0, 255)).toBe(-127);
    expect(symbolToInt8(254, 255)).toBe(127);
    expect(symbolToInt8(7, 15)).toBe(0);
    raises(() => symbolToInt8(15, 15), /symbol 15 is outside 0..14/);
    raises(() => symbolToInt8(-1, 15), /outside/);
    raises(() => symbolToInt8(3, 16), /bins 16/);
    raises(() => dequantize(Uint8Array.from([3, 9]), { bins: 9, step: 1 }), /symbol 9 at 1/);
  });
});

describe('per-channel steps', () => {
  // 4 output channels whose scales differ by up to 100×
  const scales = [1, 0.1, 0.01, 0.5];
  const per = 2000;
  const w = new Float32Array(4 * per);
  scales.forEach((b, c) => w.set(laplace(per, b, 11 + c), c * per));

  it('gives each channel its own step and less error than one step', () => {
    const pc = quantize(w, 15, { perChannel: { channels: 4 } });
    const steps = pc.params.stepsPerChannel!;
    expect(steps).toHaveLength(4);
    for (let c = 1; c < 4; c++) expect(Math.abs(Math.log(steps[c] / steps[0] / scales[c]))).toBeLessThan(0.25);
    expect(pc.params.step).toBe(Math.max(...steps));
    const one = quantize(w, 15);
    const err = (q: typeof pc) => {
      const back = dequantize(q.symbols, q.params);
      return w.reduce((a, v, i) => a + (v - back[i]) ** 2, 0);
    };
    expect(err(pc)).toBeLessThan(err(one));
    // an explicit stride gives the same values as the derived one
    expect(dequantize(pc.symbols, pc.params, per)).toEqual(dequantize(pc.symbols, pc.params));
    // inside each channel's range the error is at most half its step
    const back = dequantize(pc.symbols, pc.params);
    w.forEach((v, i) => {
      const s = steps[Math.floor(i / per)];
      if (Math.abs(v) <= 7 * s) expect(Math.abs(v - back[i])).toBeLessThanOrEqual(s / 2 + 1e-7);
    });
  });

  it('rejects a channel count that does not divide the weights', () => {
    raises(() => quantize(w, 15, { perChannel: { channels: 3 } }), /do not split into 3 channels/);
    raises(() => dequantize(new Uint8Array(10), { bins: 3, step: 1, stepsPerChannel: new Float32Array(3) }), /do not split into 3 channels/);
    raises(() => dequantize(new Uint8Array(10), { bins: 3, step: 1, stepsPerChannel: new Float32Array(2) }, 4), /stride 4/);
  });
});

describe('steps are float32', () => {
  it('quantize and quantizeInt8 return steps a float32 holds exactly', () => {
    const w = laplace(3000, 0.037, 5);
    for (const q of [quantize(w, 15), quantize(w, 31, { method: 'rd', lambda: 1e-5 }), quantizeInt8(w)]) {
      expect(Math.fround(q.params.step)).toBe(q.params.step);
    }
  });

  it('int8: the largest weight lands on ±127 and every weight within step/2', () => {
    const w = laplace(3000, 0.037, 9);
    const q = quantizeInt8(w);
    const back = dequantize(q.symbols, q.params);
    let top = 0;
    w.forEach((v, i) => { top = Math.max(top, Math.abs(v)); expect(Math.abs(v - back[i])).toBeLessThanOrEqual(q.params.step / 2 + 1e-7); });
    const levels = Array.from(q.symbols, (s) => symbolToInt8(s, 255));
    expect(Math.max(...levels.map(Math.abs))).toBe(127);
    expect(q.params.step).toBeCloseTo(top / 127, 9);
  });
});
