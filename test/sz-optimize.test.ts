/** The error-bound optimizer (src/codecs/sz/optimize.ts): the DP against exhaustive search. */
import { describe, expect, it } from 'vitest';
import { bruteForce, optimizeBounds, type LayerCandidates } from '../src/codecs/sz/optimize.js';
import { rng } from './laplace.js';

/** random instances shaped like an assessment: bytes fall and losses rise as the bound grows */
function instance(seed: number, layers: number, bounds: number): LayerCandidates[] {
  const u = rng(seed);
  return Array.from({ length: layers }, () => {
    let bytes = 1000 + Math.floor(u() * 5000);
    let loss = Math.floor(u() * 2) - 1;
    const out: LayerCandidates = { bytes: [], loss: [] };
    for (let j = 0; j < bounds; j++) {
      (out.bytes as number[]).push(bytes);
      (out.loss as number[]).push(loss);
      bytes = Math.max(1, bytes - Math.floor(u() * 800));
      loss += Math.floor(u() * u() * 6) - (u() < 0.1 ? 1 : 0); // mostly rising, sometimes noisy
    }
    return out;
  });
}

describe('error-bound optimizer', () => {
  it('the DP finds the least bytes within the budget, as exhaustive search does (400 random cases)', () => {
    let feasible = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const layers = 1 + (seed % 4);
      const cands = 2 + (seed % 6);
      const inst = instance(seed, layers, cands);
      const budget = seed % 9;
      const dp = optimizeBounds(inst, budget);
      const bf = bruteForce(inst, budget);
      expect(dp.bytes).toBe(bf.bytes);
      if (dp.pick) {
        feasible++;
        // the back-pointers give a choice with exactly those bytes, within the budget
        expect(dp.pick.reduce((a, j, i) => a + inst[i].bytes[j], 0)).toBe(dp.bytes);
        expect(dp.loss).toBeLessThanOrEqual(budget);
      } else {
        expect(bf.pick).toBeNull();
      }
    }
    expect(feasible).toBeGreaterThan(300);
  });

  it('a larger budget never costs more bytes', () => {
    const inst = instance(7, 3, 8);
    let prev = Infinity;
    for (let b = 0; b < 20; b++) {
      const r = optimizeBounds(inst, b);
      expect(r.bytes).toBeLessThanOrEqual(prev);
      prev = r.bytes;
    }
  });

  it('refuses a fractional or negative budget and mismatched candidates', () => {
    expect(() => optimizeBounds([], -1)).toThrow(/budget -1/);
    expect(() => optimizeBounds([], 0.5)).toThrow(/budget 0.5/);
    expect(() => optimizeBounds([{ bytes: [1, 2], loss: [0] }], 1)).toThrow(/2 sizes for 1 losses/);
  });
});
