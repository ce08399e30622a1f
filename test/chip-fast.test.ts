/**
 * The fast simulation mode (TansTimingModel, src/chip/tans-timing.ts, and the pipeline's bulk
 * stretches) against the exact mode (TansEngineModel, the register model the RTL is co-simulated
 * against): identical cycles, stalls by cause, source counters and DRAM traffic on random chips
 * and networks, and the exact mode also stepped every cycle. A deliberately wrong timing model
 * must be caught by the same comparison.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { runPipeline, type ChipLayer, type PipelineResult } from '../src/chip/pipeline.js';
import { sourcesFor, type SimulationMode } from '../src/chip/sources.js';
import { layerStepBits, TansTimingModel } from '../src/chip/tans-timing.js';
import type { TansEngineFactory } from '../src/chip/tans-source.js';
import type { CodecId, TansLayer } from '../src/codecs/codec.js';
import type { ContainerImage } from '../src/codecs/container.js';
import { decodeTansLayer } from '../src/codecs/tans/layer.js';
import { decodeTableOf, streamSymbolCounts } from '../src/codecs/tans/index.js';
import { deinterleaveStreams } from '../src/codecs/tans/layout.js';
import type { LayerSpec } from '../src/models/types.js';
import { chipImage, neverSettled, type LayerRecipe } from './chip-fixtures.js';
import type { WeightSource } from '../src/chip/weight-source.js';

const base: LayerSpec = { name: 'x', kind: 'conv', ifmapH: 2, ifmapW: 2, filterH: 1, filterW: 1, channels: 64, filters: 64, stride: 1, weightShape: [64, 64, 1, 1] } as LayerSpec;

/** What a run's figures are: everything the report is made of. */
function figures(r: PipelineResult) {
  return {
    total: r.totalCycles, layers: r.layers, weightBytes: r.dramWeightBytes, headerBytes: r.dramHeaderBytes,
    actBytes: r.dramActBytes, fifoFull: r.fifoFullCycles, peak: r.peakWindowBytes, device: r.dramDevice,
  };
}

function run(cfg: ChipConfig, image: ContainerImage, layers: ChipLayer[], mode: SimulationMode, opts: { everyCycle?: boolean; engine?: TansEngineFactory } = {}): PipelineResult {
  const inner = sourcesFor(cfg, image, { simulation: mode, tansEngine: opts.engine });
  const built = new Map<CodecId, WeightSource>();
  const sourceOf = opts.everyCycle ? (c: CodecId) => {
    let s = built.get(c);
    if (!s) { s = neverSettled(inner(c)); built.set(c, s); }
    return s;
  } : inner;
  return runPipeline(cfg, layers, sourceOf, { skipQuietStretches: !opts.everyCycle });
}

/** A random chip and a random 3- or 4-layer network (one layer raw), with activation traffic. */
function randomCase(rnd: (n: number) => number) {
  const burstBytes = [16, 32, 64][rnd(3)];
  const cfg: ChipConfig = {
    ...DEFAULT_CHIP,
    macRows: [4, 8, 16][rnd(3)], macCols: [4, 8, 16][rnd(3)], dataflow: (['ws', 'os', 'is'] as const)[rnd(3)],
    decoders: 1 + rnd(8), dramBytesPerCycle: [0.5, 1.25, 3, 8, 40][rnd(5)], dramLatency: 1 + rnd(80),
    burstBytes, fifoDepth: burstBytes / 4 * (1 + rnd(6)), streamFifoDepth: 2 + rnd(4),
    dram: rnd(4) === 0 ? 'lpddr4-3200-x16' : 'simple',
  };
  const specs: LayerSpec[] = [
    { ...base, name: 'a', ifmapH: 1 + rnd(6), ifmapW: 2, channels: 8 + rnd(60), filters: 4 + rnd(60) } as LayerSpec,
    { ...base, name: 'b', kind: 'dwconv', ifmapH: 5, ifmapW: 5, filterH: 3, filterW: 3, channels: 8 + rnd(16) } as LayerSpec,
    { ...base, name: 'c', ifmapH: 1, ifmapW: 1, channels: 16 + rnd(300), filters: 8 + rnd(60) } as LayerSpec,
    { ...base, name: 'd', ifmapH: 3, ifmapW: 3, filterH: 3, filterW: 3, channels: 4 + rnd(20), filters: 4 + rnd(40) } as LayerSpec,
  ].slice(0, 3 + rnd(2)).map((s) => ({
    ...s, filters: s.kind === 'dwconv' ? s.channels : s.filters,
    weightShape: s.kind === 'dwconv' ? [s.channels, 1, 3, 3] : [s.filters, s.channels, s.filterH, s.filterW],
  }) as LayerSpec);
  const raw = rnd(specs.length + 1); // sometimes no raw layer
  const bins = [3, 9, 15, 31][rnd(4)];
  const recipes = specs.map((s, i): LayerRecipe => (i === raw ? { spec: s, codec: 'raw' }
    : { spec: s, codec: 'tans', states: [32, 64, 256][rnd(3)] === 32 ? 32 : 64, streams: cfg.decoders, bins, seed: 1 + rnd(1000) }));
  // one state count per image (the chip's engine has one table size)
  const states = recipes.find((r) => r.codec === 'tans')?.states ?? 64;
  const { image, layers } = chipImage(cfg, recipes.map((r) => (r.codec === 'tans' ? { ...r, states } : r)));
  const reads = layers.map(() => rnd(3) === 0 ? 0 : rnd(3000));
  const writes = reads.map((r) => rnd(2) ? 0 : r >> 1);
  const mk = () => layers.map((l, i) => ({ ...l, actReadBytes: reads[i], actWriteBytes: writes[i] }));
  return { cfg, image, mk };
}

