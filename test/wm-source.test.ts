/**
 * The wavelet-matrix query unit in the chip: it delivers exactly the reference decoder's weights
 * (decoded from the words it popped, not from the encoder's objects), its phases take the cycles
 * docs/hw/wm-query-unit.md gives, holding a settled unit changes nothing, and `hwsim run --codec wm`
 * reports.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { runPipeline } from '../src/chip/pipeline.js';
import { chipLayers } from '../src/chip/simulate.js';
import { RawBypass, rawBypassWidth, type WeightSource } from '../src/chip/weight-source.js';
import { WmSource, wmSelectCycles, wmSource, wmStartCycles, wmStartCyclesOf, ZERO_RUN_WEIGHTS } from '../src/chip/wm-source.js';
import { WordFifo } from '../src/chip/fifo.js';
import type { WmLayer } from '../src/codecs/codec.js';
import { readContainer, writeContainer } from '../src/codecs/container.js';
import { encodeModel } from '../src/codecs/model-codec.js';
import { layerMatrix, wmCodec } from '../src/codecs/wm/index.js';
import { assignCodes } from '../src/codecs/wm/matrix.js';
import { codeTree } from '../src/codecs/wm/nodes.js';
import { loadZooModel } from '../src/models/zoo.js';
import { loadModel } from '../src/models/load.js';
import { captureOutput } from './capture-output.js';
import { neverSettled, sourcesBy } from './chip-fixtures.js';

const io = captureOutput();

function lenetImage(threshold = 16, tupleZeros = 1) {
  const image = readContainer(writeContainer(encodeModel(loadZooModel('lenet-5', 1), { codec: 'wm', bins: 15, wmFprThreshold: threshold, wmTupleZeros: tupleZeros })), 'l5.hwz');
  return image;
}

function run(cfg: ChipConfig, image: ReturnType<typeof lenetImage>, wrap: (s: WeightSource) => WeightSource = (s) => s) {
  const got = image.layers.map((l) => new Int16Array(l.shape.reduce((a, b) => a * b, 1)).fill(-1));
  const index = new Map(image.specs.map((s, i) => [s.name, i]));
  const wm = wmSource(cfg, image, (name, pos, sym) => { got[index.get(name)!][pos] = sym; });
  const layers = chipLayers(image, cfg);
  const r = runPipeline(cfg, layers, sourcesBy({ raw: wrap(new RawBypass(rawBypassWidth(cfg.dramBytesPerCycle))), wm: wrap(wm) }));
  return { r, got, wm: wm as WmSource, layers };
}

describe('wavelet-matrix query unit (cycle model)', () => {
  for (const [threshold, tupleZeros, what] of [[16, 1, 'block- and element-wise'], [1e9, 1, 'all element-wise'], [16, 0, 'all (distance, value) tuples']] as const) {
    it(`delivers exactly the reference decoder's weights (${what})`, () => {
      const image = lenetImage(threshold, tupleZeros);
      if (tupleZeros === 0) expect(image.layers.map((l) => (l.codec === 'wm' ? l.form : l.codec))).toEqual(['raw', 'tuples', 'tuples', 'raw']);
      const { r, got } = run(DEFAULT_CHIP, image);
      let wmLayers = 0;
      image.layers.forEach((layer, i) => {
        if (layer.codec !== 'wm') return;
        wmLayers++;
        expect(Array.from(got[i])).toEqual(Array.from(wmCodec.decode(layer)));
        expect(r.layers[i].weightsDelivered).toBe(got[i].length);
      });
      expect(wmLayers).toBe(2);
      expect(r.dramWeightBytes).toBe(image.records.reduce((a, rec) => a + rec.payload.length, 0));
    });
  }

  it('phases take the cycles of the cycle model: begin = bins, START = 2 per node + levels − 1, DECODE ≥ ⌈n / lanes⌉', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, decoders: 4 };
    const image = lenetImage();
    const { r, wm } = run(cfg, image);
    const last = image.layers.length - 2; // ip1, the last wm layer: the unit's phase counters hold it
    const layer = image.layers[last] as WmLayer;
    const nodes = codeTree(assignCodes(layer.lengths)).level.length;
    expect(r.layers[last].sourceLoad).toBe(layer.quant.bins);
    expect(wm.phaseCycles.start).toBe(wmStartCycles(nodes, layer.levelLengths.length));
    expect(wm.phaseCycles.load).toBeGreaterThanOrEqual(Math.ceil(layer.words.length / rawBypassWidth(cfg.dramBytesPerCycle)));
    const n = layer.shape.reduce((a, b) => a * b, 1);
    expect(wm.phaseCycles.decode).toBeGreaterThanOrEqual(Math.ceil(n / cfg.decoders));
    // the source's span covers its phases (the pipeline holds a settled unit without stepping it)
    const span = r.layers[last].sourceEnd - r.layers[last].sourceStart;
    expect(span).toBeGreaterThanOrEqual(layer.quant.bins + wm.phaseCycles.load + wm.phaseCycles.start + Math.ceil(n / cfg.decoders));
  });

  it('holding a settled unit changes no cycle (same result stepped every cycle)', () => {
    const image = lenetImage();
    const a = run(DEFAULT_CHIP, image).r;
    const b = run(DEFAULT_CHIP, image, neverSettled).r;
    expect(a.totalCycles).toBe(b.totalCycles);
    expect(a.layers.map((l) => l.sourceEnd)).toEqual(b.layers.map((l) => l.sourceEnd));
  });

  it('hwsim run lenet-5 --codec wm reports, the same report as tANS', async () => {
    const out = mkdtempSync(join(tmpdir(), 'hwsim-wm-run-'));
    expect(await main(['run', 'lenet-5', '--codec', 'wm', '--bins', '15', '--json', '--out', out, '--quiet'])).toBe(0);
    const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const rep = JSON.parse(readFileSync(join(out, file), 'utf8')) as { layers: Array<{ codec: string; tans: { cycles: number } }>; tans: { cycles: number } };
    expect(rep.layers.map((l) => l.codec)).toEqual(['raw', 'wm', 'wm', 'raw']);
    // the report's cycles are the pipeline's on the same image
    const { r } = run(DEFAULT_CHIP, lenetImage());
    expect(rep.tans.cycles).toBe(r.totalCycles);
  });
});

describe('tuple layers in the unit (dense)', () => {
  it('DECODE takes one cycle per symbol walked plus ⌈run / 16⌉ per zero run, the longest lane counted independently', () => {
    // the pruned LeNet-5 (92 % zeros in ip1): long zero runs
    const image = readContainer(writeContainer(encodeModel(loadModel('test/fixtures/lenet/lenet-5.safetensors'), { codec: 'wm', bins: 15, wmTupleZeros: 0.5 })), 'p.hwz');
    const i = 2; // ip1, tuples
    const layer = image.layers[i] as WmLayer;
    expect(layer.form).toBe('tuples');
    const lanes = 4;
    const cfg: ChipConfig = { ...DEFAULT_CHIP, decoders: lanes };
    const chip = chipLayers(image, cfg)[i];
    // the independent count over the reference sequence
    const wm = layerMatrix(layer);
    const seq = Uint8Array.from({ length: wm.length }, (_, p) => wm.access(p));
    const bins = layer.quant.bins;
    const G = layer.gapSymbols;
    const [rows, rowLength] = [layer.shape[0], layer.shape.slice(1).reduce((a, b) => a * b, 1)];
    const slice = Math.ceil(rows / lanes);
    const runCycles = (zeros: number) => Math.ceil(zeros / ZERO_RUN_WEIGHTS);
    let at = 0;
    let longest = 0;
    for (let k = 0; k < lanes; k++) {
      let cycles = 0;
      for (let r = k * slice; r < Math.min(rows, (k + 1) * slice); r++) {
        let pos = 0;
        for (;;) {
          const s = seq[at++];
          cycles++;
          if (s === bins) { cycles += runCycles(rowLength - pos); break; }
          if (s < bins) { pos++; continue; }
          const zeros = s === bins + G ? G - 1 : s - bins - 1;
          cycles += runCycles(zeros);
          pos += zeros;
        }
      }
      longest = Math.max(longest, cycles);
    }
    expect(at).toBe(seq.length);
    const unit = wmSource(cfg, image) as WmSource;
    const fifo = new WordFifo(chip.payload!.length);
    fifo.reserve(chip.payload!.length);
    fifo.fill(chip.payload, 0, chip.payload!.length);
    unit.begin(chip, chip.prefix);
    let guard = 0;
    while (!unit.layerDone && guard++ < 1e7) unit.step(fifo, 1 << 30);
    expect(unit.phaseCycles.decode).toBe(longest);
    expect(unit.phaseCycles.start).toBe(wmStartCyclesOf(layer, false));
    expect(wmStartCyclesOf(layer, false)).toBe(wmStartCycles(codeTree(assignCodes(layer.lengths)).level.length, layer.levelLengths.length) + wmSelectCycles(layer));
  });
});
