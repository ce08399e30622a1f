/**
 * The chip pipeline on hand-built layers whose cycle counts are worked out on paper below.
 * Activation traffic is set to zero in these layers so that only the weight path and the array
 * interact.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import type { WordFifo } from '../src/chip/fifo.js';
import { mapLayer } from '../src/chip/mac-array.js';
import { runPipeline, type ChipLayer } from '../src/chip/pipeline.js';
import { activationTraffic } from '../src/chip/simulate.js';
import { RawBypass, rawBypassWidth } from '../src/chip/weight-source.js';
import type { LayerSpec } from '../src/models/types.js';

function conv(name: string, h: number, c: number, n: number, f = 1): LayerSpec {
  return { name, kind: 'conv', ifmapH: h, ifmapW: h, filterH: f, filterW: f, channels: c, filters: n, stride: 1, weightShape: [n, c, f, f] } as LayerSpec;
}

function chip(p: Partial<ChipConfig>): ChipConfig {
  return { ...DEFAULT_CHIP, macRows: 4, macCols: 4, dataflow: 'ws', ...p };
}

function layer(cfg: ChipConfig, spec: LayerSpec, codec: 'tans' | 'raw' = 'raw'): ChipLayer {
  const params = spec.weightShape.reduce((a, b) => a * b, 1);
  return {
    name: spec.name, codec, params, words: Math.ceil(params / 4), tableBytes: 0,
    mapping: mapLayer(spec, params, cfg.dataflow, cfg.macRows, cfg.macCols), actReadBytes: 0, actWriteBytes: 0,
  };
}

/** A test decoder with one lane: takes a word when it holds none, then gives one weight a cycle. */
class OneLaneDecoder extends RawBypass {
  override readonly lanes = 1;
  constructor() { super(1); }
  override step(fifo: WordFifo, space: number): number { return super.step(fifo, Math.min(space, 1)); }
}

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
  it('compute-bound: weights arrive early, the array runs the SCALE-Sim cycles', () => {
    // 4×4 ws array; 1×1 conv, 4 channels → 4 filters on a 10×10 ifmap:
    //   K = 4, N = 4, M = 100 → 1 fold of 2R + C + M − 2 = 8 + 4 + 100 − 2 = 110 cycles.
    // DRAM 64 B/cycle, latency 1, 64-byte bursts: the 16 weights (4 words, 16 bytes) are one burst
    //   issued at t = 0 (credit starts full), landing at t = 1; the bypass (16 words wide) takes all
    //   4 words at t = 1; the fold starts at t = 2 and ends at 2 + 110 = 112.
    // Stalls: t = 0 and t = 1, both dram (FIFO empty / bypass only waits on DRAM).
    const cfg = chip({ dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 64 });
    const l = layer(cfg, conv('c', 10, 4, 4));
    expect(l.mapping.computeCycles).toBe(110);
    const r = runPipeline(cfg, [l], { raw: new RawBypass(rawBypassWidth(64)) });
    expect(r.totalCycles).toBe(112);
    expect(r.layers[0].compute).toBe(110);
    expect(r.layers[0].stalls).toEqual({ dram: 2, fifo: 0, decoder: 0, table: 0, activation: 0 });
    expect(r.dramWeightBytes).toBe(16);
  });

  it('DRAM-bound: 1 B/cycle cannot keep up with 14-cycle folds', () => {
    // 4×4 ws; 1×1 conv, 16 → 16 channels on a 2×2 ifmap: K = 16, N = 16, M = 4
    //   16 folds (4 row × 4 col), each 16 weights (4 words), each 2·4 + 4 + 4 − 2 = 14 cycles → compute 224.
    // DRAM 1 B/cycle, latency 10, 16-byte bursts (one fold each): credit starts full (16 B) so burst 0
    //   issues at t = 0, then one burst every 16 cycles: burst k at 16k, landing at 16k + 10.
    // The bypass (1 word/cycle) pops burst k at 16k+10 .. 16k+13, so fold k can start at 16k + 14
    //   and ends at 16k + 28, two cycles before fold k+1 is ready (16k + 30).
    // Total: last fold (k = 15) starts 254, ends 268. Stalls = 268 − 224 = 44 = 14 (before fold 0)
    //   + 15 × 2 (between folds), all dram (a raw layer only ever waits on DRAM).
    const cfg = chip({ dramBytesPerCycle: 1, dramLatency: 10, burstBytes: 16, fifoDepth: 64 });
    const l = layer(cfg, conv('c', 2, 16, 16));
    expect(l.mapping.folds).toBe(16);
    expect(l.mapping.computeCycles).toBe(224);
    const r = runPipeline(cfg, [l], { raw: new RawBypass(rawBypassWidth(1)) });
    expect(r.totalCycles).toBe(268);
    expect(r.layers[0].compute).toBe(224);
    expect(r.layers[0].stalls).toEqual({ dram: 44, fifo: 0, decoder: 0, table: 0, activation: 0 });
  });

  it('decoder-bound: one weight per cycle behind a fast DRAM', () => {
    // Same layer (16 folds × 16 weights × 14 cycles), decoded by a one-lane test decoder: a word
    //   lands at t = 1 (64 B/cycle, latency 1), and weight i comes out in cycle 1 + i.
    //   Fold k's last weight (16k + 15) is out in cycle 16k + 16, so fold k starts at 16k + 17 and
    //   ends at 16k + 31, two cycles before fold k+1 is ready (16k + 33).
    // Total: fold 15 starts 257, ends 271. Stalls = 271 − 224 = 47: t = 0 is dram (nothing landed),
    //   t = 1..16 and the 15 × 2 gaps are decoder (words in the FIFO, or all taken by the decoder).
    const cfg = chip({ dramBytesPerCycle: 64, dramLatency: 1, burstBytes: 64, fifoDepth: 64 });
    const l = layer(cfg, conv('c', 2, 16, 16), 'tans');
    const r = runPipeline(cfg, [l], { tans: new OneLaneDecoder(), raw: new RawBypass(16) });
    expect(r.totalCycles).toBe(271);
    expect(r.layers[0].stalls).toEqual({ dram: 1, fifo: 0, decoder: 46, table: 0, activation: 0 });
  });

  it('a FIFO too shallow for the latency shows up as fifo stalls', () => {
    // 16-word FIFO = one 64-byte burst; latency 40: one burst in flight at a time, 16 words per
    //   40 cycles (1.6 B/cycle) though DRAM could give 64 B/cycle. While a burst is in flight the FIFO
    //   is empty and the reader is blocked by the FIFO, so those waits are "fifo".
    const cfg = chip({ dramBytesPerCycle: 64, dramLatency: 40, burstBytes: 64, fifoDepth: 16 });
    const l = layer(cfg, conv('c', 2, 16, 16));
    const r = runPipeline(cfg, [l], { raw: new RawBypass(16) });
    expect(r.layers[0].stalls.fifo).toBeGreaterThan(r.layers[0].stalls.dram);
    // and between bursts the FIFO holds words the double buffer cannot take yet: FIFO-full cycles
    expect(r.fifoFullCycles).toBeGreaterThan(0);
  });

  it('activation traffic competes for DRAM and can hold a layer open', () => {
    // Weights: 16 bytes; activations 400 bytes; 1 B/cycle, 16-byte bursts, round-robin.
    //   The array's 110 cycles end long before the channel has moved 416 bytes.
    const cfg = chip({ dramBytesPerCycle: 1, dramLatency: 1, burstBytes: 16, fifoDepth: 16 });
    const l = { ...layer(cfg, conv('c', 10, 4, 4)), actReadBytes: 400, actWriteBytes: 0 };
    const r = runPipeline(cfg, [l], { raw: new RawBypass(1) });
    // channel: 16 + 400 = 416 bytes at 1 B/cycle; the first 16 come from the full initial credit,
    //   so the last activation burst issues in cycle 400 and the layer ends at 401.
    expect(r.totalCycles).toBe(401);
    expect(r.layers[0].stalls.activation).toBeGreaterThan(0);
    expect(r.dramActBytes).toBe(400);
  });
});
