/**
 * The chip with the real tANS engine model (src/chip/tans-decoder.ts) in its decoder slot, on
 * images that went through the real encoder and the container: DRAM serves the .hwz bytes, the
 * source parses each layer's record prefix as it landed in the staging buffer.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { runPipeline, type ChipLayer } from '../src/chip/pipeline.js';
import { chipLayers } from '../src/chip/simulate.js';
import { sourcesFor } from '../src/chip/sources.js';
import { loadCycles, PRELOADED_SWITCH_CYCLES, tableBanks, tableBuildCycles, TansEngineModel } from '../src/chip/tans-decoder.js';
import { TansSource, tansEngineModel, type TansEngineFactory } from '../src/chip/tans-source.js';
import { RawBypass, type WeightSource } from '../src/chip/weight-source.js';
import { ByteWriter } from '../src/codecs/bytes.js';
import type { CodecId, TansHeader } from '../src/codecs/codec.js';
import { layerHeaderBytes, parseRecordPrefix, type ContainerImage } from '../src/codecs/container.js';
import { decodeImage } from '../src/codecs/model-image.js';
import { streamIndices } from '../src/codecs/tans/streams.js';
import { HwsimError } from '../src/errors.js';
import type { LayerSpec } from '../src/models/types.js';
import { chipImage, countOf, neverSettled, sourcesBy, wrapped, type LayerRecipe } from './chip-fixtures.js';

const spec64: LayerSpec = { name: 'c64', kind: 'conv', ifmapH: 2, ifmapW: 2, filterH: 1, filterW: 1, channels: 64, filters: 64, stride: 1, weightShape: [64, 64, 1, 1] } as LayerSpec;

const tans = (spec: LayerSpec, cfg: ChipConfig, bins = 15, seed = 7): LayerRecipe =>
  ({ spec, codec: 'tans', states: 64, streams: cfg.decoders, bins, seed });

describe('pipeline with the tANS engine', () => {
  it('decoder-bound layer: 4 decoders cannot feed a 16×16 array; header fetch, table build and load counted exactly', () => {
    // 16×16 ws, 1×1 conv 64 → 64 on 2×2: K = 64, N = 64, M = 4 → 4 × 4 = 16 folds of 256 weights,
    //   each 2·16 + 16 + 4 − 2 = 50 cycles → 800 compute cycles.
    // 4096 weights through 4 lanes of one symbol per cycle at best: ≥ 1024 cycles of decoding.
    // Header: the layer's record prefix, P bytes as the file holds them (P ≤ 64: one burst). The
    //   channel starts with no credit (cap = burst − bandwidth = 0) and earns 64 B in cycle 0: the
    //   prefix issues at t = 0 and lands at t = 1 (the first 64-byte word burst waits for t = 1).
    //   The source begins at t = 1 and is busy B = tableBuildCycles + loadCycles =
    //   (ceil(P/4) + L) + (1 + L + 2S) = ceil(P/4) + 64 + 73 cycles, t = 1 .. B: the array waits
    //   1 + B = ceil(P/4) + 138 cycles on the header (t = 0 .. B).
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 256, streamFifoDepth: 4 };
    const { image, layers: [l] } = chipImage(cfg, [tans(spec64, cfg)]);
    const P = image.records[0].prefix.length;
    expect(P).toBeGreaterThan(0);
    expect(P).toBeLessThanOrEqual(64);
    expect(l.prefix).toEqual(image.records[0].prefix);
    expect(l.mapping.computeCycles).toBe(800);
    const params = { states: 64, symbolBits: 4, streams: 4, inWidth: 32, streamFifoDepth: 4 };
    expect(loadCycles(params)).toBe(73);
    expect(tableBuildCycles(P, 64)).toBe(Math.ceil(P / 4) + 64);
    const B = Math.ceil(P / 4) + 64 + 73;
    const r = runPipeline(cfg, [l], sourcesFor(cfg, image));
    const t = r.layers[0];
    expect(t.sourceStart).toBe(1);
    expect(t.sourceLoad).toBe(B);
    expect(t.stalls.header).toBe(1 + B);
    expect(t.stalls.header).toBe(Math.ceil(P / 4) + 138);
    expect(t.compute).toBe(800);
    // the weights come out no faster than 4 per cycle after the load
    expect(t.sourceEnd - t.sourceStart - B).toBeGreaterThanOrEqual(1024);
    expect(r.totalCycles).toBe(t.compute + t.stalls.header + t.stalls.decoder + t.stalls.dram + t.stalls.fifo);
    expect(t.stalls.decoder).toBeGreaterThan(t.stalls.dram);
    // last fold starts only after the last weight is out (the engine's done register rises 3 cycles
    // after its last symbol, docs/hw/tans-decoder.md), then runs its 50 cycles
    expect(r.totalCycles).toBeGreaterThanOrEqual(t.sourceEnd - 2 + 50);
    expect(r.dramWeightBytes).toBe(l.words * 4);
    expect(r.dramWeightBytes).toBe(image.records[0].payload.length);
    // the header crossed DRAM, exactly its bytes in the file (no 3L table: the chip builds it)
    expect(r.dramHeaderBytes).toBe(P);
  });

  it('a DRAM-starved engine: at 0.25 B/cycle the stalls are dram', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 0.25, dramLatency: 20, burstBytes: 64, fifoDepth: 256, streamFifoDepth: 4 };
    const { image, layers: [l] } = chipImage(cfg, [tans(spec64, cfg)]);
    const r = runPipeline(cfg, [l], sourcesFor(cfg, image));
    const t = r.layers[0];
    // all bytes (P prefix + 4·words payload) cross the channel at 0.25 B/cycle: ≥ 4·(4·words + P − 64)
    //   cycles (the first 64 B on the credit the channel starts with and earns in cycle 0)
    expect(r.totalCycles).toBeGreaterThanOrEqual(4 * (l.words * 4 + l.prefix.length - 64));
    expect(r.dramHeaderBytes).toBe(l.prefix.length);
    expect(t.stalls.dram).toBeGreaterThan(t.stalls.decoder + t.stalls.fifo);
  });

  it('two tANS layers back to back: the second header lands and its table loads while the first layer computes', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 8, dramLatency: 10, burstBytes: 64, fifoDepth: 128, streamFifoDepth: 4 };
    const big: LayerSpec = { ...spec64, name: 'big', ifmapH: 40, ifmapW: 40 } as LayerSpec; // M = 1600: compute-heavy
    const { image, layers } = chipImage(cfg, [tans(big, cfg), tans({ ...big, name: 'b' } as LayerSpec, cfg, 15, 99)]);
    const r = runPipeline(cfg, layers, sourcesFor(cfg, image));
    expect(r.layers[1].stalls.header).toBe(0);
    expect(r.layers[1].sourceStart).toBeLessThan(r.layers[1].start);
    expect(r.layers[1].sourceStart + r.layers[1].sourceLoad).toBeLessThan(r.layers[1].start);
    expect(r.layers[0].end).toBe(r.layers[1].start);
    expect(r.totalCycles).toBe(r.layers[1].end);
    expect(r.dramHeaderBytes).toBe(image.records[0].prefix.length + image.records[1].prefix.length);
  });
});

/** Per tANS layer run by the engine, per lane: the symbols and weights handed on (outValid && outReady). */
interface EngineLog { lanes: number[][]; weights: number[][] }

