/** The chip with the real tANS engine model (src/chip/tans-decoder.ts) in its decoder slot. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { mapLayer } from '../src/chip/mac-array.js';
import { runPipeline, type ChipLayer } from '../src/chip/pipeline.js';
import { loadCycles } from '../src/chip/tans-decoder.js';
import { TansSource, tansEngineModel } from '../src/chip/tans-source.js';
import { RawBypass } from '../src/chip/weight-source.js';
import { encodeTansLayer, histogram } from '../src/codecs/tans/layer.js';
import type { EncodedLayer } from '../src/codecs/model-codec.js';
import type { LayerSpec } from '../src/models/types.js';

function symbols(n: number, bins: number, seed: number): Uint8Array {
  // a two-sided geometric distribution around the middle bin, from a fixed LCG
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  const mid = (bins - 1) >> 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    let u = s / 2 ** 32;
    let k = 0;
    while (u < 0.5 && k < mid) { k++; u *= 2; }
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = mid + ((s & 1) ? k : -k);
  }
  return out;
}

function tansLayer(cfg: ChipConfig, spec: LayerSpec, states: number, bins: number): ChipLayer {
  const params = spec.weightShape.reduce((a, b) => a * b, 1);
  const sy = symbols(params, bins, 7);
  const code = encodeTansLayer(sy, bins, spec.weightShape, { states, streams: cfg.decoders, split: 'channel' });
  const enc = {
    spec, codec: 'tans', params, bins, entropyBits: 0, codedBits: code.words.length * 32, tableBytes: 3 * states,
    symbols: sy, decodeTable: code.decodeTable,
    symbolCounts: Int32Array.from(code.streams, (s) => s.symbolCount),
    wordCounts: Int32Array.from(code.streams, (s) => s.words.length), words: code.words,
  } as unknown as EncodedLayer;
  void histogram;
  return {
    name: spec.name, codec: 'tans', params, words: code.words.length, data: code.words, tableBytes: 3 * states, encoded: enc,
    mapping: mapLayer(spec, params, cfg.dataflow, cfg.macRows, cfg.macCols), actReadBytes: 0, actWriteBytes: 0,
  };
}

const spec64: LayerSpec = { name: 'c64', kind: 'conv', ifmapH: 2, ifmapW: 2, filterH: 1, filterW: 1, channels: 64, filters: 64, stride: 1, weightShape: [64, 64, 1, 1] } as LayerSpec;

describe('pipeline with the tANS engine', () => {
  it('decoder-bound layer: 4 decoders cannot feed a 16×16 array; table load counted exactly', () => {
    // 16×16 ws, 1×1 conv 64 → 64 on 2×2: K = 64, N = 64, M = 4 → 4 × 4 = 16 folds of 256 weights,
    //   each 2·16 + 16 + 4 − 2 = 50 cycles → 800 compute cycles.
    // 4096 weights through 4 lanes of one symbol per cycle at best: ≥ 1024 cycles of decoding.
    // Table: 3·64 = 192 bytes = 3 bursts of 64 B at 64 B/cycle, issued t = 0, 1, 2 (the reader
    //   fetches the table first), landing t = 1, 2, 3; the engine begins at t = 3 and loads for
    //   1 + L + 2S = 1 + 64 + 8 = 73 cycles (docs/hw/tans-decoder.md): the array waits 3 + 73 = 76
    //   cycles on the table.
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 256 };
    const l = tansLayer(cfg, spec64, 64, 15);
    expect(l.mapping.computeCycles).toBe(800);
    const params = { states: 64, symbolBits: 4, streams: 4, inWidth: 32, streamFifoDepth: 4 };
    expect(loadCycles(params)).toBe(73);
    const r = runPipeline(cfg, [l], { tans: new TansSource(tansEngineModel, params), raw: new RawBypass(16) });
    const t = r.layers[0];
    expect(t.stalls.table).toBe(76);
    expect(t.compute).toBe(800);
    expect(t.sourceLoad).toBe(73);
    // the weights come out no faster than 4 per cycle after the load
    expect(t.sourceEnd - t.sourceStart - 73).toBeGreaterThanOrEqual(1024);
    expect(r.totalCycles).toBe(t.compute + t.stalls.table + t.stalls.decoder + t.stalls.dram + t.stalls.fifo);
    expect(t.stalls.decoder).toBeGreaterThan(t.stalls.dram);
    // last fold starts only after the last weight is out, then runs its 50 cycles
    expect(r.totalCycles).toBeGreaterThanOrEqual(t.sourceEnd + 50);
    expect(r.dramWeightBytes).toBe(l.words * 4);
    expect(r.dramTableBytes).toBe(192);
  });

  it('a DRAM-starved engine: at 0.25 B/cycle the stalls are dram', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 0.25, dramLatency: 20, burstBytes: 64, fifoDepth: 256 };
    const l = tansLayer(cfg, spec64, 64, 15);
    const r = runPipeline(cfg, [l], { tans: new TansSource(tansEngineModel, { states: 64, symbolBits: 4, streams: 4, inWidth: 32, streamFifoDepth: 4 }), raw: new RawBypass(1) });
    const t = r.layers[0];
    // all bytes cross the channel at 0.25 B/cycle: ≥ 4·(words·4 + 192 − 64) cycles (first burst on the initial credit)
    expect(r.totalCycles).toBeGreaterThanOrEqual(4 * (l.words * 4 + 192 - 64));
    expect(t.stalls.dram).toBeGreaterThan(t.stalls.decoder + t.stalls.fifo);
  });

  it('two tANS layers back to back: the second table loads while the first layer computes', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 8, dramLatency: 10, burstBytes: 64, fifoDepth: 128 };
    const big: LayerSpec = { ...spec64, name: 'big', ifmapH: 40, ifmapW: 40 } as LayerSpec; // M = 1600: compute-heavy
    const a = tansLayer(cfg, big, 64, 15);
    const b = tansLayer(cfg, { ...big, name: 'b' } as LayerSpec, 64, 15);
    const r = runPipeline(cfg, [a, b], { tans: new TansSource(tansEngineModel, { states: 64, symbolBits: 4, streams: 4, inWidth: 32, streamFifoDepth: 4 }), raw: new RawBypass(2) });
    expect(r.layers[1].stalls.table).toBe(0);
    expect(r.layers[1].sourceStart).toBeLessThan(r.layers[1].start);
    expect(r.layers[0].end).toBe(r.layers[1].start);
    expect(r.totalCycles).toBe(r.layers[1].end);
  });
});

describe('skipping settled stretches is exact', () => {
  const cases: Array<Partial<ChipConfig>> = [
    { dramBytesPerCycle: 8, dramLatency: 50, fifoDepth: 128 },
    { dramBytesPerCycle: 1.5, dramLatency: 20, fifoDepth: 32, burstBytes: 32 },
    { dramBytesPerCycle: 0.75, dramLatency: 100, fifoDepth: 16, burstBytes: 64, dataflow: 'os' },
    { dramBytesPerCycle: 32, dramLatency: 5, fifoDepth: 64, dataflow: 'is' },
    { dramBytesPerCycle: 3, dramLatency: 1, fifoDepth: 16, burstBytes: 16, macRows: 16, macCols: 4 },
  ];
  for (const p of cases) {
    it(`same cycles, stalls and counters with every cycle stepped (${JSON.stringify(p)})`, () => {
      const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 8, macCols: 8, decoders: 4, ...p };
      const specs: LayerSpec[] = [
        { ...spec64, name: 'a', ifmapH: 6, ifmapW: 6 } as LayerSpec,
        { ...spec64, name: 'b', ifmapH: 3, ifmapW: 3, filterH: 3, filterW: 3, channels: 16, filters: 32, weightShape: [32, 16, 3, 3] } as LayerSpec,
        { ...spec64, name: 'c', ifmapH: 1, ifmapW: 1, channels: 288, filters: 40, weightShape: [40, 288, 1, 1] } as LayerSpec,
      ];
      const mk = () => specs.map((s, i) => {
        const l = tansLayer(cfg, s, 64, 15);
        return i === 1 ? { ...l, actReadBytes: 3000, actWriteBytes: 700 } : i === 2 ? { ...l, codec: 'raw' as const, words: Math.ceil(l.params / 4), data: undefined, tableBytes: 0, encoded: undefined } : l;
      });
      const params = { states: 64, symbolBits: 4, streams: 4, inWidth: 32, streamFifoDepth: 4 };
      const fast = runPipeline(cfg, mk(), { tans: new TansSource(tansEngineModel, params), raw: new RawBypass(8) });
      const slow = runPipeline(cfg, mk(), { tans: unsettledSource(new TansSource(tansEngineModel, params)), raw: unsettledSource(new RawBypass(8)) });
      expect(fast.layers).toEqual(slow.layers);
      expect(fast.totalCycles).toBe(slow.totalCycles);
      expect(fast.fifoFullCycles).toBe(slow.fifoFullCycles);
      expect(fast.peakWindowBytes).toBe(slow.peakWindowBytes);
      expect(fast.peakWindowBytes).toBeGreaterThan(0);
      expect(fast.dramActBytes).toBe(3700);
      expect(fast.simulatedCycles).toBeLessThan(slow.simulatedCycles);
    });
  }
});

describe('skipping is exact on random chips', () => {
  it('20 random chips × 3-layer networks: identical results with every cycle stepped', () => {
    let seed = 12345;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    for (let trial = 0; trial < 20; trial++) {
      const burstBytes = [16, 32, 64][rnd(3)];
      const cfg: ChipConfig = {
        ...DEFAULT_CHIP,
        macRows: [4, 8, 16][rnd(3)], macCols: [4, 8, 16][rnd(3)], dataflow: (['ws', 'os', 'is'] as const)[rnd(3)],
        decoders: 1 + rnd(8), dramBytesPerCycle: [0.5, 1.25, 3, 8, 40][rnd(5)], dramLatency: 1 + rnd(80),
        burstBytes, fifoDepth: burstBytes / 4 * (1 + rnd(6)), streamFifoDepth: 2 + rnd(4),
      };
      const specs: LayerSpec[] = [
        { ...spec64, name: 'a', ifmapH: 1 + rnd(6), ifmapW: 2, channels: 8 + rnd(40), filters: 4 + rnd(40) } as LayerSpec,
        { ...spec64, name: 'b', kind: 'dwconv', ifmapH: 5, ifmapW: 5, filterH: 3, filterW: 3, channels: 8 + rnd(16) } as LayerSpec,
        { ...spec64, name: 'c', ifmapH: 1, ifmapW: 1, channels: 16 + rnd(100), filters: 8 + rnd(30) } as LayerSpec,
      ].map((s) => ({ ...s, filters: s.kind === 'dwconv' ? s.channels : s.filters, weightShape: s.kind === 'dwconv' ? [s.channels, 1, 3, 3] : [s.filters, s.channels, 1, 1] }) as LayerSpec);
      const acts = [rnd(2000), rnd(2000), rnd(500)];
      const raw = rnd(3);
      const mk = () => specs.map((s, i) => {
        const l = { ...tansLayer(cfg, s, 64, 9), actReadBytes: acts[i], actWriteBytes: 0 };
        return i === raw ? { ...l, codec: 'raw' as const, words: Math.ceil(l.params / 4), data: undefined, tableBytes: 0, encoded: undefined } : l;
      });
      const params = { states: 64, symbolBits: 4, streams: cfg.decoders, inWidth: 32, streamFifoDepth: cfg.streamFifoDepth };
      const fast = runPipeline(cfg, mk(), { tans: new TansSource(tansEngineModel, params), raw: new RawBypass(Math.max(1, Math.ceil(cfg.dramBytesPerCycle / 4))) });
      const slow = runPipeline(cfg, mk(), {
        tans: unsettledSource(new TansSource(tansEngineModel, params)),
        raw: unsettledSource(new RawBypass(Math.max(1, Math.ceil(cfg.dramBytesPerCycle / 4)))),
      });
      expect({ trial, cfg, layers: fast.layers, ff: fast.fifoFullCycles, peak: fast.peakWindowBytes })
        .toEqual({ trial, cfg, layers: slow.layers, ff: slow.fifoFullCycles, peak: slow.peakWindowBytes });
    }
  });
});

/** The same source, never considered settled: the pipeline then steps every cycle. */
function unsettledSource(s: TansSource | RawBypass) {
  return {
    lanes: s.lanes, settleCycles: Number.POSITIVE_INFINITY,
    begin: (l: Parameters<TansSource['begin']>[0]) => s.begin(l),
    step: (f: Parameters<TansSource['step']>[0], sp: number) => s.step(f, sp),
    get popped() { return s.popped; },
    get layerDone() { return s.layerDone; },
  };
}
