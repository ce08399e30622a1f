/**
 * Energy per inference (src/chip/energy.ts, src/report/energy-figures.ts) against counts worked out
 * by hand for a three-layer network on a 4×4 weight-stationary array: GEMM shapes, MACs, the
 * array's SRAM reads and writes, the activation spills of a 100-byte SRAM, and the DRAM and FIFO
 * words read from the container file itself. With an energy table of round numbers the total is
 * then a sum the test computes on its own; a count changed by one is shown to fail the comparison.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChipConfigFile, resolveChipConfig, DEFAULT_CHIP } from '../src/chip/config.js';
import { energyTableFor, nodeFactor, sramRead64Pj } from '../src/chip/energy.js';
import { readContainer } from '../src/codecs/container.js';
import { HwsimError } from '../src/errors.js';
import type { Model, LayerSpec } from '../src/models/types.js';
import type { RunReport } from '../src/report/run-figures.js';
import type { LayerAccessCounts } from '../src/chip/energy.js';
import { runModel } from '../src/run.js';
import { formatRun, runCsv } from '../src/report/run-report.js';

const specs: LayerSpec[] = [
  { name: 'a', kind: 'conv', ifmapH: 6, ifmapW: 6, filterH: 3, filterW: 3, channels: 2, filters: 4, stride: 1, weightShape: [4, 2, 3, 3] },
  { name: 'b', kind: 'conv', ifmapH: 4, ifmapW: 4, filterH: 3, filterW: 3, channels: 4, filters: 8, stride: 1, weightShape: [8, 4, 3, 3] },
  { name: 'c', kind: 'fc', ifmapH: 1, ifmapW: 1, filterH: 1, filterW: 1, channels: 32, filters: 10, stride: 1, weightShape: [10, 32] },
];

function tinyModel(): Model {
  let s = 12345;
  const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
  return {
    name: 'tiny', source: 'test', synthetic: true, description: 'energy test network',
    layers: specs.map((spec) => {
      const n = spec.weightShape.reduce((a, b) => a * b, 1);
      const w = new Float32Array(n);
      for (let i = 0; i < n; i++) w[i] = Math.log(rnd() + 1e-9) * (rnd() < 0.5 ? -0.05 : 0.05);
      return { spec, weights: w };
    }),
  };
}

/** Round numbers: every SRAM 1 pJ/byte (8 pJ per 64 bits at every size), DRAM 4 pJ/byte. */
const TABLE = { macPj: 1, sram8kRead64Pj: 8, sram32kRead64Pj: 8, sram1mRead64Pj: 8, sramWriteFactor: 1, decoderStatePj: 2, dequantPj: 3, dramPjPerBit: 0.5 };

/** The hand-worked figures of each layer (see the comments): GEMM M×K×N on a 4×4 ws array. */
const HAND = [
  // a: out 4×4 → M 16, K 2·3·3 = 18, N 4. Weights K·N = 72; ifmap M·K per column fold (1) = 288;
  //    ofmap M·N per row fold (ceil(18/4) = 5) = 320, of which 320 − 64 are partial-sum read-backs.
  //    Activations: ifmap 72 + ofmap 64 = 136 B > 100 B of SRAM: the network input comes from DRAM (72), the ofmap spills (64).
  { params: 72, macs: 16 * 18 * 4, wReads: 72, iReads: 288, oWrites: 320, psum: 256, actRead: 72, actWrite: 64 },
  // b: out 2×2 → M 4, K 36, N 8. ifmap 4·36 × 2 column folds = 288; ofmap 4·8 × 9 row folds = 288 (256 read back).
  //    ifmap 64 (in DRAM: a spilled) + ofmap 32 = 96 B fits: read 64, write nothing.
  { params: 288, macs: 4 * 36 * 8, wReads: 288, iReads: 288, oWrites: 288, psum: 256, actRead: 64, actWrite: 0 },
  // c: M 1, K 32, N 10. ifmap 32 × 3 column folds = 96; ofmap 10 × 8 row folds = 80 (70 read back).
  //    ifmap kept on chip by b: read 0; the last layer writes its 10 outputs.
  { params: 320, macs: 32 * 10, wReads: 320, iReads: 96, oWrites: 80, psum: 70, actRead: 0, actWrite: 10 },
];

