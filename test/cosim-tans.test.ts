import { describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTansCosim } from '../src/cosim/tans-cosim.js';
import { buildTansHarness } from '../src/cosim/verilator.js';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { loadZooModel } from '../src/models/zoo.js';

// The real build, wrapped in a spy so a test can tell whether a build was started at all.
vi.mock('../src/cosim/verilator.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/cosim/verilator.js')>();
  return { ...real, buildTansHarness: vi.fn(real.buildTansHarness) };
});

const NSFWJS = join(import.meta.dirname, '..', '.cache', 'models', 'nsfwjs-mobilenet_v2', 'model.json');

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

  it('layers from the encoder (zoo lenet-5 and, when cached, trained MobileNetV2): symbols and cycles exact', async () => {
    const models = [loadZooModel('lenet-5', 1)];
    if (existsSync(NSFWJS)) models.push(loadWeightsFile(NSFWJS));
    else console.warn(`cosim-tans.test: ${NSFWJS} is missing; only the zoo model runs. Run: bash scripts/fetch-models.sh`);
    for (const model of models) {
      const r = await runTansCosim({
        params: { states: 128, symbolBits: 5, streams: 4 }, layers: 6, seed: 2, stallRate: 0.25,
        weights: { model, bins: 31, maxWeightsPerLayer: 20000 },
      });
      expect(r.firstMismatch).toBeUndefined();
      expect(r.pass).toBe(true);
      expect(r.layers).toBe(Math.min(6, model.layers.length));
      expect(r.cycleCountsCompared).toBe(r.layers);
      expect(r.rtlCycles).toBe(r.modelCycles);
      // every weight of each layer, up to whole output channels within the cap
      const expected = model.layers.slice(0, 6).reduce((a, l) => {
        const perOut = l.weights.length / l.spec.weightShape[0];
        return a + Math.max(1, Math.min(l.spec.weightShape[0], Math.floor(20000 / perOut))) * perOut;
      }, 0);
      expect(r.symbolsCompared).toBe(expected);
    }
  });

  it('rejects impossible options (stall rate, layers, symbols, --corrupt, bins) without starting a Verilator build', async () => {
    const build = vi.mocked(buildTansHarness);
    build.mockClear();
    // a build root that cannot exist: a build that did start would fail with another message
    const base = { params: { states: 64, symbolBits: 5, streams: 4 }, layers: 2, seed: 1, stallRate: 0.2, buildRoot: '/dev/null/no-build' };
    await expect(runTansCosim({ ...base, stallRate: 1 })).rejects.toThrow(/--stall-rate 1 is outside \[0, 1\)/);
    await expect(runTansCosim({ ...base, layers: 0 })).rejects.toThrow(/--layers 0 is not a positive integer/);
    await expect(runTansCosim({ ...base, symbolsPerStream: 0 })).rejects.toThrow(/--symbols 0 is outside/);
    await expect(runTansCosim({ ...base, corruptLayers: [-1] })).rejects.toThrow(/--corrupt -1 is not a layer index/);
    await expect(runTansCosim({ ...base, corruptLayers: [2] })).rejects.toThrow(/--corrupt 2: there are only 2 layers/);
    await expect(runTansCosim({ ...base, layers: undefined, corruptLayers: [4] })).rejects.toThrow(/--corrupt 4: there are only 4 layers/);
    await expect(runTansCosim({ ...base, layers: 9, corruptLayers: [50],
      weights: { model: loadZooModel('lenet-5', 1), bins: 31, maxWeightsPerLayer: 1000 } })).rejects.toThrow(/--corrupt 50: there are only \d+ layers/);
    await expect(runTansCosim({ ...base, weights: { model: loadZooModel('lenet-5', 1), bins: 63, maxWeightsPerLayer: 1000 } }))
      .rejects.toThrow(/--bins 63 does not fit 5-bit symbols/);
    expect(build).not.toHaveBeenCalled();
  });

  it('a corrupted layer: RTL and model raise error on the same cycle count, and the next layer is clean', async () => {
    const r = await runTansCosim({ params: { states: 64, symbolBits: 5, streams: 4 }, layers: 3, seed: 3, stallRate: 0.3, corruptLayers: [1] });
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.perLayer.map((l) => l.rtlError)).toEqual([false, true, false]);
    expect(r.perLayer[1].rtlRun).toBe(r.perLayer[1].modelRun);
  });
});
