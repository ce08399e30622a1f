/**
 * The chip pipeline on hand-built layers whose cycle counts are worked out on paper below.
 * Activation traffic is set to zero in these layers so that only the weight path and the array
 * interact. The layers are the int8 baseline's raw records (src/chip/simulate.ts): DRAM fetches
 * each layer's record prefix into the header staging buffer before its payload words, so every
 * derivation starts with the prefix:
 *   codec byte (1) + header length varint (1) + header (rank byte 1, one varint byte per
 *   dimension < 128, bins 1, f32 step 4) + payload length varint (params bytes: 1 byte below 128,
 *   2 bytes from 128 to 16383).
 *   [4, 4, 1, 1]  (16 weights):  1 + 1 + (1 + 4 + 1 + 4) + 1 = 13 bytes
 *   [16, 16, 1, 1] (256 weights): 1 + 1 + (1 + 4 + 1 + 4) + 2 = 14 bytes
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import type { WordFifo } from '../src/chip/fifo.js';
import { activationTraffic } from '../src/chip/activation.js';
import { runPipeline, type ChipLayer, type PipelineResult, type QuietSkipKind } from '../src/chip/pipeline.js';
import { RawBypass, rawBypassWidth, type SourceLayer, type WeightSource } from '../src/chip/weight-source.js';
import type { LayerSpec } from '../src/models/types.js';
import { int8Layer, neverSettled, sourcesBy } from './chip-fixtures.js';

function conv(name: string, h: number, c: number, n: number, f = 1): LayerSpec {
  return { name, kind: 'conv', ifmapH: h, ifmapW: h, filterH: f, filterW: f, channels: c, filters: n, stride: 1, weightShape: [n, c, f, f] } as LayerSpec;
}

function chip(p: Partial<ChipConfig>): ChipConfig {
  return { ...DEFAULT_CHIP, macRows: 4, macCols: 4, dataflow: 'ws', ...p };
}

/**
 * A raw int8 record. With `codec` 'tans' the layer goes to the decoder slot's 'tans' source, which
 * these tests fill with the one-lane test decoder below (it ignores the prefix, as the bypass does,
 * so the record stays the raw one and its prefix length is the one derived above).
 */
function layer(cfg: ChipConfig, spec: LayerSpec, codec: 'tans' | 'raw' = 'raw'): ChipLayer {
  return { ...int8Layer(cfg, spec), codec };
}

/**
 * A test decoder with one lane: takes a word when it holds none, then gives one weight a cycle
 * (a one-word bypass handing on at most one weight a cycle). `isDecoder` says whether the
 * pipeline counts its waits on a non-empty FIFO as decoder stalls.
 */
class OneLaneDecoder implements WeightSource {
  readonly lanes = 1;
  readonly readsWordValues = false;
  readonly settleCycles = 2;
  private readonly inner = new RawBypass(1);
  constructor(readonly isDecoder = true) {}
  get popped(): number { return this.inner.popped; }
  get layerDone(): boolean { return this.inner.layerDone; }
  begin(layer: SourceLayer): number { return this.inner.begin(layer); }
  step(fifo: WordFifo, space: number): number { return this.inner.step(fifo, Math.min(space, 1)); }
}

const raw = (width: number) => sourcesBy({ raw: new RawBypass(width) });

describe('activation spills (docs/hw/activation-sram.md)', () => {
  it('reads an ifmap from DRAM only where it was spilled, writes an ofmap where the layer does not fit', () => {
    // 1 KiB SRAM. a: 10×10×4 in (400 B), 10×10×4 out (400 B): fits. b: 10×10×4 in, 10×10×8 out
    //   (800 B): 1200 B, spills its ofmap, but reads its ifmap from SRAM (a kept it there).
    // c: 10×10×8 in (800 B, spilled by b: read from DRAM), 10×10×1 out (100 B): fits, and is last: written.
    const specs = [conv('a', 10, 4, 4), conv('b', 10, 4, 8), conv('c', 10, 8, 1)];
    const t = activationTraffic(specs.map((spec) => ({ spec, params: spec.weightShape.reduce((x, y) => x * y, 1) })), 1);
    expect(t).toEqual([
      { ifmap: 400, ofmap: 400, read: 400, write: 0 }, // the network input comes from DRAM
      { ifmap: 400, ofmap: 800, read: 0, write: 800 },
      { ifmap: 800, ofmap: 100, read: 800, write: 100 },
    ]);
  });
});