/** Differences between the report's counts of one layer and the hand-worked ones (empty = agree). */
function countMismatches(c: LayerAccessCounts, h: typeof HAND[number], words: number, prefix: number, tans: boolean, L: number): string[] {
  const want: Partial<LayerAccessCounts> = {
    dramWeightBytes: words * 4, dramHeaderBytes: prefix, dramActReadBytes: h.actRead, dramActWriteBytes: h.actWrite,
    fifoPushWords: words, fifoPopWords: words, headerBufferBytes: prefix,
    tableWriteBytes: tans ? 3 * L : 0, tableReadEntries: tans ? h.params : 0, decodedSymbols: tans ? h.params : 0, dequantWeights: tans ? h.params : 0,
    weightBufferWrites: h.params, weightBufferReads: h.wReads,
    actSramReads: h.iReads + h.psum + h.actWrite, actSramWrites: h.oWrites + h.actRead, macs: h.macs,
  };
  return Object.entries(want).filter(([k, v]) => c[k as keyof LayerAccessCounts] !== v)
    .map(([k, v]) => `${k}: report ${c[k as keyof LayerAccessCounts]}, by hand ${v}`);
}

/** The total in pJ from the hand-worked counts and TABLE. */
function handEnergy(h: typeof HAND[number], words: number, prefix: number, tans: boolean, L: number): number {
  const dram = (words * 4 + prefix + h.actRead + h.actWrite) * 4;
  const fifo = 2 * words * 4;
  const header = 2 * prefix;
  const table = tans ? 3 * h.params + 3 * L : 0;
  const logic = tans ? h.params * (2 + 3) : 0;
  const wbuf = h.wReads + h.params;
  const act = h.iReads + h.psum + h.actWrite + h.oWrites + h.actRead;
  return dram + fifo + header + table + logic + wbuf + act + h.macs;
}

async function tinyRun(): Promise<{ report: RunReport; image: Uint8Array }> {
  const chip = { ...resolveChipConfig({ mac: '4x4', decoders: 2, sramKb: 100 / 1024 }), energy: TABLE };
  return runModel(tinyModel(), { states: 64, streams: 2, bins: 7 }, { chip });
}

describe('energy per inference', () => {
  it('counts and energy of every layer agree with the hand-worked figures, tANS and int8', async () => {
    const { report, image } = await tinyRun();
    const file = readContainer(image, 'tiny.hwz');
    expect(report.layers.map((l) => l.codec)).toEqual(['raw', 'tans', 'raw']); // first and last stay int8
    let total = 0;
    let int8Total = 0;
    report.layers.forEach((l, i) => {
      const tans = l.codec === 'tans';
      const words = Math.ceil(file.records[i].payload.length / 4);
      const prefix = file.records[i].prefix.length;
      expect(countMismatches(l.energy.counts, HAND[i], words, prefix, tans, 64)).toEqual([]);
      const e = handEnergy(HAND[i], words, prefix, tans, 64);
      expect(l.energy.tans.totalPj).toBeCloseTo(e, 6);
      total += e;
      // the int8 baseline: raw records of ceil(params / 4) words through the same counters
      const int8Words = Math.ceil(HAND[i].params / 4);
      const int8Prefix = l.int8.headerBytes;
      expect(countMismatches(l.energy.int8Counts, HAND[i], int8Words, int8Prefix, false, 64)).toEqual([]);
      int8Total += handEnergy(HAND[i], int8Words, int8Prefix, false, 64);
    });
    expect(report.energy.tans.totalPj).toBeCloseTo(total, 6);
    expect(report.energy.int8.totalPj).toBeCloseTo(int8Total, 6);
    expect(report.energy.saved).toBeCloseTo(1 - total / int8Total, 9);
    // DRAM share and EDP from the same totals
    const dram = report.energy.tans.pj.dramWeights + report.energy.tans.pj.dramHeaders + report.energy.tans.pj.dramActivations;
    expect(report.energy.tans.dramShare).toBeCloseTo(dram / total, 9);
    expect(report.energy.tans.edpJs).toBeCloseTo(total * 1e-12 * (report.tans.cycles / 500e6), 20);
    // the CSV's total row and the text report carry the same totals
    const [head, ...rows] = runCsv(report).trimEnd().split('\n').map((l) => l.split(','));
    const totalRow = rows[rows.length - 1];
    expect(Number(totalRow[head.indexOf('energy_pj')])).toBeCloseTo(total, 3);
    expect(Number(totalRow[head.indexOf('int8_energy_pj')])).toBeCloseTo(int8Total, 3);
    expect(Number(rows[1][head.indexOf('energy_mac_pj')])).toBe(HAND[1].macs);
    expect(formatRun(report)).toContain(`energy       ${(total / 1e9).toFixed(3)} mJ per inference`);
  });

  it('a count off by one fails the comparison (the check can fail)', async () => {
    const { report, image } = await tinyRun();
    const file = readContainer(image, 'tiny.hwz');
    const l = report.layers[1];
    const words = Math.ceil(file.records[1].payload.length / 4);
    const prefix = file.records[1].prefix.length;
    const wrong = { ...l.energy.counts, fifoPopWords: l.energy.counts.fifoPopWords + 1 };
    expect(countMismatches(wrong, HAND[1], words, prefix, true, 64)).toEqual([`fifoPopWords: report ${words + 1}, by hand ${words}`]);
    const wrongHand = { ...HAND[1], macs: HAND[1].macs + 1 };
    expect(countMismatches(l.energy.counts, wrongHand, words, prefix, true, 64)).toHaveLength(1);
    expect(l.energy.tans.totalPj).not.toBeCloseTo(handEnergy(wrongHand, words, prefix, true, 64), 6);
  });
});