/** The cycle-exact engine, recording every output transfer before the clock edge that makes it. */
function recordingEngine(log: EngineLog[]): TansEngineFactory {
  return (p) => {
    const eng = new TansEngineModel(p);
    let cur: EngineLog = { lanes: [], weights: [] };
    return {
      loadLayer(layer) {
        cur = { lanes: Array.from({ length: p.streams }, () => []), weights: Array.from({ length: p.streams }, () => []) };
        log.push(cur);
        return eng.loadLayer(layer);
      },
      get inReady() { return eng.inReady; },
      get outValid() { return eng.outValid; },
      get outSymbol() { return eng.outSymbol; },
      get outWeight() { return eng.outWeight; },
      tick(inValid, inWord, outReady) {
        for (let k = 0; k < p.streams; k++) {
          if (eng.outValid[k] && outReady[k]) { cur.lanes[k].push(eng.outSymbol[k]); cur.weights[k].push(eng.outWeight[k]); }
        }
        eng.tick(inValid, inWord, outReady);
      },
      get done() { return eng.done; },
      get error() { return eng.error; },
      get cycle() { return eng.cycle; },
    };
  };
}

describe('background table reload (two banks at L <= 128)', () => {
  it('layer switches cost PRELOADED_SWITCH_CYCLES instead of the table build and load: sourceLoad and header stalls before vs after', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 16, dramLatency: 10, burstBytes: 64, fifoDepth: 128, streamFifoDepth: 4 };
    const specs = ['a', 'b', 'c', 'd'].map((name, i) => ({ ...spec64, name, ifmapH: 2 + i, ifmapW: 2 } as LayerSpec));
    const { image, layers } = chipImage(cfg, specs.map((s, i) => tans(s, cfg, 15, 3 + i)));
    const params = (sourcesFor(cfg, image)('tans') as TansSource).params;
    expect(tableBanks(params)).toBe(2);
    const foreground = () => {
      const src = new TansSource(tansEngineModel, params, { background: false });
      return (codec: CodecId) => { if (codec !== 'tans') throw new Error(codec); return src; };
    };
    const before = runPipeline(cfg, layers, foreground());
    const after = runPipeline(cfg, layers, sourcesFor(cfg, image));
    const row = (r: typeof before) => r.layers.map((t) => `${t.sourceLoad}/${t.stalls.header}`).join(' ');
    console.log(`sourceLoad/header stall per layer: foreground ${row(before)}; background ${row(after)}; total cycles ${before.totalCycles} → ${after.totalCycles}`);
    const P = (i: number) => image.records[i].prefix.length;
    for (let i = 0; i < layers.length; i++) {
      // before: every layer pays its table build and load
      expect(before.layers[i].sourceLoad).toBe(tableBuildCycles(P(i), 64) + loadCycles(params));
    }
    // after: the first layer as before; each next one was built and loaded while its predecessor ran
    expect(after.layers[0].sourceLoad).toBe(before.layers[0].sourceLoad);
    for (let i = 1; i < layers.length; i++) {
      expect(after.layers[i].sourceLoad).toBe(PRELOADED_SWITCH_CYCLES);
      expect(after.layers[i].stalls.header).toBeLessThan(before.layers[i].stalls.header);
      expect(after.layers[i].stalls.header).toBeLessThanOrEqual(PRELOADED_SWITCH_CYCLES);
    }
    const headerBefore = before.layers.reduce((a, t) => a + t.stalls.header, 0);
    const headerAfter = after.layers.reduce((a, t) => a + t.stalls.header, 0);
    expect(headerBefore - headerAfter).toBeGreaterThanOrEqual(3 * (loadCycles(params) - PRELOADED_SWITCH_CYCLES));
    expect(after.totalCycles).toBeLessThan(before.totalCycles);
    // the same weights, the same DRAM traffic
    expect(after.layers.map((t) => t.weightsDelivered)).toEqual(before.layers.map((t) => t.weightsDelivered));
    expect(after.dramHeaderBytes).toBe(before.dramHeaderBytes);
    expect(after.dramWeightBytes).toBe(before.dramWeightBytes);
  });

  it('a layer whose background load is not complete when the previous one is done waits for what is left of it', () => {
    // a tiny first layer (a few weights): the next layer's build and load outlast it
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 256, streamFifoDepth: 4 };
    const tiny = { ...spec64, name: 't', ifmapH: 1, ifmapW: 1, channels: 4, filters: 4, weightShape: [4, 4, 1, 1] } as LayerSpec;
    const { image, layers } = chipImage(cfg, [tans(tiny, cfg), tans(spec64, cfg, 15, 5)]);
    const r = runPipeline(cfg, layers, sourcesFor(cfg, image));
    const [a, b] = r.layers;
    expect(b.sourceLoad).toBeGreaterThan(PRELOADED_SWITCH_CYCLES);
    expect(b.sourceLoad).toBeLessThan(tableBuildCycles(image.records[1].prefix.length, 64) + 73);
    // the slot began b the cycle after a was done and waited until the background load's last word
    expect(b.sourceStart).toBe(a.sourceEnd);
  });
});