describe('pipeline on hand-checked layers', () => {
  it('the prefixes are the lengths derived above', () => {
    const cfg = chip({});
    expect(layer(cfg, conv('c', 10, 4, 4)).prefix.length).toBe(13);
    expect(layer(cfg, conv('c', 2, 16, 16)).prefix.length).toBe(14);
  });

  it('compute-bound: weights arrive early, the array runs the SCALE-Sim cycles', () => {
    // 4×4 ws array; 1×1 conv, 4 channels → 4 filters on a 10×10 ifmap:
    //   K = 4, N = 4, M = 100 → 1 fold of 2R + C + M − 2 = 8 + 4 + 100 − 2 = 110 cycles.
    // DRAM 64 B/cycle, latency 1, 64-byte bursts: the channel starts with no credit (cap =
    //   burst − bandwidth = 0) and earns 64 B in cycle 0: the 13-byte prefix issues at t = 0, and
    //   the 16 weights (4 words, 16 bytes) as a second burst in the same cycle (13 + 16 ≤ 64);
    //   both land at t = 1. The bypass (16 words wide) begins the layer on the landed header
    //   (0 load cycles) and takes all 4 words at t = 1; the fold starts at t = 2 and ends at 112.
    // Stalls: t = 0 header (the prefix has not landed), t = 1 dram (FIFO empty after the bypass
    //   took its words: a raw layer only waits on DRAM).
    const cfg = chip({ dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 64 });
    const l = layer(cfg, conv('c', 10, 4, 4));
    expect(l.mapping.computeCycles).toBe(110);
    const r = runPipeline(cfg, [l], raw(rawBypassWidth(64)));
    expect(r.totalCycles).toBe(112);
    expect(r.layers[0].compute).toBe(110);
    expect(r.layers[0].stalls).toEqual({ dram: 1, fifo: 0, decoder: 0, header: 1, activation: 0 });
    expect(r.layers[0].sourceLoad).toBe(0);
    expect(r.dramWeightBytes).toBe(16);
    expect(r.dramHeaderBytes).toBe(13);
  });

  it('DRAM-bound: 1 B/cycle cannot keep up with 14-cycle folds', () => {
    // 4×4 ws; 1×1 conv, 16 → 16 channels on a 2×2 ifmap: K = 16, N = 16, M = 4
    //   16 folds (4 row × 4 col), each 16 weights (4 words), each 2·4 + 4 + 4 − 2 = 14 cycles → compute 224.
    // DRAM 1 B/cycle, latency 10, 16-byte bursts: the channel starts with 15 B of credit (cap =
    //   16 − 1) and has 16 B in cycle 0: the 14-byte prefix issues at t = 0 (2 B left) and lands at
    //   t = 10. Word burst 0 (16 B) waits until the credit is 16 again: 2 + 14 = 16 at t = 14;
    //   then one burst every 16 cycles: burst k at 14 + 16k, landing at 24 + 16k.
    // The bypass (1 word/cycle) pops burst k at 24+16k .. 27+16k, so fold k can start at 28 + 16k
    //   and ends at 42 + 16k, two cycles before fold k+1 is ready (44 + 16k).
    // Total: last fold (k = 15) starts 268, ends 282. Stalls = 282 − 224 = 58 = 28 (before fold 0)
    //   + 15 × 2 (between folds): t = 0..9 header (10: the prefix is in flight), the other 48 dram
    //   (a raw layer only ever waits on DRAM).
    const cfg = chip({ dramBytesPerCycle: 1, dramLatency: 10, burstBytes: 16, fifoDepth: 64 });
    const l = layer(cfg, conv('c', 2, 16, 16));
    expect(l.mapping.folds).toBe(16);
    expect(l.mapping.computeCycles).toBe(224);
    const r = runPipeline(cfg, [l], raw(rawBypassWidth(1)));
    expect(r.totalCycles).toBe(282);
    expect(r.layers[0].compute).toBe(224);
    expect(r.layers[0].stalls).toEqual({ dram: 48, fifo: 0, decoder: 0, header: 10, activation: 0 });
    expect(r.layers[0].sourceStart).toBe(10);
    expect(r.dramHeaderBytes).toBe(14);
    expect(r.dramWeightBytes).toBe(256);
  });

  it('decoder-bound: one weight per cycle behind a fast DRAM', () => {
    // Same layer (16 folds × 16 weights × 14 cycles), decoded by a one-lane test decoder.
    //   64 B/cycle, latency 1, no initial credit: the 14-byte prefix issues at t = 0 (50 B left, too
    //   few for a 64-byte word burst), word burst k (16 words) at t = 1 + k; the prefix lands at
    //   t = 1 (the decoder begins, 0 load cycles, FIFO empty), burst 0 at t = 2, and weight i comes
    //   out in cycle 2 + i. Fold k's last weight (16k + 15) is out in cycle 16k + 17, so fold k
    //   starts at 16k + 18 and ends at 16k + 32, two cycles before fold k+1 is ready (16k + 34).
    // Total: fold 15 starts 258, ends 272. Stalls = 272 − 224 = 48: t = 0 is header (the prefix is
    //   in flight), t = 1 is dram (header in, FIFO empty), t = 2..17 and the 15 × 2 gaps are
    //   decoder (words in the FIFO, or all taken by the decoder): 16 + 30 = 46.
    const cfg = chip({ dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 64 });
    const l = layer(cfg, conv('c', 2, 16, 16), 'tans');
    const r = runPipeline(cfg, [l], sourcesBy({ tans: new OneLaneDecoder(), raw: new RawBypass(16) }));
    expect(r.totalCycles).toBe(272);
    expect(r.layers[0].stalls).toEqual({ dram: 1, fifo: 0, decoder: 46, header: 1, activation: 0 });
  });

  it('a wait on a non-empty FIFO is a decoder stall only for a decoder', () => {
    // The same run with the one-lane decoder declared a non-decoder (isDecoder false): the 46
    //   cycles on words the slot has not taken become dram (burst granularity of a bypass).
    const cfg = chip({ dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 64 });
    const l = layer(cfg, conv('c', 2, 16, 16), 'tans');
    const r = runPipeline(cfg, [l], sourcesBy({ tans: new OneLaneDecoder(false) }));
    expect(r.totalCycles).toBe(272);
    expect(r.layers[0].stalls).toEqual({ dram: 47, fifo: 0, decoder: 0, header: 1, activation: 0 });
  });

  it('a FIFO too shallow for the latency shows up as fifo stalls', () => {
    // 16-word FIFO = one 64-byte burst; latency 40: one burst in flight at a time, 16 words per
    //   40 cycles (1.6 B/cycle) though DRAM could give 64 B/cycle. While a burst is in flight the FIFO
    //   is empty and the reader is blocked by the FIFO, so those waits are "fifo". The first 40
    //   cycles (t = 0..39) wait on the prefix (issued at t = 0, landing at 40): header.
    const cfg = chip({ dramBytesPerCycle: 64, dramLatency: 40, burstBytes: 64, fifoDepth: 16 });
    const l = layer(cfg, conv('c', 2, 16, 16));
    const r = runPipeline(cfg, [l], raw(16));
    expect(r.layers[0].stalls.header).toBe(40);
    expect(r.layers[0].stalls.fifo).toBeGreaterThan(r.layers[0].stalls.dram);
    // and between bursts the FIFO holds words the double buffer cannot take yet: FIFO-full cycles
    expect(r.fifoFullCycles).toBeGreaterThan(0);
  });

  it('activation traffic competes for DRAM and can hold a layer open', () => {
    // Weights: 13 prefix bytes + 16 payload bytes; activations 400 bytes; 1 B/cycle, 16-byte
    //   bursts, round-robin. The array's 110 cycles end long before the channel has moved 429 bytes.
    const cfg = chip({ dramBytesPerCycle: 1, dramLatency: 1, burstBytes: 16, fifoDepth: 16 });
    const l = { ...layer(cfg, conv('c', 10, 4, 4)), actReadBytes: 400, actWriteBytes: 0 };
    const r = runPipeline(cfg, [l], raw(1));
    // channel: 13 + 16 + 400 = 429 bytes at 1 B/cycle, a requester always waiting (no credit is
    //   capped away); cycle 0 has 16 B (15 initial + 1), so the last activation burst issues in
    //   cycle 429 − 16 = 413 and the layer ends at 414.
    expect(r.totalCycles).toBe(414);
    expect(r.layers[0].stalls.activation).toBeGreaterThan(0);
    expect(r.dramActBytes).toBe(400);
    expect(r.dramHeaderBytes).toBe(13);
  });
});