function lcg(seed: number) {
  return (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
}

describe('the step bits are what the reference decoder reads', () => {
  it('per stream, the sum of the step bits plus the initial state is the stream\'s bit length, and decoding agrees', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, decoders: 5 };
    const { image } = chipImage(cfg, [{ spec: { ...base, weightShape: [64, 64, 1, 1] } as LayerSpec, codec: 'tans', states: 64, streams: 5, bins: 15, seed: 3 }]);
    const layer = image.layers[0] as TansLayer;
    const bits = layerStepBits(layer, layer.words);
    const counts = streamSymbolCounts(layer);
    const streams = deinterleaveStreams(layer.words, layer.wordCounts);
    expect(bits.map((b) => b.length)).toEqual(Array.from(counts));
    bits.forEach((b, k) => {
      const total = 6 + b.reduce((a, x) => a + x, 0);
      // the stream ends inside its last word (docs/FORMAT.md §2)
      expect(Math.ceil(total / 32)).toBe(streams[k].length);
    });
    // the same walk decodes the layer (the reference decoder)
    expect(decodeTansLayer(layer.shape, decodeTableOf(layer), layer.split,
      streams.map((w, k) => ({ words: w, symbolCount: counts[k] }))).length).toBe(64 * 64);
  });
});

describe('fast and exact simulation agree', () => {
  it('100 random chips × networks: identical cycles, stalls by cause, counters and traffic (and the exact mode stepped every cycle)', () => {
    const rnd = lcg(2024);
    let tansLayers = 0;
    let bulk = 0;
    for (let trial = 0; trial < 100; trial++) {
      const { cfg, image, mk } = randomCase(rnd);
      tansLayers += image.layers.filter((l) => l.codec === 'tans').length;
      const fastRun = run(cfg, image, mk(), 'fast');
      bulk += fastRun.bulkStretches;
      const fast = figures(fastRun);
      const exact = figures(run(cfg, image, mk(), 'exact'));
      expect({ trial, cfg, ...fast }).toEqual({ trial, cfg, ...exact });
      // no skipping, no bulk stretches: every cycle stepped through the register model
      expect({ trial, ...figures(run(cfg, image, mk(), 'exact', { everyCycle: true })) }).toEqual({ trial, ...exact });
    }
    expect(tansLayers).toBeGreaterThan(170);
    // the fast path was taken (bulk stretches through the slot)
    expect(bulk).toBeGreaterThan(1000);
  });

  /** How many of 12 random cases a deliberately wrong fast engine gets wrong. */
  function caughtOf(wrong: TansEngineFactory): number {
    const rnd = lcg(99);
    let caught = 0;
    for (let trial = 0; trial < 12; trial++) {
      const { cfg, image, mk } = randomCase(rnd);
      const exact = figures(run(cfg, image, mk(), 'exact'));
      let got: unknown;
      try { got = figures(run(cfg, image, mk(), 'fast', { engine: wrong })); } catch (err) { got = err; }
      if (JSON.stringify(got) !== JSON.stringify(exact)) caught++;
    }
    return caught;
  }
  const mutant = (change: (m: TansTimingModel) => void): TansEngineFactory => (p) => { const m = new TansTimingModel(p); change(m); return m; };

  it('deliberately wrong fast engines are caught by the comparison', () => {
    // the right bits in the wrong order (same totals, so every end check still passes)
    expect(caughtOf(mutant((m) => {
      const load = m.loadLayer.bind(m);
      m.loadLayer = (l) => load({ ...l, stepBits: l.stepBits?.map((b) => Uint8Array.from(b).reverse()) });
    }))).toBeGreaterThan(3);
    // the bulk run lets one weight more into the buffer than it has room for
    expect(caughtOf(mutant((m) => {
      const runSteady = m.runSteady.bind(m);
      m.runSteady = (n, space, w, a, d) => runSteady(n, space + 1, w, a, d);
    }))).toBeGreaterThan(3);
    // the bulk run forgets its blocked cycles
    expect(caughtOf(mutant((m) => {
      const runSteady = m.runSteady.bind(m);
      m.runSteady = (...args) => { const n = runSteady(...args); m.lastBlocked = 0; return n; };
    }))).toBeGreaterThan(3);
    // the bulk run stops one word late
    expect(caughtOf(mutant((m) => {
      const runSteady = m.runSteady.bind(m);
      m.runSteady = (n, space, w, a, d) => runSteady(n, space, w, a + 1, d);
    }))).toBeGreaterThan(3);
  });
});
