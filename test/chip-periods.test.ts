/**
 * Repeated periods (PipelineRun.skipPeriods, docs/hw/pipeline.md "Repeated periods"): where the
 * state of a run at a group start is the state of a group start p groups before and the groups
 * ahead repeat, the model jumps over whole periods. A jump must count exactly what running the
 * periods would: runs with jumps on and off must agree on every figure, on the int8 baseline of
 * real networks' topologies over the sweep's chips, of random networks on random chips, and on a
 * coded image's raw layers. (The random chips of test/chip-fast.test.ts compare runs with jumps
 * against runs stepped every cycle.)
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHIP, type ChipConfig } from '../src/chip/config.js';
import { runPipeline, type PipelineResult } from '../src/chip/pipeline.js';
import { activationTraffic } from '../src/chip/activation.js';
import { chipLayers, int8ChipLayers, runInt8, type PlainLayer } from '../src/chip/simulate.js';
import { sourcesFor } from '../src/chip/sources.js';
import { RawBypass, rawBypassWidth } from '../src/chip/weight-source.js';
import type { LayerSpec } from '../src/models/types.js';
import { zooLayers } from '../src/models/zoo.js';
import { chipImage, countOf, figures, sourcesBy } from './chip-fixtures.js';

const plainOf = (model: string): PlainLayer[] => zooLayers(model).map((spec) => ({ spec, params: countOf(spec.weightShape) }));

function int8Run(plain: readonly PlainLayer[], cfg: ChipConfig, jumps: boolean): PipelineResult {
  const raw = sourcesBy({ raw: new RawBypass(rawBypassWidth(cfg.dramBytesPerCycle)) });
  return runPipeline(cfg, int8ChipLayers(plain, cfg), raw, { skipRepeatedPeriods: jumps });
}

describe('jumping over repeated periods counts what running them would', () => {
  // chips of the sweep's grid: compute-bound and DRAM-bound, shallow and deep FIFOs, activation
  // spills that share the channel (at 1 and 2 B/cycle most layers wait on them)
  const chips: Array<Partial<ChipConfig>> = [
    { macRows: 16, macCols: 16, dramBytesPerCycle: 16, dramLatency: 100, fifoDepth: 64 },
    { macRows: 16, macCols: 16, dramBytesPerCycle: 1, dramLatency: 25, fifoDepth: 256 },
    { macRows: 32, macCols: 32, dramBytesPerCycle: 4, dramLatency: 200, fifoDepth: 32 },
    { macRows: 8, macCols: 8, dramBytesPerCycle: 2, dramLatency: 100, fifoDepth: 128 },
    { macRows: 32, macCols: 16, dramBytesPerCycle: 8, dramLatency: 50, fifoDepth: 64, dataflow: 'os' },
    { macRows: 16, macCols: 16, dramBytesPerCycle: 1.5, dramLatency: 60, fifoDepth: 48, burstBytes: 32, dataflow: 'is' },
  ];

  for (const model of ['resnet50', 'mobilenetv2']) {
    it(`the int8 baseline of ${model} on ${chips.length} chips: identical figures, most groups jumped over`, () => {
      const plain = plainOf(model);
      for (const patch of chips) {
        const cfg: ChipConfig = { ...DEFAULT_CHIP, ...patch };
        const noJumps = int8Run(plain, cfg, false);
        const jumped = int8Run(plain, cfg, true);
        expect({ patch, ...figures(jumped) }).toEqual({ patch, ...figures(noJumps) });
        expect(noJumps.periodGroups).toBe(0);
        // the jumps happened: most of the network's groups, and far fewer steps
        const groups = int8ChipLayers(plain, cfg).reduce((a, l) => a + l.mapping.groupWeights.length, 0);
        expect(jumped.periodGroups).toBeGreaterThan(groups / 2);
        expect(jumped.simulatedCycles).toBeLessThan(noJumps.simulatedCycles / 2);
        // and `hwsim run` and the sweep's int8 baseline take them
        expect(runInt8(plain, cfg).periodGroups).toBe(jumped.periodGroups);
      }
    });
  }

  it('40 random chips × networks of many groups (fractional bandwidths, odd bursts and FIFOs, spills): identical figures', () => {
    let seed = 77;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n; };
    let jumpedGroups = 0;
    for (let trial = 0; trial < 40; trial++) {
      const burstBytes = [16, 32, 64][rnd(3)];
      const cfg: ChipConfig = {
        ...DEFAULT_CHIP, macRows: [4, 8, 16][rnd(3)], macCols: [4, 8, 16, 32][rnd(4)], dataflow: (['ws', 'os', 'is'] as const)[rnd(3)],
        dramBytesPerCycle: [0.5, 1.25, 2, 3, 8, 40][rnd(6)], dramLatency: 1 + rnd(150), burstBytes,
        fifoDepth: burstBytes / 4 * (1 + rnd(8)), sramKb: [4, 16, 64][rnd(3)],
      };
      const plain: PlainLayer[] = Array.from({ length: 2 + rnd(4) }, (_, i) => {
        const f = [1, 3][rnd(2)];
        const channels = 8 + rnd(120);
        const filters = 8 + rnd(120);
        const h = f + rnd(12);
        const spec = { name: `l${i}`, kind: 'conv', ifmapH: h, ifmapW: h, filterH: f, filterW: f, channels, filters, stride: 1,
          weightShape: [filters, channels, f, f] } as LayerSpec;
        return { spec, params: countOf(spec.weightShape) };
      });
      const noJumps = int8Run(plain, cfg, false);
      const jumped = int8Run(plain, cfg, true);
      expect({ trial, cfg, ...figures(jumped) }).toEqual({ trial, cfg, ...figures(noJumps) });
      jumpedGroups += jumped.periodGroups;
    }
    console.log(`groups jumped ${jumpedGroups}`);
    expect(jumpedGroups).toBeGreaterThan(1000);
  });

  it('a coded image\'s raw layers between tANS layers: identical figures, the raw layers jumped over', () => {
    const conv = (name: string, c: number, n: number, h: number): LayerSpec =>
      ({ name, kind: 'conv', ifmapH: h, ifmapW: h, filterH: 3, filterW: 3, channels: c, filters: n, stride: 1, weightShape: [n, c, 3, 3] }) as LayerSpec;
    const specs = [conv('first', 3, 64, 20), conv('mid', 64, 64, 10), conv('raw', 64, 96, 8), conv('last', 96, 64, 6)];
    for (const patch of chips.slice(0, 4)) {
      const cfg: ChipConfig = { ...DEFAULT_CHIP, ...patch, decoders: 4 };
      const { image } = chipImage(cfg, specs.map((spec, i) => (i === 0 || i === 2
        ? { spec, codec: 'raw' as const, seed: i } : { spec, codec: 'tans' as const, states: 64, streams: 4, bins: 15, seed: i })));
      // with activation traffic, as `hwsim run` has it
      const act = activationTraffic(specs.map((spec) => ({ spec, params: countOf(spec.weightShape) })), 16);
      const layers = () => chipLayers(image, cfg, act);
      const jumped = runPipeline(cfg, layers(), sourcesFor(cfg, image));
      const noJumps = runPipeline(cfg, layers(), sourcesFor(cfg, image), { skipRepeatedPeriods: false });
      expect({ patch, ...figures(jumped) }).toEqual({ patch, ...figures(noJumps) });
      expect(jumped.periodGroups).toBeGreaterThan(0);
    }
  });
});