describe('skipping quiet stretches accounts exactly what stepping every cycle would', () => {
  // Each case exercises one kind of skip (docs/hw/pipeline.md, "Settled stretches"); the run with
  // skipping must equal a run that steps every cycle (the settled source still held, so only the
  // skip's accounting differs) and a run that also steps the source every cycle.
  const cases: Array<{ kind: QuietSkipKind; why: string; cfg: ChipConfig; layers: () => ChipLayer[] }> = [
    {
      kind: 'nextEvent', why: 'a DRAM-bound layer: the reader waits for credit for each burst',
      cfg: chip({ dramBytesPerCycle: 1.5, dramLatency: 10, burstBytes: 16, fifoDepth: 8 }),
      layers() { return [layer(this.cfg, conv('a', 2, 16, 16)), layer(this.cfg, conv('b', 3, 16, 8), 'tans')]; },
    },
    {
      kind: 'groupEnd', why: 'activation traffic drains while the array computes long folds, the reader done',
      cfg: chip({ dramBytesPerCycle: 0.75, dramLatency: 3, burstBytes: 16, fifoDepth: 16 }),
      layers() { return [{ ...layer(this.cfg, conv('a', 12, 4, 8)), actReadBytes: 150, actWriteBytes: 60 }]; },
    },
    {
      kind: 'activationDrain', why: 'the layer has computed everything, its activations are still pending',
      cfg: chip({ dramBytesPerCycle: 2.5, dramLatency: 7, burstBytes: 32, fifoDepth: 8 }),
      layers() {
        return [{ ...layer(this.cfg, conv('a', 4, 8, 4), 'tans'), actReadBytes: 900, actWriteBytes: 300 },
          { ...layer(this.cfg, conv('b', 3, 4, 4)), actReadBytes: 0, actWriteBytes: 700 }];
      },
    },
    {
      kind: 'creditWait', why: 'a DRAM-bound reader waits for credit while activation bursts take turns with it (a detailed DRAM: the cycle each burst issues in matters)',
      cfg: chip({ dramBytesPerCycle: 1.25, dramLatency: 6, burstBytes: 16, fifoDepth: 8, dram: 'lpddr4-3200-x16' }),
      layers() {
        return [{ ...layer(this.cfg, conv('a', 4, 16, 16)), actReadBytes: 700, actWriteBytes: 300 },
          { ...layer(this.cfg, conv('b', 3, 16, 8), 'tans'), actReadBytes: 200, actWriteBytes: 450 }];
      },
    },
    {
      kind: 'landings', why: 'while the array computes long folds, bursts land in a FIFO the reader waits to have room in',
      cfg: chip({ dramBytesPerCycle: 8, dramLatency: 30, burstBytes: 16, fifoDepth: 16 }),
      layers() { return [layer(this.cfg, conv('a', 8, 16, 16)), layer(this.cfg, conv('b', 6, 16, 8), 'tans')]; },
    },
  ];
  for (const c of cases) {
    it(`${c.kind}: ${c.why}`, () => {
      const sources = (every: boolean) => {
        const wrap = (s: WeightSource) => (every ? neverSettled(s) : s);
        return sourcesBy({ tans: wrap(new OneLaneDecoder()), raw: wrap(new RawBypass(rawBypassWidth(c.cfg.dramBytesPerCycle))) });
      };
      const skipped = runPipeline(c.cfg, c.layers(), sources(false));
      const stepped = runPipeline(c.cfg, c.layers(), sources(false), { skipQuietStretches: false });
      const allStepped = runPipeline(c.cfg, c.layers(), sources(true), { skipQuietStretches: false });
      // the skip this case is about happened, and the reference runs really stepped every cycle
      expect(skipped.quietSkips[c.kind]).toBeGreaterThan(0);
      expect(stepped.quietSkips).toEqual({ nextEvent: 0, groupEnd: 0, activationDrain: 0, landings: 0, creditWait: 0 });
      expect(stepped.simulatedCycles).toBe(stepped.totalCycles + 1);
      // every layer's prefix crossed DRAM
      expect(skipped.dramHeaderBytes).toBe(c.layers().reduce((a, l) => a + l.prefix.length, 0));
      const figures = (r: PipelineResult) => ({ ...r, simulatedCycles: undefined, quietSkips: undefined, bulkStretches: undefined, bulkIssues: undefined, bulkLandings: undefined, bulkHeldCycles: undefined, bulkIdleCycles: undefined, bulkGroups: undefined, periodGroups: undefined });
      expect(figures(skipped)).toEqual(figures(stepped));
      expect(figures(skipped)).toEqual(figures(allStepped));
      expect(skipped.simulatedCycles).toBeLessThan(stepped.simulatedCycles);
    });
  }
});

