import { describe, expect, it, vi } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseHarnessOutput, readHarnessOutput, runTansCosim, TRANSFER_RECORD_BYTES, writeStimulus } from '../src/cosim/tans-cosim.js';
import type { CosimLayer } from '../src/cosim/tans-vectors.js';
import { loadCycles, PRELOADED_SWITCH_CYCLES, resolveTansDecoderParams } from '../src/chip/tans-decoder.js';
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

  it('a profile-guided build (--pgo) is its own build and gives the plain build\'s figures; a training run that leaves no profile is refused', async () => {
    const run = { params: { states: 64, symbolBits: 5, streams: 4 }, layers: 3, seed: 11, stallRate: 0.3, symbolsPerStream: 500, corruptLayers: [1] };
    const plain = await runTansCosim(run);
    const pgo = await runTansCosim({ ...run, pgo: true });
    expect(pgo.build.dir).toMatch(/-pgo-/);
    expect(pgo.build.dir).not.toBe(plain.build.dir);
    // the profile the second build used is there, beside the objects
    expect(existsSync(join(pgo.build.dir, 'obj', 'Vtans_engine__ALL.gcda'))).toBe(true);
    expect(pgo.pass).toBe(true);
    expect(plain.pass).toBe(true);
    for (const key of ['symbolsCompared', 'rtlCycles', 'modelCycles', 'cycleCountsCompared', 'missedCorruptions', 'falseErrors'] as const) {
      expect(pgo[key]).toBe(plain[key]);
    }
    expect(pgo.perLayer.map((l) => [l.rtlRun, l.rtlError])).toEqual(plain.perLayer.map((l) => [l.rtlRun, l.rtlError]));
    expect(pgo.perLayer.filter((l) => l.rtlError).length).toBe(1);
    // a training step that never runs the instrumented binary: no profile, so no second build
    const root = mkdtempSync(join(tmpdir(), 'hwsim-pgo-'));
    await expect(buildTansHarness(run.params, root, undefined, () => {})).rejects.toThrow(/the training run left no profile of the model/);
  }, 120_000);

  it('rejects impossible options (stall rate, layers, symbols, --corrupt, bins) without starting a Verilator build', async () => {
    const build = vi.mocked(buildTansHarness);
    build.mockClear();
    // a build root that cannot exist: a build that did start would fail with another message
    const base = { params: { states: 64, symbolBits: 5, streams: 4 }, layers: 2, seed: 1, stallRate: 0.2, buildRoot: '/dev/null/no-build' };
    await expect(runTansCosim({ ...base, stallRate: 1 })).rejects.toThrow(/--stall-rate 1 is outside \[0, 1\)/);
    await expect(runTansCosim({ ...base, layers: 0 })).rejects.toThrow(/--layers 0 is not an integer 1\.\.4096/);
    await expect(runTansCosim({ ...base, symbolsPerStream: 0 })).rejects.toThrow(/--symbols 0 is not an integer 1\.\.1048576/);
    await expect(runTansCosim({ ...base, corruptLayers: [-1] })).rejects.toThrow(/--corrupt -1 is not a layer index/);
    await expect(runTansCosim({ ...base, corruptLayers: [2] })).rejects.toThrow(/--corrupt 2: there are only 2 layers/);
    await expect(runTansCosim({ ...base, layers: undefined, corruptLayers: [4] })).rejects.toThrow(/--corrupt 4: there are only 4 layers/);
    await expect(runTansCosim({ ...base, layers: 9, corruptLayers: [50],
      weights: { model: loadZooModel('lenet-5', 1), bins: 31, maxWeightsPerLayer: 1000 } })).rejects.toThrow(/--corrupt 50: there are only \d+ layers/);
    await expect(runTansCosim({ ...base, weights: { model: loadZooModel('lenet-5', 1), bins: 63, maxWeightsPerLayer: 1000 } }))
      .rejects.toThrow(/--bins 63 does not fit 5-bit symbols/);
    // fractions and values that wrap
    await expect(runTansCosim({ ...base, layers: 1e20 })).rejects.toThrow(/--layers 100000000000000000000 is not an integer 1\.\.4096/);
    await expect(runTansCosim({ ...base, seed: 1e300 })).rejects.toThrow(/--seed 1e\+300 is not an integer/);
    await expect(runTansCosim({ ...base, weights: { model: loadZooModel('lenet-5', 1), bins: 15.5, maxWeightsPerLayer: 1000 } }))
      .rejects.toThrow(/--bins 15\.5 is not an odd integer 3\.\.255/);
    await expect(runTansCosim({ ...base, weights: { model: loadZooModel('lenet-5', 1), bins: 15, maxWeightsPerLayer: 1e20 } }))
      .rejects.toThrow(/--max-weights 100000000000000000000 is not an integer/);
    // more symbols than a co-simulation holds: refused by size, before anything is generated
    await expect(runTansCosim({ ...base, params: { ...base.params, streams: 64 }, layers: 4, symbolsPerStream: 1 << 20 }))
      .rejects.toThrow(/--layers 4 x --streams 64 x --symbols 1048576 = 268,435,456 symbols, more than a co-simulation holds \(134,217,728\)/);
    // a stream longer than the engine's counters hold (--count-bits), named by layer, with the width that would
    await expect(runTansCosim({ ...base, params: { ...base.params, streams: 1, countBits: 17 }, layers: 1, symbolsPerStream: 300_000 }))
      .rejects.toThrow(/stream 0 of layer 0 has [\d,]+ symbols and [\d,]+ words; the engine's 17-bit counters hold at most 131,071/);
    expect(build).not.toHaveBeenCalled();
  });

  it('background table reload: with two banks (L = 64) a layer switch takes PRELOADED_SWITCH_CYCLES (0) in the RTL, with one (L = 256) the whole load', async () => {
    const two = await runTansCosim({ params: { states: 64, symbolBits: 5, streams: 4 }, layers: 5, seed: 11, stallRate: 0.2, protocol: false });
    expect(two.firstMismatch).toBeUndefined();
    expect(two.pass).toBe(true);
    expect(two.perLayer.map((l) => l.background)).toEqual([false, true, true, true, true]);
    expect(PRELOADED_SWITCH_CYCLES).toBe(0);
    expect(two.perLayer.map((l) => l.rtlLoad)).toEqual([loadCycles(two.config), 0, 0, 0, 0].map((x, i) => (i ? PRELOADED_SWITCH_CYCLES : x)));
    expect(two.perLayer.map((l) => l.modelLoad)).toEqual(two.perLayer.map((l) => l.rtlLoad));
    const one = await runTansCosim({ params: { states: 256, symbolBits: 5, streams: 4 }, layers: 3, seed: 11, stallRate: 0.2, protocol: false });
    expect(one.pass).toBe(true);
    expect(one.perLayer.every((l) => !l.background && l.rtlLoad === loadCycles(one.config))).toBe(true);
    // short layers: the background load outlasts the run, and the switch waits for its last word (RTL = model)
    const late = await runTansCosim({ params: { states: 128, symbolBits: 5, streams: 2 }, layers: 4, seed: 3, stallRate: 0, symbolsPerStream: 20 });
    expect(late.firstMismatch).toBeUndefined();
    const lateLoads = late.perLayer.filter((l) => l.background).map((l) => l.rtlLoad);
    expect(lateLoads.length).toBeGreaterThan(0);
    for (const x of lateLoads) {
      expect(x).toBeGreaterThan(PRELOADED_SWITCH_CYCLES);
      expect(x).toBeLessThan(loadCycles(late.config));
    }
    expect(late.perLayer.every((l) => l.rtlLoad === l.modelLoad)).toBe(true);
  });

  it('a corrupted layer: RTL and model raise error on the same cycle count, and the next layer is clean', async () => {
    const r = await runTansCosim({ params: { states: 64, symbolBits: 5, streams: 4 }, layers: 3, seed: 3, stallRate: 0.3, corruptLayers: [1] });
    expect(r.firstMismatch).toBeUndefined();
    expect(r.pass).toBe(true);
    expect(r.perLayer.map((l) => l.rtlError)).toEqual([false, true, false]);
    expect(r.perLayer[1].rtlRun).toBe(r.perLayer[1].modelRun);
  });
});