describe('energy table', () => {
  it('scales 45 nm figures by (node/45)·(V/0.9)², leaves DRAM alone, and interpolates SRAM sizes log-log', () => {
    const t45 = energyTableFor(45, 'simple', undefined, 'test');
    const t7 = energyTableFor(7, 'lpddr5-6400-x16', undefined, 'test');
    expect(nodeFactor(7)).toBeCloseTo((7 / 45) * (0.7 / 0.9) ** 2, 12);
    expect(t7.macPj).toBeCloseTo(t45.macPj * nodeFactor(7), 12);
    expect(t45.dramPjPerBit).toBe(8);
    expect(t7.dramPjPerBit).toBe(5.6);
    expect(sramRead64Pj(t45, 8192)).toBeCloseTo(10, 9);
    expect(sramRead64Pj(t45, 1 << 20)).toBeCloseTo(100, 9);
    expect(sramRead64Pj(t45, 16384)).toBeCloseTo(10 * Math.SQRT2, 9); // halfway (log) between 10 and 20
  });

  const dir = mkdtempSync(join(tmpdir(), 'hwsim-energy-'));
  const cfgFile = (obj: unknown) => { const p = join(dir, `c${Math.random().toString(36).slice(2)}.json`); writeFileSync(p, JSON.stringify(obj)); return p; };
  const refuses = (obj: unknown, re: RegExp) => {
    let err: unknown;
    try { loadChipConfigFile(cfgFile(obj)); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HwsimError);
    expect((err as Error).message).toMatch(re);
  };

  it('takes overrides from the chip config JSON and refuses negative, missing and unknown entries by name', () => {
    const c = loadChipConfigFile(cfgFile({ energy: { macPj: 0.25 } }));
    expect(energyTableFor(c.techNode, c.dram, c.energy as Record<string, unknown>, 'x').macPj).toBe(0.25);
    refuses({ energy: { macPj: -1 } }, /energy\.macPj is -1: an energy cannot be negative/);
    refuses({ energy: { dramPjPerBit: null } }, /energy\.dramPjPerBit is missing/);
    refuses({ energy: { sramReadPj: 3 } }, /energy\.sramReadPj is not an energy table entry/);
    refuses({ energy: { macPj: '0.3' } }, /energy\.macPj is "0\.3", not a number/);
    refuses({ energy: [1, 2] }, /"energy" must be an object/);
    refuses({ techNode: 22 }, /techNode/);
    expect(DEFAULT_CHIP.techNode).toBe(45);
  });
});