describe('the engine in the pipeline decodes what the reference decoder decodes', () => {
  const specs: LayerSpec[] = [
    { ...spec64, name: 'a', ifmapH: 3, ifmapW: 3, channels: 24, filters: 20, weightShape: [20, 24, 1, 1] } as LayerSpec,
    { ...spec64, name: 'r', ifmapH: 2, ifmapW: 2, channels: 8, filters: 8, weightShape: [8, 8, 1, 1] } as LayerSpec,
    { ...spec64, name: 'dw', kind: 'dwconv', ifmapH: 5, ifmapW: 5, filterH: 3, filterW: 3, channels: 12, filters: 12, weightShape: [12, 1, 3, 3] } as LayerSpec,
    { ...spec64, name: 'c', ifmapH: 1, ifmapW: 1, channels: 70, filters: 9, weightShape: [9, 70, 1, 1] } as LayerSpec,
  ];
  const cases: Array<{ why: string; cfg: ChipConfig; blocked: boolean }> = [
    { why: 'decoder-bound (outReady on every valid lane)', blocked: false,
      cfg: { ...DEFAULT_CHIP, macRows: 16, macCols: 16, decoders: 4, dramBytesPerCycle: 16, dramLatency: 5, burstBytes: 64, fifoDepth: 64, streamFifoDepth: 4 } },
    { why: 'compute-bound (a full weight buffer holds outReady low)', blocked: true,
      cfg: { ...DEFAULT_CHIP, macRows: 4, macCols: 4, decoders: 3, dramBytesPerCycle: 3, dramLatency: 9, burstBytes: 32, fifoDepth: 16, streamFifoDepth: 2 } },
  ];
  for (const c of cases) {
    it(c.why, () => {
      const { cfg } = c;
      const recipes: LayerRecipe[] = [tans(specs[0], cfg, 15, 3), { spec: specs[1], codec: 'raw' }, tans(specs[2], cfg, 9, 4), tans(specs[3], cfg, 11, 5)];
      const { image, layers } = chipImage(cfg, recipes);
      const log: EngineLog[] = [];
      const r = runPipeline(cfg, layers, sourcesFor(cfg, image, { tansEngine: recordingEngine(log) }));
      const reference = decodeImage(image, 'test.hwz');
      const tansLayers = image.layers.flatMap((l, i) => (l.codec === 'tans' ? [{ l, i }] : []));
      expect(log.length).toBe(tansLayers.length);
      tansLayers.forEach(({ l, i }, j) => {
        const h = l as TansHeader;
        const idx = streamIndices(h.shape, h.wordCounts.length, h.split);
        const symbols = new Uint8Array(countOf(h.shape)).fill(255);
        const levels = new Int8Array(symbols.length);
        let count = 0;
        idx.forEach((list, k) => {
          expect(log[j].lanes[k].length).toBe(list.length);
          list.forEach((flat, n) => { symbols[flat] = log[j].lanes[k][n]; levels[flat] = log[j].weights[k][n]; });
          count += log[j].lanes[k].length;
        });
        // every weight of the layer came out of the engine (the comparison is not vacuous)
        expect(count).toBe(layers[i].params);
        expect(symbols).toEqual(reference[i].symbols);
        expect(levels).toEqual(reference[i].levels);
      });
      // the split of the dwconv layer is 'interleaved' (fewer input channels than decoders)
      expect((image.layers[2] as TansHeader).split).toBe('interleaved');
      expect((image.layers[0] as TansHeader).split).toBe('channel');
      const blocked = r.layers.reduce((a, t) => a + t.sourceBlocked, 0);
      if (c.blocked) expect(blocked).toBeGreaterThan(0);
    });
  }
});

