import { describe, expect, it } from 'vitest';
import { runTansCosim } from '../src/cosim/tans-cosim.js';

// Real Verilator builds (cached under build/cosim/); nothing here falls back to software.
describe('Verilator co-simulation of tans_engine', () => {
  for (const states of [64, 256]) {
    for (const streams of [1, 4]) {
      for (const stallRate of [0, 0.3]) {
        it(`L=${states} S=${streams} stall ${stallRate}: symbols and cycles exact`, async () => {
          const r = await runTansCosim({ params: { states, symbolBits: 5, streams }, layers: 3, seed: states + streams, stallRate, symbolsPerStream: 300 });
          expect(r.firstMismatch).toBeUndefined();
          expect(r.pass).toBe(true);
          expect(r.rtlCycles).toBeGreaterThan(0);
          expect(r.rtlCycles).toBe(r.modelCycles);
          expect(r.cycleCountsCompared).toBe(3);
          expect(r.perLayer.map((l) => l.rtlRun)).toEqual(r.perLayer.map((l) => l.modelRun));
          expect(r.perLayer.every((l) => l.rtlRun > 0 && !l.rtlError)).toBe(true);
          expect(r.symbolsCompared).toBeGreaterThan(300 * streams);
        });
      }
    }
  }

  it('a corrupted layer: RTL and model raise error on the same cycle count, and the next layer is clean', async () => {
    const r = await runTansCosim({ params: { states: 64, symbolBits: 5, streams: 4 }, layers: 3, seed: 3, stallRate: 0.3, corruptLayers: [1] });
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.perLayer.map((l) => l.rtlError)).toEqual([false, true, false]);
    expect(r.perLayer[1].rtlRun).toBe(r.perLayer[1].modelRun);
  });
});
