import { describe, expect, it } from 'vitest';
import { runTansCosim } from '../src/cosim/tans-cosim.js';
import { CORRUPTION_KINDS } from '../src/cosim/tans-vectors.js';

// The corruption campaign: corrupted layers across L, S and seeds through the Verilator-built RTL
// and the cycle model; error_o must be raised exactly on the layers the reference decoder rejects.
const CONFIGS = [[64, 1], [64, 4], [128, 4], [256, 1], [256, 4]] as const;
const SEEDS = [11, 12];
const LAYERS = 24;
const CORRUPT = Array.from({ length: LAYERS }, (_, l) => l).filter((l) => l % 6 !== 0); // 20 of 24

describe('corruption campaign (Verilator RTL vs the reference decoder)', () => {
  const totals = { corrupted: 0, rejected: 0, missed: 0, falseErrors: 0, kinds: new Map<string, number>() };
  for (const [states, streams] of CONFIGS) {
    for (const seed of SEEDS) {
      it(`L=${states} S=${streams} seed ${seed}: error_o exactly where the reference decoder rejects`, async () => {
        const r = await runTansCosim({ params: { states, symbolBits: 5, streams }, layers: LAYERS, seed, stallRate: 0.2,
          symbolsPerStream: 60, corruptLayers: CORRUPT });
        expect(r.firstMismatch).toBeUndefined();
        expect(r.pass).toBe(true);
        expect(r.perLayer).toHaveLength(LAYERS);
        expect(r.perLayer.filter((l) => l.corrupt)).toHaveLength(CORRUPT.length);
        // every corrupted layer is one the reference rejects, every clean one it accepts
        expect(r.perLayer.map((l) => l.refRejects)).toEqual(r.perLayer.map((l) => l.corrupt));
        expect(r.perLayer.map((l) => l.rtlError)).toEqual(r.perLayer.map((l) => l.corrupt));
        totals.corrupted += r.perLayer.filter((l) => l.corrupt).length;
        totals.rejected += r.perLayer.filter((l) => l.refRejects).length;
        totals.missed += r.missedCorruptions;
        totals.falseErrors += r.falseErrors;
        for (const l of r.corruptions) totals.kinds.set(l.kind, (totals.kinds.get(l.kind) ?? 0) + 1);
      });
    }
  }
  it('campaign totals: at least 200 corrupted layers, every kind of corruption, 0 missed, 0 false errors', () => {
    console.log(`corruption campaign: ${totals.corrupted} corrupted layers, ${totals.rejected} rejected by the reference decoder, ` +
      `missed ${totals.missed}, false errors ${totals.falseErrors}; kinds ${JSON.stringify(Object.fromEntries(totals.kinds))}`);
    expect(totals.corrupted).toBeGreaterThanOrEqual(200);
    expect(totals.missed).toBe(0);
    expect(totals.falseErrors).toBe(0);
    for (const k of CORRUPTION_KINDS) expect(totals.kinds.get(k) ?? 0).toBeGreaterThan(0);
  });
});