/** The record prefix of a tANS header as the container writes it (codec byte 1). */
function prefixOf(h: TansHeader, payloadLength: number): Uint8Array {
  const w = new ByteWriter();
  const bytes = layerHeaderBytes(h);
  w.u8(1);
  w.varint(bytes.length);
  w.bytes(bytes);
  w.varint(payloadLength);
  return w.result();
}

describe('the chip parses the header DRAM served', () => {
  const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 8, macCols: 8, decoders: 4, dramBytesPerCycle: 8, dramLatency: 7, burstBytes: 32, fifoDepth: 64, streamFifoDepth: 4 };
  const setup = (): { image: ContainerImage; layers: ChipLayer[] } => chipImage(cfg, [
    tans(spec64, cfg), { spec: { ...spec64, name: 'r', weightShape: [64, 64, 1, 1] } as LayerSpec, codec: 'raw' },
    tans({ ...spec64, name: 'c2' } as LayerSpec, cfg, 9, 11),
  ]);

  it('begin() gets the bytes that landed in the staging buffer: the file\'s prefix, byte for byte', () => {
    const { image, layers } = setup();
    const seen: Uint8Array[] = [];
    const spy = (s: WeightSource): WeightSource => ({
      lanes: s.lanes, isDecoder: s.isDecoder, readsWordValues: s.readsWordValues, settleCycles: s.settleCycles,
      begin: (l, prefix) => { seen.push(prefix); return s.begin(l, prefix); },
      step: (f, sp) => s.step(f, sp),
      get popped() { return s.popped; },
      get layerDone() { return s.layerDone; },
    });
    const r = runPipeline(cfg, layers, wrapped(sourcesFor(cfg, image), spy));
    expect(seen.length).toBe(3);
    seen.forEach((p, i) => {
      expect(p).toEqual(image.records[i].prefix);
      expect(p).not.toBe(layers[i].prefix); // a copy of the staging buffer, not the layer's array
    });
    expect(r.dramHeaderBytes).toBe(image.records.reduce((a, rec) => a + rec.prefix.length, 0));
  });

  it('a prefix whose counts no longer sum to L makes begin() throw the container reader\'s check', () => {
    // The payload and everything else of the layer stay those of the good file: only the bytes
    //   DRAM serves as the header of layer c2 differ (one normalized count lowered by 1: 63, not 64).
    const { image, layers } = setup();
    const good = parseRecordPrefix(image.records[2].prefix, 'good').header as TansHeader;
    const counts = good.counts.slice();
    counts[counts.indexOf(Math.max(...counts))] -= 1;
    const bad = prefixOf({ ...good, counts }, image.records[2].payload.length);
    expect(bad).not.toEqual(image.records[2].prefix);
    const corrupted = layers.map((l, i) => (i === 2 ? { ...l, prefix: bad } : l));
    let err: unknown;
    try { runPipeline(cfg, corrupted, sourcesFor(cfg, image)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HwsimError);
    expect((err as Error).message).toMatch(/layer c2 as fetched by the chip: normalized counts sum to 63, not 64/);
    // and the good layers before it ran: the same chip on the good bytes completes
    expect(runPipeline(cfg, layers, sourcesFor(cfg, image)).layers[2].compute).toBe(layers[2].mapping.computeCycles);
  });

  it('one flipped byte (log2 states 6 → 7) is caught where the chip parses it', () => {
    // prefix = codec byte, header length (one varint byte), then the header: the common part of
    //   [64, 64, 1, 1] (rank 1 + dims 4 + bins 1 + step 4 = 10 bytes), then log2(states).
    const { image, layers } = setup();
    const bad = image.records[0].prefix.slice();
    expect(bad[12]).toBe(6);
    bad[12] = 7;
    let err: unknown;
    try { runPipeline(cfg, [{ ...layers[0], prefix: bad }], sourcesFor(cfg, image)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HwsimError);
    expect((err as Error).message).toMatch(/layer c64 as fetched by the chip: normalized counts sum to 64, not 128/);
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
      const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 8, macCols: 8, decoders: 4, streamFifoDepth: 4, ...p };
      const specs: LayerSpec[] = [
        { ...spec64, name: 'a', ifmapH: 6, ifmapW: 6 } as LayerSpec,
        { ...spec64, name: 'b', ifmapH: 3, ifmapW: 3, filterH: 3, filterW: 3, channels: 16, filters: 32, weightShape: [32, 16, 3, 3] } as LayerSpec,
        { ...spec64, name: 'c', ifmapH: 1, ifmapW: 1, channels: 288, filters: 40, weightShape: [40, 288, 1, 1] } as LayerSpec,
      ];
      const { image, layers } = chipImage(cfg, [tans(specs[0], cfg), tans(specs[1], cfg), { spec: specs[2], codec: 'raw' }]);
      const mk = () => layers.map((l, i) => (i === 1 ? { ...l, actReadBytes: 3000, actWriteBytes: 700 } : l));
      const fast = runPipeline(cfg, mk(), sourcesFor(cfg, image));
      const slow = runPipeline(cfg, mk(), wrapped(sourcesFor(cfg, image), neverSettled));
      expect(fast.layers).toEqual(slow.layers);
      expect(fast.totalCycles).toBe(slow.totalCycles);
      expect(fast.fifoFullCycles).toBe(slow.fifoFullCycles);
      expect(fast.peakWindowBytes).toBe(slow.peakWindowBytes);
      expect(fast.peakWindowBytes).toBeGreaterThan(0);
      expect(fast.dramActBytes).toBe(3700);
      expect(fast.dramHeaderBytes).toBe(slow.dramHeaderBytes);
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
      const { image, layers } = chipImage(cfg, specs.map((s, i): LayerRecipe => (i === raw ? { spec: s, codec: 'raw' } : tans(s, cfg, 9))));
      const mk = () => layers.map((l, i) => ({ ...l, actReadBytes: acts[i], actWriteBytes: 0 }));
      const fast = runPipeline(cfg, mk(), sourcesFor(cfg, image));
      const slow = runPipeline(cfg, mk(), wrapped(sourcesFor(cfg, image), neverSettled));
      expect({ trial, cfg, layers: fast.layers, ff: fast.fifoFullCycles, peak: fast.peakWindowBytes, hdr: fast.dramHeaderBytes })
        .toEqual({ trial, cfg, layers: slow.layers, ff: slow.fifoFullCycles, peak: slow.peakWindowBytes, hdr: slow.dramHeaderBytes });
    }
  });
});

describe('a source built by hand runs the same layers', () => {
  it('TansSource + RawBypass through a sourceOf function: the same result as sourcesFor', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 8, macCols: 8, decoders: 4, dramBytesPerCycle: 4, dramLatency: 12, burstBytes: 32, fifoDepth: 32, streamFifoDepth: 4 };
    const { image, layers } = chipImage(cfg, [tans(spec64, cfg), { spec: { ...spec64, name: 'r' } as LayerSpec, codec: 'raw' }]);
    const byHand = sourcesBy({
      tans: new TansSource(tansEngineModel, { states: 64, symbolBits: 4, streams: 4, inWidth: 32, streamFifoDepth: 4 }),
      raw: new RawBypass(1),
    });
    expect(runPipeline(cfg, layers, byHand)).toEqual(runPipeline(cfg, chipLayers(image, cfg, layers.map(() => ({ ifmap: 0, ofmap: 0, read: 0, write: 0 }))), sourcesFor(cfg, image, { simulation: 'exact' })));
  });
});
