/**
 * The synthetic layers the wm co-simulations draw fit the unit they run on: a layer whose longest
 * code is deeper than --levels loses its outer bins (narrowBins) until it fits, so that the
 * default `hwsim cosim wm` runs as it is; a model's layers are not changed (they are refused with
 * the flag to raise, as the CLI test in test/cosim-wm-access.test.ts checks).
 */
import { describe, expect, it } from 'vitest';
import { accessLayers, rowLayers } from '../src/cosim/wm-access-cosim.js';
import { narrowBins, wmCosimLayers } from '../src/cosim/wm-vectors.js';
import { resolveWmEngineParams } from '../src/params/groups.js';

describe('narrowBins', () => {
  it('keeps the centre and merges the outer bins into the last kept', () => {
    expect(Array.from(narrowBins(Uint8Array.of(0, 1, 2, 3, 4, 5, 6), 7, 5))).toEqual([0, 0, 1, 2, 3, 4, 4]);
    expect(Array.from(narrowBins(Uint8Array.of(0, 3, 6), 7, 3))).toEqual([0, 1, 2]);
  });
});

describe('synthetic co-simulation layers fit the unit\'s levels', () => {
  for (const levels of [3, 5, 8]) {
    it(`--levels ${levels}: every layer within it, some narrowed against the same draws at 24 levels`, () => {
      const p = resolveWmEngineParams({ wmLevels: levels });
      const deep = resolveWmEngineParams({ wmLevels: 24 });
      let narrowed = 0;
      for (const form of ['block', 'element'] as const) {
        const fit = wmCosimLayers(p, { seed: 3, layers: 10, form });
        const free = wmCosimLayers(deep, { seed: 3, layers: 10, form });
        fit.forEach((c, i) => {
          expect(c.layer.levelLengths.length).toBeLessThanOrEqual(levels);
          if (c.layer.quant.bins < free[i].layer.quant.bins) narrowed++;
        });
      }
      const access = accessLayers(p, { seed: 3, shapes: ['plain', 'huffman'], layers: 8 });
      for (const l of access) expect(l.wm.levels.length).toBeLessThanOrEqual(levels);
      const rows = rowLayers(p, { seed: 3, shapes: ['plain', 'huffman'], layers: 6 });
      for (const l of rows) expect(l.wm.levels.length).toBeLessThanOrEqual(levels);
      const freeAccess = accessLayers(deep, { seed: 3, shapes: ['huffman'], layers: 8 });
      narrowed += freeAccess.filter((l) => l.wm.levels.length > levels).length;
      // the narrowing was needed: the same draws without it are deeper than the unit
      expect(narrowed).toBeGreaterThan(0);
    });
  }
});