// `cosim tans --symbols 1048576 --streams 8` wrote its vectors and read the harness's output as one
// string each (about 800 MB of output: "Cannot create a string longer than 0x1fffffe8 characters").
// Both are now read and written a piece at a time (the transfers as binary records); these check the
// pieces join up exactly.
describe('co-simulation files in pieces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hwsim-cosim-io-'));
  it('the harness output read in pieces equals the same output parsed whole (records cut at piece borders, reset records dropped)', () => {
    const streams = 3;
    const lines: string[] = [];
    const records: number[][] = [];
    let n = 0;
    const record = (k: number, sym: number, wt: number, cyc: number) => records.push([cyc, k, sym, wt]);
    // a reset part way through layer 0: its 1000 transfers so far do not count
    for (let i = 0; i < 1000; i++) record(i % streams, 30, 15, 7);
    lines.push(`reset 0 run 1000 transfers ${records.length}`);
    for (let l = 0; l < 2; l++) {
      // 2 x 900k records of 8 bytes: more than one 8 MB piece, so records straddle the borders
      for (let i = 0; i < 300_000; i++) for (let k = 0; k < streams; k++) record(k, (i + k) % 31, ((i + k) % 31) - 15, n++);
      lines.push(`layer ${l} load 40 run ${n} words 77 error ${l} hang 0 fg 1 transfers ${records.length}`);
    }
    lines.push(`end ${n + 80}`);
    const text = lines.join('\n') + '\n';
    const bin = Buffer.alloc(records.length * TRANSFER_RECORD_BYTES);
    records.forEach(([cyc, k, sym, wt], i) => {
      bin.writeUInt32LE(cyc, 8 * i);
      bin.writeUInt8(k, 8 * i + 4);
      bin.writeUInt8(sym, 8 * i + 5);
      bin.writeInt8(wt, 8 * i + 6);
    });
    expect(bin.length).toBeGreaterThan(8 << 20); // more than one 8 MB piece
    const path = join(dir, 'out.txt');
    const binPath = join(dir, 'transfers.bin');
    writeFileSync(path, text);
    writeFileSync(binPath, bin);
    const whole = parseHarnessOutput(text, bin, streams);
    const pieces = readHarnessOutput(path, binPath, streams, [[300_000, 300_000, 300_000], [10, 10, 10]]);
    expect(pieces.totalCycles).toBe(n + 80);
    expect(pieces.traces).toHaveLength(2);
    expect(pieces.traces[1].error).toBe(true);
    for (let l = 0; l < 2; l++) {
      for (let k = 0; k < streams; k++) {
        for (const f of ['symbols', 'weights', 'cycles'] as const) {
          const a = pieces.traces[l][f][k];
          const b = whole.traces[l][f][k];
          expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength)), `${f} ${l} ${k}`).toBe(true);
        }
        expect(pieces.traces[l].symbols[k].length).toBe(300_000);
      }
    }
    expect(pieces.traces[0].cycles[2][299_999]).toBe(3 * 300_000 - 1);
    expect(pieces.traces[0].symbols[0][0]).toBe(0);
    expect(pieces.traces[0].weights[1][15]).toBe(16 - 15);
    expect(pieces.traces[1].weights[0][30]).toBe(30 - 15);
  });

  it('a transfer file shorter than its output says is an error, not a short trace', () => {
    const bin = Buffer.alloc(8 * 5);
    expect(() => parseHarnessOutput('layer 0 load 1 run 9 words 1 error 0 hang 0 fg 1 transfers 6\nend 10\n', bin, 1))
      .toThrow(/holds 5 records, its output counts 6/);
  });

  it('the stimulus written in pieces is the words in order, 32-bit little-endian', () => {
    const p = resolveTansDecoderParams({ states: 64, symbolBits: 5, streams: 2 });
    const words = Uint32Array.from({ length: 1_200_000 }, (_, i) => (i * 2654435761) >>> 0);
    const layer = { load: Uint32Array.of(1, 2, 0xffffffff), words, symbolCounts: [10, 10] } as unknown as CosimLayer;
    const path = join(dir, 'stimulus.bin');
    writeStimulus(path, p, [layer, layer], 5, 0.25);
    const bytes = readFileSync(path);
    expect(bytes.length).toBeGreaterThan(8 << 20); // more than one piece
    expect(bytes.length % 4).toBe(0);
    const word = (i: number) => bytes.readUInt32LE(4 * i);
    expect([word(0), word(1)]).toEqual([2, 5]);
    expect(word(5)).toBe(2); // layers
    expect(word(6)).toBe(1); // protocol checks on
    expect(word(8)).toBe(1); // background loads (L = 64: two table banks)
    const layerWords = Uint32Array.from([3, 1_200_000, 1, 2, 0xffffffff, ...words]);
    const expected = Buffer.alloc(2 * 4 * layerWords.length);
    for (let i = 0; i < 2 * layerWords.length; i++) expected.writeUInt32LE(layerWords[i % layerWords.length], 4 * i);
    expect(bytes.subarray(4 * 9).equals(expected)).toBe(true);
  });
});
