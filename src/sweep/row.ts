/**
 * One design point of a sweep as one row: its settings and the figures a chip architect compares
 * (latency, DRAM traffic, bandwidth, on-chip memory, utilization, stalls by cause, decoder area).
 * The columns are declared once here; the CSV, the JSON, `hwsim plot` and docs/SWEEP.md follow them.
 */
import { STALL_CAUSES, type StallCause } from '../chip/pipeline.js';
import type { ChipConfig } from '../chip/config.js';
import { estimateSynth } from '../rtl/synth-ice40.js';
import type { RunReport } from '../report/run-figures.js';
import { resolveEngineParams } from '../params/groups.js';

/** The figures of one point (every number a column of the CSV). */
export interface PointFigures {
  latency_cycles: number;
  latency_ms: number;
  int8_cycles: number;
  speedup: number;
  dram_bytes: number;
  weight_bytes: number;
  header_bytes: number;
  act_bytes: number;
  int8_dram_bytes: number;
  avg_bandwidth: number;
  peak_layer_bandwidth: number;
  peak_window_bandwidth: number;
  onchip_bytes: number;
  decoder_memory_bytes: number;
  fifo_bytes: number;
  weight_buffer_bytes: number;
  act_sram_bytes: number;
  mac_utilization: number;
  decoder_utilization: number | null;
  bits_per_weight: number;
  stall_cycles: number;
  stall_dram: number;
  stall_fifo: number;
  stall_decoder: number;
  stall_header: number;
  stall_activation: number;
  energy_uj: number;
  int8_energy_uj: number;
  dram_energy_share: number;
  edp_js: number;
  dram_row_hit_rate: number | null;
  /** estimates from the fitted synthesis table (src/rtl/synth-ice40.ts), for the tANS engine only */
  decoder_lc_estimate: number | null;
  decoder_bram_estimate: number | null;
}

/** A point's per-layer cycles and stalls: what the stall-cause plot draws. */
export interface PointLayer {
  name: string;
  cycles: number;
  compute: number;
  stalls: Record<StallCause, number>;
}

export interface SweepRow {
  index: number;
  /** axis values as written (`mac: "16x16"`) */
  axes: Record<string, string>;
  chip: ChipConfig;
  /** the tANS table size of the image (null: no tANS layer) and its encoding settings */
  codec: { states: number | null; options: Record<string, unknown> };
  figures: PointFigures;
  /** on the Pareto front of the sweep's objectives */
  pareto: boolean;
  layers: PointLayer[];
}

/** Column order of the figures in the CSV, with units for docs and plots. */
export const FIGURE_COLUMNS: ReadonlyArray<{ key: keyof PointFigures; unit: string; help: string }> = [
  { key: 'latency_cycles', unit: 'cycles', help: 'latency of one inference' },
  { key: 'latency_ms', unit: 'ms', help: 'latency at the chip clock' },
  { key: 'int8_cycles', unit: 'cycles', help: 'latency of the same chip with int8 weights' },
  { key: 'speedup', unit: '×', help: 'int8 cycles / cycles' },
  { key: 'dram_bytes', unit: 'B', help: 'all DRAM traffic: weights, layer headers, activation spills' },
  { key: 'weight_bytes', unit: 'B', help: 'weight payload fetched' },
  { key: 'header_bytes', unit: 'B', help: 'layer headers (tables) fetched' },
  { key: 'act_bytes', unit: 'B', help: 'activation spills read and written' },
  { key: 'int8_dram_bytes', unit: 'B', help: 'all DRAM traffic with int8 weights' },
  { key: 'avg_bandwidth', unit: 'B/cycle', help: 'DRAM bytes / cycles' },
  { key: 'peak_layer_bandwidth', unit: 'B/cycle', help: 'the highest layer-average bandwidth' },
  { key: 'peak_window_bandwidth', unit: 'B/cycle', help: 'the most bytes in one aligned 1024-cycle window, per cycle' },
  { key: 'onchip_bytes', unit: 'B', help: 'decoder_memory_bytes + fifo_bytes + weight_buffer_bytes + act_sram_bytes' },
  { key: 'decoder_memory_bytes', unit: 'B', help: 'what the decoders hold for the largest layer: tANS tables (one per lane), the sz unit\'s tables, the wm unit\'s payload buffer and cursors' },
  { key: 'fifo_bytes', unit: 'B', help: 'the weight FIFO and the decoder lanes\' input FIFOs (4-byte words)' },
  { key: 'weight_buffer_bytes', unit: 'B', help: 'the double-buffered weight buffer the mapping needs' },
  { key: 'act_sram_bytes', unit: 'B', help: 'the activation SRAM' },
  { key: 'mac_utilization', unit: '', help: 'MACs / (array PEs × cycles)' },
  { key: 'decoder_utilization', unit: '', help: 'weights out / (decoders × decoder busy cycles); empty without a tANS layer' },
  { key: 'bits_per_weight', unit: 'bits', help: 'fetched bits (payload + headers) per weight' },
  { key: 'stall_cycles', unit: 'cycles', help: 'cycles the array waits, all causes' },
  { key: 'stall_dram', unit: 'cycles', help: 'stalls on DRAM bandwidth or latency' },
  { key: 'stall_fifo', unit: 'cycles', help: 'stalls on a FIFO too shallow for the DRAM latency' },
  { key: 'stall_decoder', unit: 'cycles', help: 'stalls on the decoders' },
  { key: 'stall_header', unit: 'cycles', help: 'stalls on layer headers and table loads' },
  { key: 'stall_activation', unit: 'cycles', help: 'stalls on activation spills' },
  { key: 'energy_uj', unit: 'µJ', help: 'energy per inference, all components (docs/ENERGY.md)' },
  { key: 'int8_energy_uj', unit: 'µJ', help: 'energy per inference with int8 weights' },
  { key: 'dram_energy_share', unit: '', help: 'DRAM energy / total energy' },
  { key: 'edp_js', unit: 'J·s', help: 'energy-delay product of one inference' },
  { key: 'dram_row_hit_rate', unit: '', help: 'row-buffer hit rate of a detailed DRAM (--dram preset); empty with the simple model' },
  { key: 'decoder_lc_estimate', unit: 'iCE40 LCs', help: 'ESTIMATE: logic cells of the tANS engine, fitted to measured synthesis (docs/hw/synthesis.md)' },
  { key: 'decoder_bram_estimate', unit: 'iCE40 BRAMs', help: 'ESTIMATE: block RAMs of the tANS engine (one table per lane)' },
];

