/**
 * The wm query unit's RTL under Verilator against the reference decoder (every weight) and the
 * cycle model (LOAD/START/DECODE cycles per layer and each weight's delivery cycle), under random
 * stalls on the load port and each lane's ready: synthetic Laplace layers (several seeds, degenerate
 * one- and zero-level layers among them) and the LeNet-5 fixture; corrupted layers raise error_o
 * exactly where the reference decoder rejects them.
 */
import { describe, expect, it } from 'vitest';
import { runWmCosim } from '../src/cosim/wm-cosim.js';
import type { WmCorruption } from '../src/cosim/wm-vectors.js';
import { loadModel } from '../src/models/load.js';
import { main } from '../src/cli/main.js';
import { captureOutput } from './capture-output.js';

const io = captureOutput();
/** one build for all synthetic runs: 3 lanes (uneven slices), 2 load words, up to 12 levels */
const SMALL = { wmLanes: 3, wmLoadWords: 2, wmLevels: 12, wmBufferWords: 4096 };
/** a cold Verilator build of the unit takes minutes on a loaded 2-core machine */
const BUILD_TIMEOUT = 1_200_000;

describe('wm query unit co-simulation (Verilator)', () => {
  for (const seed of [1, 2, 3]) {
    it(`synthetic layers, seed ${seed}: every weight and every cycle equal, with stalls`, async () => {
      const r = await runWmCosim({ params: SMALL, seed, stallRate: 0.3, layers: 6, weightsPerLayer: 1500 });
      expect(r.firstMismatch).toBeUndefined();
      expect(r.pass).toBe(true);
      // it really ran: every layer finished in the RTL, every weight compared, cycles counted both ways
      const weights = r.layers.reduce((a, l) => a + l.weights, 0);
      expect(r.symbolsCompared).toBe(weights);
      expect(r.cycleCountsEqual).toBe(6);
      expect(r.rtlCycles).toBe(r.modelCycles);
      expect(r.rtlCycles).toBeGreaterThan(weights / 3);
      for (const l of r.layers) {
        expect(l.rtl.done).toBe(true);
        expect(l.rtl.delivered).toBe(l.weights);
        expect(l.rtl.load).toBe(l.model!.load);
        expect(l.rtl.start).toBe(l.model!.start);
        expect(l.rtl.decode).toBe(l.model!.decode);
        // with 30 % stalls on each lane's ready, DECODE takes longer than the slice
        expect(l.rtl.decode).toBeGreaterThan(Math.ceil(l.weights / 3));
      }
      // a zero-level layer (one symbol) and a one-level layer (two symbols) are among them
      expect(r.layers.some((l) => l.rtl.start === 0)).toBe(true);
      expect(r.layers.some((l) => l.rtl.start === 2)).toBe(true);
    }, BUILD_TIMEOUT);
  }

  for (const seed of [1, 2]) {
    it(`element-wise synthetic layers, seed ${seed}: delimiters take their lane's cycle and deliver nothing; every weight and cycle equal`, async () => {
      const r = await runWmCosim({ params: SMALL, seed, stallRate: 0.3, layers: 6, weightsPerLayer: 1500, form: 'element' });
      expect(r.firstMismatch).toBeUndefined();
      expect(r.pass).toBe(true);
      const weights = r.layers.reduce((a, l) => a + l.weights, 0);
      expect(r.symbolsCompared).toBe(weights);
      expect(r.cycleCountsEqual).toBe(6);
      expect(r.rtlCycles).toBe(r.modelCycles);
      for (const l of r.layers) {
        expect(l.rtl.done).toBe(true);
        // only the weights leave the unit, but every row has its delimiter in the sequence
        expect(l.rtl.delivered).toBe(l.weights);
        expect(l.symbols).toBeGreaterThan(l.weights);
        // each lane walks its slice of the sequence, delimiters included, one symbol a cycle at most
        expect(l.rtl.decode).toBeGreaterThanOrEqual(Math.ceil(l.symbols / 3));
      }
      // rows of many lengths: some layer has more than 20 rows
      expect(r.layers.some((l) => l.symbols - l.weights > 20)).toBe(true);
    }, BUILD_TIMEOUT);
  }

  it('element-wise LeNet-5 (a row per output channel) and corrupted element-wise layers', async () => {
    const model = loadModel('test/fixtures/lenet/lenet-5.safetensors');
    const r = await runWmCosim({ params: SMALL, seed: 2, stallRate: 0.2, model, bins: 15, form: 'element' });
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.symbolsCompared).toBe(r.layers.reduce((a, l) => a + l.weights, 0));
    expect(r.cycleCountsEqual).toBe(model.layers.length);
    expect(r.layers.every((l) => l.symbols > l.weights)).toBe(true);
    const corrupt = new Map<number, WmCorruption>([[0, 'bitmap'], [1, 'directory'], [2, 'consistent'], [5, 'consistent']]);
    const c = await runWmCosim({ params: SMALL, seed: 4, stallRate: 0.2, layers: 6, weightsPerLayer: 800, form: 'element', corrupt });
    expect(c.firstMismatch).toBeUndefined();
    expect(c.pass).toBe(true);
    expect(c.missedCorruptions).toBe(0);
    expect(c.falseErrors).toBe(0);
    for (const l of c.layers.filter((x) => x.corrupt)) expect(l.rtl.error).toBe(l.refRejects);
    expect(c.layers.filter((x) => x.corrupt && x.refRejects).length).toBeGreaterThanOrEqual(2);
  }, BUILD_TIMEOUT);

  it('corrupted payloads and configs: error_o exactly where the reference decoder rejects; accepted ones decode as the reference', async () => {
    const kinds: WmCorruption[] = ['bitmap', 'directory', 'padding', 'zeros', 'consistent', 'consistent', 'consistent', 'consistent'];
    const corrupt = new Map<number, WmCorruption>();
    // layers 3 and 4 of each five are degenerate (1 or 0 levels): corrupt the others
    const targets = Array.from({ length: 20 }, (_, i) => i).filter((i) => i % 5 < 3).slice(0, kinds.length);
    targets.forEach((l, i) => corrupt.set(l, kinds[i]));
    const r = await runWmCosim({ params: SMALL, seed: 5, stallRate: 0.2, layers: 20, weightsPerLayer: 800, corrupt });
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.missedCorruptions).toBe(0);
    expect(r.falseErrors).toBe(0);
    const corrupted = r.layers.filter((l) => l.corrupt);
    expect(corrupted).toHaveLength(kinds.length);
    // the four plain corruptions are each rejected, each by its own check
    const codes = corrupted.slice(0, 4).map((l) => (l.refRejects && l.rtl.error ? l.rtl.code : -1));
    expect(codes).toEqual([4, 5, 3, 4]); // bitmap flip: the zeros count; directory; padding; zeros
    // consistent flips: the walk alone decides; at least one is rejected by the end check (code 7)
    expect(corrupted.slice(4).some((l) => l.refRejects && l.rtl.code === 7)).toBe(true);
    for (const l of corrupted) expect(l.rtl.error).toBe(l.refRejects);
  }, BUILD_TIMEOUT);

  it('the LeNet-5 fixture through the encoder: every weight and every cycle equal', async () => {
    const model = loadModel('test/fixtures/lenet/lenet-5.safetensors');
    const r = await runWmCosim({ params: SMALL, seed: 1, stallRate: 0.2, model, bins: 15 });
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.layers.length).toBe(model.layers.length);
    // every weight of the layers as run (a layer over 65536 weights keeps its first output channels)
    expect(r.symbolsCompared).toBe(r.layers.reduce((a, l) => a + l.weights, 0));
    expect(r.symbolsCompared).toBeGreaterThan(90_000);
    expect(r.cycleCountsEqual).toBe(model.layers.length);
  }, BUILD_TIMEOUT);

  it('hwsim cosim wm prints PASS and the per-layer cycles; a layer that does not fit is refused naming the flag', async () => {
    expect(await main(['cosim', 'wm', '--lanes', '3', '--levels', '12', '--buffer-words', '4096', '--layers', '3', '--symbols', '500'])).toBe(0);
    expect(io.stdout).toMatch(/^PASS cosim wm_P3_W2_D12_B5_M4096 seed 1/);
    expect(io.stdout).toMatch(/layer cycle counts equal 3\/3/);
    io.clear();
    expect(await main(['cosim', 'wm', '--lanes', '3', '--levels', '12', '--buffer-words', '4096', '--layers', '2', '--symbols', '500', '--form', 'element'])).toBe(0);
    expect(io.stdout).toMatch(/^PASS cosim wm_P3_W2_D12_B5_M4096 seed 1[\s\S]*element-wise[\s\S]*layer cycle counts equal 2\/2/);
    io.clear();
    expect(await main(['cosim', 'tans', '--form', 'element'])).toBe(2);
    expect(io.stderr).toMatch(/--form is a flag of hwsim cosim wm/);
    io.clear();
    expect(await main(['cosim', 'wm', '--pgo'])).toBe(2);
    expect(io.stderr).toMatch(/--pgo is a flag of hwsim cosim tans/);
    io.clear();
    expect(await main(['cosim', 'tans', '--pgo', '--netlist'])).toBe(2);
    expect(io.stderr).toMatch(/--pgo builds the RTL harness; --netlist simulates the synthesized netlist/);
    io.clear();
    expect(await main(['cosim', 'wm', '--lanes', '3', '--levels', '12', '--buffer-words', '256', '--layers', '1', '--symbols', '20000'])).toBe(2);
    expect(io.stderr).toMatch(/more than --buffer-words 256[\s\S]*raise --buffer-words/);
  }, BUILD_TIMEOUT);
});
