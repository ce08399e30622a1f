/**
 * The energy and DRAM-device figures of a run (docs/ENERGY.md, docs/hw/dram.md): per layer and in
 * total, for the image and for the int8 baseline, from the counts the two pipeline runs report and
 * the layers' mappings.
 */
import type { ChipConfig } from '../chip/config.js';
import { ACCESS_KINDS, DRAM_PRESETS, hitRate, type AccessKind, type DeviceStats } from '../chip/dram-timing.js';
import {
  arrayTraffic, dramPj, energyTableFor, layerEnergy, sumEnergy, ENERGY_COMPONENTS,
  type EnergyBreakdown, type EnergyComponent, type EnergySizes, type EnergyTable, type LayerAccessCounts,
} from '../chip/energy.js';
import type { ChipLayer, PipelineResult } from '../chip/pipeline.js';

export interface EnergyTotals {
  /** pJ by component */
  pj: Record<EnergyComponent, number>;
  totalPj: number;
  /** DRAM (weights, headers, activations) / total */
  dramShare: number;
  /** energy-delay product: J × s of one inference */
  edpJs: number;
}

export interface RunEnergy {
  techNode: number;
  table: EnergyTable;
  sizes: EnergySizes;
  tans: EnergyTotals;
  int8: EnergyTotals;
  /** 1 − tANS / int8 */
  saved: number;
}

export interface LayerEnergy {
  counts: LayerAccessCounts;
  int8Counts: LayerAccessCounts;
  tans: EnergyBreakdown;
  int8: EnergyBreakdown;
}

export interface DeviceFigures {
  /** row-buffer hit rate over all accesses, and by kind (null: no access of that kind) */
  hitRate: number | null;
  hitRateByKind: Record<AccessKind, number | null>;
  accesses: number;
  activates: number;
  refreshes: number;
  turnarounds: number;
}

export interface DramModelFigures {
  mode: string;
  /** the preset's name (null with the simple model) */
  device: string | null;
  tans: DeviceFigures | null;
  int8: DeviceFigures | null;
}

/** What one layer of one run accessed: DRAM and FIFO as the cycle model counted them, the array's SRAM traffic from its mapping. */
export function layerCounts(cfg: ChipConfig, l: ChipLayer, r: PipelineResult, i: number, tableBytes: number): LayerAccessCounts {
  const t = r.layers[i];
  const decoded = l.codec === 'tans';
  const a = arrayTraffic(l.mapping, cfg.dataflow, cfg.macRows, cfg.macCols);
  return {
    dramWeightBytes: l.words * 4,
    dramHeaderBytes: l.prefix.length,
    dramActReadBytes: l.actReadBytes,
    dramActWriteBytes: l.actWriteBytes,
    fifoPushWords: t.fifoPushWords,
    fifoPopWords: t.fifoPopWords,
    headerBufferBytes: l.prefix.length,
    tableWriteBytes: decoded ? tableBytes : 0,
    tableReadEntries: decoded ? t.weightsDelivered : 0,
    decodedSymbols: decoded ? t.weightsDelivered : 0,
    dequantWeights: decoded ? t.weightsDelivered : 0,
    weightBufferWrites: t.weightsDelivered,
    weightBufferReads: a.weightReads,
    // the array's ifmap and partial-sum reads, and the spill of the ofmap to DRAM read out of it
    actSramReads: a.ifmapReads + a.psumReads + l.actWriteBytes,
    // the array's ofmap writes, and the ifmap brought in from DRAM
    actSramWrites: a.ofmapWrites + l.actReadBytes,
    macs: l.mapping.macs,
  };
}

function totals(parts: readonly EnergyBreakdown[], cycles: number, cfg: ChipConfig): EnergyTotals {
  const s = sumEnergy(parts);
  const seconds = cycles / (cfg.clockMhz * 1e6);
  return { pj: s.pj, totalPj: s.totalPj, dramShare: s.totalPj > 0 ? dramPj(s) / s.totalPj : 0, edpJs: s.totalPj * 1e-12 * seconds };
}

export function energyFigures(cfg: ChipConfig, layers: readonly ChipLayer[], int8Layers: readonly ChipLayer[], run: PipelineResult, int8: PipelineResult,
  tableBytes: readonly number[], weightBufferBytes: number): { run: RunEnergy; layers: LayerEnergy[] } {
  const table = energyTableFor(cfg.techNode, cfg.dram, cfg.energy as Record<string, unknown> | undefined, 'chip');
  const sizes: EnergySizes = {
    fifoBytes: cfg.fifoDepth * 4,
    tableBytes: Math.max(0, ...tableBytes),
    headerBufferBytes: Math.max(1, ...layers.map((l) => l.prefix.length), ...int8Layers.map((l) => l.prefix.length)),
    weightBufferBytes,
    activationSramBytes: cfg.sramKb * 1024,
  };
  const per = layers.map((l, i): LayerEnergy => {
    const counts = layerCounts(cfg, l, run, i, tableBytes[i]);
    const int8Counts = layerCounts(cfg, int8Layers[i], int8, i, 0);
    return { counts, int8Counts, tans: layerEnergy(counts, table, sizes), int8: layerEnergy(int8Counts, table, sizes) };
  });
  const tT = totals(per.map((p) => p.tans), run.totalCycles, cfg);
  const tI = totals(per.map((p) => p.int8), int8.totalCycles, cfg);
  return {
    run: { techNode: cfg.techNode, table, sizes, tans: tT, int8: tI, saved: tI.totalPj > 0 ? 1 - tT.totalPj / tI.totalPj : 0 },
    layers: per,
  };
}

function deviceFigures(s: DeviceStats | null): DeviceFigures | null {
  if (!s) return null;
  let acc = 0, hits = 0;
  for (const k of ACCESS_KINDS) { acc += s.byKind[k].accesses; hits += s.byKind[k].hits; }
  return {
    hitRate: acc > 0 ? hits / acc : null,
    hitRateByKind: Object.fromEntries(ACCESS_KINDS.map((k) => [k, hitRate(s.byKind[k])])) as Record<AccessKind, number | null>,
    accesses: acc, activates: s.activates, refreshes: s.refreshes, turnarounds: s.turnarounds,
  };
}

export function dramModelFigures(cfg: ChipConfig, run: PipelineResult, int8: PipelineResult): DramModelFigures {
  return {
    mode: cfg.dram,
    device: cfg.dram === 'simple' ? null : DRAM_PRESETS[cfg.dram].name + (cfg.dramTiming && Object.keys(cfg.dramTiming).length ? ' (modified)' : ''),
    tans: deviceFigures(run.dramDevice),
    int8: deviceFigures(int8.dramDevice),
  };
}

export { ENERGY_COMPONENTS };