/**
 * Bytes of on-chip memory the point's chip has, by block. The decoders' memory is what the codec's
 * figures give for a layer (tableBytes), tANS tables once per lane, taken at the largest layer.
 */
function onChipMemory(r: RunReport): Pick<PointFigures, 'onchip_bytes' | 'decoder_memory_bytes' | 'fifo_bytes' | 'weight_buffer_bytes' | 'act_sram_bytes'> {
  const c = r.chip;
  const hasTans = r.layers.some((l) => l.codec === 'tans');
  const decoders = Math.max(0, ...r.layers.map((l) => l.tableBytes * (l.codec === 'tans' ? c.decoders : 1)));
  const fifo = 4 * c.fifoDepth + (hasTans ? 4 * c.decoders * c.streamFifoDepth : 0);
  const act = Math.round(c.sramKb * 1024);
  return {
    onchip_bytes: decoders + fifo + r.weightBufferBytes + act,
    decoder_memory_bytes: decoders, fifo_bytes: fifo, weight_buffer_bytes: r.weightBufferBytes, act_sram_bytes: act,
  };
}

/** The tANS engine's size from the fitted synthesis estimate (symbol width from the image's largest bin count). */
function decoderArea(r: RunReport): { lc: number | null; bram: number | null } {
  const tans = r.layers.filter((l) => l.codec === 'tans');
  if (tans.length === 0 || r.codec.states === null) return { lc: null, bram: null };
  const symbolBits = Math.max(1, Math.ceil(Math.log2(Math.max(...tans.map((l) => l.bins)))));
  const est = estimateSynth(resolveEngineParams({ states: r.codec.states, streams: r.chip.decoders, symbolBits: Math.min(8, symbolBits),
    streamFifoDepth: r.chip.streamFifoDepth }), 'hx8k');
  return { lc: est.logicCells, bram: est.brams };
}

export function figuresOf(r: RunReport): PointFigures {
  const t = r.tans;
  const area = decoderArea(r);
  const stalls = Object.fromEntries(STALL_CAUSES.map((c) => [`stall_${c}`, t.stalls[c]])) as Record<`stall_${StallCause}`, number>;
  return {
    latency_cycles: t.cycles,
    latency_ms: t.latencyMs,
    int8_cycles: r.int8.cycles,
    speedup: r.speedup,
    dram_bytes: t.dramBytes,
    weight_bytes: t.weightBytes,
    header_bytes: t.headerBytes,
    act_bytes: t.actBytes,
    int8_dram_bytes: r.int8.dramBytes,
    avg_bandwidth: t.avgBandwidth,
    peak_layer_bandwidth: t.peakBandwidth,
    peak_window_bandwidth: t.peakWindowBandwidth,
    ...onChipMemory(r),
    mac_utilization: t.macUtilization,
    decoder_utilization: t.decoderUtilization,
    bits_per_weight: r.bitsPerWeight,
    stall_cycles: t.stallCycles,
    ...stalls,
    energy_uj: r.energy.tans.totalPj / 1e6,
    int8_energy_uj: r.energy.int8.totalPj / 1e6,
    dram_energy_share: r.energy.tans.dramShare,
    edp_js: r.energy.tans.edpJs,
    dram_row_hit_rate: r.dramModel.tans?.hitRate ?? null,
    decoder_lc_estimate: area.lc,
    decoder_bram_estimate: area.bram,
  };
}

export function rowOf(index: number, axes: Record<string, string>, r: RunReport): SweepRow {
  return {
    index, axes, chip: { ...r.chip }, codec: { states: r.codec.states, options: r.codec.options },
    figures: figuresOf(r), pareto: false,
    layers: r.layers.map((l) => ({ name: l.name, cycles: l.tans.cycles, compute: l.tans.computeCycles, stalls: { ...l.tans.stalls } })),
  };
}