describe('a layer that begins is not settled', () => {
  // Found by fuzzing: while the slot waits for a header, its quiet counter runs; a raw layer
  // (0 load cycles) began with that count and was held as settled in its first cycle, so its
  // weights arrived 15 cycles late with quiet-stretch skipping on. Layer c's header lands at t=51.
  it('three raw layers: skipping on and stepping every cycle agree', () => {
    const cfg: ChipConfig = { ...DEFAULT_CHIP, macRows: 4, macCols: 8, dataflow: 'is', dramBytesPerCycle: 200, dramLatency: 17, burstBytes: 8, fifoDepth: 4 };
    const fc = (name: string, filters: number, channels: number, h: number, w: number): LayerSpec => ({
      name, kind: 'conv', ifmapH: h, ifmapW: w, filterH: 1, filterW: 1, channels, filters, stride: 1, weightShape: [filters, channels, 1, 1],
    });
    const layers = () => [fc('a', 2, 6, 3, 2), fc('b', 2, 2, 3, 1), fc('c', 1, 8, 3, 2)].map((s) => int8Layer(cfg, s));
    const bypass = () => new RawBypass(rawBypassWidth(cfg.dramBytesPerCycle));
    const skipped = runPipeline(cfg, layers(), sourcesBy({ raw: bypass() }));
    const stepped = runPipeline(cfg, layers(), sourcesBy({ raw: neverSettled(bypass()) }), { skipQuietStretches: false });
    expect(stepped.totalCycles).toBe(96);
    expect(skipped.totalCycles).toBe(stepped.totalCycles);
    expect(skipped.layers).toEqual(stepped.layers);
  });
});
