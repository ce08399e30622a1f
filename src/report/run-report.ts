/**
 * What `hwsim run` prints and writes: a per-layer table with totals for the terminal, and the same
 * figures as JSON and CSV. Every output names the model and says when its weights are synthetic.
 */
import { autoChoiceLine } from '../codecs/model-codec.js';
import type { RunReport } from './run-figures.js';
import { STALL_CAUSES } from '../chip/pipeline.js';
import { textTable } from './text-table.js';
import { ENERGY_COMPONENTS } from '../chip/energy.js';
import type { DeviceFigures } from './energy-figures.js';

const int = (v: number) => Math.round(v).toLocaleString('en-US');
const pct = (v: number | null, d = 1) => (v === null || !Number.isFinite(v) ? '-' : `${(v * 100).toFixed(d)}%`);
const signed = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%` : '-');
const kb = (v: number) => (v / 1024).toFixed(1);
const uj = (pj: number) => (pj / 1e6).toFixed(pj >= 1e8 ? 1 : 3);
const mj = (pj: number) => (pj / 1e9).toFixed(3);

export function modelBanner(r: RunReport): string {
  const m = r.model;
  return m.synthetic
    ? `${m.name}: SYNTHETIC weights (${m.description}); cycles and traffic follow the topology, bits/weight follow the synthetic weights`
    : `${m.name}: ${m.description} (${m.source})`;
}

export function chipLine(r: RunReport): string {
  const c = r.chip;
  const dram = r.dramModel.device
    ? `DRAM ${r.dramModel.device} behind a ${c.dramBytesPerCycle} B/cycle port, +${c.dramCtrlLatency}-cycle controller latency`
    : `DRAM ${c.dramBytesPerCycle} B/cycle, ${c.dramLatency}-cycle latency`;
  return `chip: ${c.macRows}x${c.macCols} ${c.dataflow} MAC array @ ${c.clockMhz} MHz; ${c.decoders} tANS decoders${r.codec.states ? `, L = ${r.codec.states}` : ''}; ` +
    `${dram}, ${c.burstBytes} B bursts; FIFO ${c.fifoDepth} words; ` +
    `activation SRAM ${c.sramKb} KiB; weight buffer 2 x ${int(r.weightBufferBytes / 2)} B`;
}

/** The terminal report. */
export function formatRun(r: RunReport, opts: { layers?: boolean } = {}): string {
  const out: string[] = [modelBanner(r), chipLine(r), ''];
  // --codec auto: which layers took which codec (also the codec column of the table and the JSON)
  if (r.codec.options.codec === 'auto') {
    out.splice(2, 0, autoChoiceLine(r.layers.map((l) => l.codec), r.layers.map((l) => l.name), String(r.codec.options.autoObjective ?? 'bytes')));
  }
  if (opts.layers !== false) {
    const header = ['layer', 'codec', 'bins', 'bits/w', 'vs H', 'cycles', 'compute', 'stall', 'dram', 'fifo', 'decoder', 'header', 'act',
      'weight+header B', 'act B', 'B/cycle', 'MAC', 'dec', 'bound', 'int8 cycles', 'int8 bound', 'speedup'];
    const rows = r.layers.map((l) => [
      l.name, l.codec, l.bins, l.bitsPerWeight.toFixed(2), l.codec !== 'raw' ? signed(l.gapToEntropy) : '-',
      int(l.tans.cycles), int(l.tans.computeCycles), int(l.tans.stallCycles),
      int(l.tans.stalls.dram), int(l.tans.stalls.fifo), int(l.tans.stalls.decoder), int(l.tans.stalls.header), int(l.tans.stalls.activation),
      int(l.tans.weightBytes + l.tans.headerBytes), int(l.tans.actBytes), l.tans.avgBandwidth.toFixed(2),
      pct(l.tans.macUtilization), pct(l.tans.decoderUtilization), l.tans.bound,
      int(l.int8.cycles), l.int8.bound, `${l.speedup.toFixed(2)}x`, uj(l.energy.tans.totalPj), uj(l.energy.int8.totalPj),
    ]);
    const t = r.tans;
    rows.push([
      'total', '', '', r.bitsPerWeight.toFixed(2), signed(r.gapToEntropy), int(t.cycles), int(t.computeCycles), int(t.stallCycles),
      int(t.stalls.dram), int(t.stalls.fifo), int(t.stalls.decoder), int(t.stalls.header), int(t.stalls.activation),
      int(t.weightBytes + t.headerBytes), int(t.actBytes), t.avgBandwidth.toFixed(2), pct(t.macUtilization), pct(t.decoderUtilization),
      '', int(r.int8.cycles), '', `${r.speedup.toFixed(2)}x`, uj(r.energy.tans.totalPj), uj(r.energy.int8.totalPj),
    ]);
    out.push(textTable(header, rows), '');
  }
  const t = r.tans;
  const i8 = r.int8;
  const ms = (c: number) => (c / (r.chip.clockMhz * 1000)).toFixed(3);
  const boundLine = (b: RunReport['tans']['bounds']) => `${b.compute} compute, ${b.dram} DRAM, ${b.decoder} decoder`;
  out.push(
    `latency      ${int(t.cycles)} cycles = ${ms(t.cycles)} ms at ${r.chip.clockMhz} MHz   (int8: ${int(i8.cycles)} cycles = ${ms(i8.cycles)} ms; speedup ${r.speedup.toFixed(3)}x)`,
    `stalls       ${int(t.stallCycles)} cycles: ${STALL_CAUSES.map((c) => `${c} ${int(t.stalls[c])}`).join(', ')}   (int8: ${int(i8.stallCycles)}: ${STALL_CAUSES.filter((c) => i8.stalls[c] > 0).map((c) => `${c} ${int(i8.stalls[c])}`).join(', ') || 'none'})`,
    `weights      ${int(r.params)} params, ${r.bitsPerWeight.toFixed(3)} bits/weight fetched (layer headers included), entropy bound ${r.entropyBitsPerWeight.toFixed(3)}; coded layers: payload ${signed(r.gapToEntropy)} vs their entropy bound`,
    `DRAM         weights ${kb(t.weightBytes)} KiB + layer headers ${kb(t.headerBytes)} KiB (image ${int(r.imageBytes)} B), activations ${kb(t.actBytes)} KiB; ` +
      `int8 weights ${kb(i8.weightBytes)} KiB: weight traffic saved ${pct(r.weightTrafficSaved)}, all DRAM traffic saved ${pct(r.dramTrafficSaved)}`,
    `bandwidth    average ${t.avgBandwidth.toFixed(3)} B/cycle, peak layer ${t.peakBandwidth.toFixed(3)}, peak ${t.peakWindowCycles}-cycle window ${t.peakWindowBandwidth.toFixed(3)} ` +
      `(int8: ${i8.avgBandwidth.toFixed(3)} / ${i8.peakBandwidth.toFixed(3)} / ${i8.peakWindowBandwidth.toFixed(3)}); ` +
      `peak layer weight traffic ${kb(t.peakLayerWeightBytes)} KiB (int8 ${kb(i8.peakLayerWeightBytes)} KiB)`,
    `utilization  MAC ${pct(t.macUtilization)} (int8 ${pct(i8.macUtilization)}), decoders ${pct(t.decoderUtilization)}; FIFO full ${int(t.fifoFullCycles)} cycles`,
    `bound        tANS: ${boundLine(t.bounds)}; int8: ${boundLine(i8.bounds)} (layers)`,
  );
  out.push(...energyLines(r), ...dramModelLines(r));
  return out.join('\n') + '\n';
}

/** The energy summary and the by-component table (docs/ENERGY.md). */
export function energyLines(r: RunReport): string[] {
  const e = r.energy;
  const t = e.tans;
  const i = e.int8;
  const ms = (c: number) => c / (r.chip.clockMhz * 1000);
  const rows = ENERGY_COMPONENTS.map((k) => [k, uj(t.pj[k]), pct(t.totalPj > 0 ? t.pj[k] / t.totalPj : null), uj(i.pj[k]), pct(i.totalPj > 0 ? i.pj[k] / i.totalPj : null)]);
  rows.push(['total', uj(t.totalPj), '100.0%', uj(i.totalPj), '100.0%']);
  return [
    `energy       ${mj(t.totalPj)} mJ per inference, DRAM ${pct(t.dramShare)} of it   (int8: ${mj(i.totalPj)} mJ, DRAM ${pct(i.dramShare)}; saved ${pct(e.saved)}); ` +
      `${e.techNode} nm table, DRAM ${e.table.dramPjPerBit} pJ/bit`,
    `EDP          ${(t.edpJs * 1e6).toFixed(3)} uJ*s = ${mj(t.totalPj)} mJ x ${ms(r.tans.cycles).toFixed(3)} ms   (int8: ${(i.edpJs * 1e6).toFixed(3)} uJ*s; ratio ${(t.edpJs / i.edpJs).toFixed(3)})`,
    '',
    textTable(['component', 'tANS uJ', 'share', 'int8 uJ', 'share'], rows),
  ];
}

function deviceLine(d: DeviceFigures | null): string {
  if (!d) return '-';
  const k = d.hitRateByKind;
  return `row-buffer hits ${pct(d.hitRate)} (weights ${pct(k.weights)}, headers ${pct(k.headers)}, activations ${pct(k.activations)}) of ${int(d.accesses)} accesses; ` +
    `${int(d.activates)} activates, ${int(d.refreshes)} refreshes, ${int(d.turnarounds)} read/write turnarounds`;
}

/** The detailed DRAM's row-buffer figures (nothing with the simple model). */
export function dramModelLines(r: RunReport): string[] {
  const d = r.dramModel;
  if (!d.device) return [];
  return ['', `DRAM device  ${d.device}: ${deviceLine(d.tans)}`, `             int8: ${deviceLine(d.int8)}`];
}

/** The JSON document `--json` writes. */
export function runJson(r: RunReport, meta: { input: string; wallSeconds: number }): string {
  return JSON.stringify({ tool: 'hwsim run', ...meta, synthetic: r.model.synthetic, ...r }, null, 2) + '\n';
}

export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(Number.isInteger(v) ? v : +v.toPrecision(8)) : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The CSV `--csv` writes: one row per layer and a total row. Every row carries the model name and
 * whether its weights are synthetic (no comment lines, so that any CSV reader takes it).
 */
export function runCsv(r: RunReport): string {
  const head = ['model', 'synthetic', 'layer', 'kind', 'codec', 'params', 'bins', 'M', 'K', 'N', 'copies', 'folds', 'macs',
    'bits_per_weight', 'entropy_bits_per_weight', 'gap_to_entropy',
    'cycles', 'compute_cycles', 'stall_cycles', ...STALL_CAUSES.map((c) => `stall_${c}`),
    'weight_bytes', 'header_bytes', 'table_bytes', 'act_read_bytes', 'act_write_bytes', 'dram_bytes', 'avg_bandwidth_bytes_per_cycle',
    'mac_utilization', 'decoder_utilization', 'bound',
    'int8_cycles', 'int8_stall_cycles', 'int8_weight_bytes', 'int8_dram_bytes', 'int8_bound', 'speedup', 'weight_traffic_saved',
    'energy_pj', ...ENERGY_COMPONENTS.map((c) => `energy_${c}_pj`), 'int8_energy_pj', ...ENERGY_COMPONENTS.map((c) => `int8_energy_${c}_pj`),
    'dram_energy_share', 'int8_dram_energy_share', 'edp_j_s', 'int8_edp_j_s', 'dram_row_hit_rate', 'int8_dram_row_hit_rate'];
  const rows: unknown[][] = r.layers.map((l) => [
    l.name, l.kind, l.codec, l.params, l.bins, l.gemm.M, l.gemm.K, l.gemm.N, l.gemm.copies, l.gemm.folds, l.macs,
    l.bitsPerWeight, l.entropyBitsPerWeight, l.gapToEntropy,
    l.tans.cycles, l.tans.computeCycles, l.tans.stallCycles, ...STALL_CAUSES.map((c) => l.tans.stalls[c]),
    l.tans.weightBytes, l.tans.headerBytes, l.tableBytes, l.actReadBytes, l.actWriteBytes, l.tans.dramBytes, l.tans.avgBandwidth,
    l.tans.macUtilization, l.tans.decoderUtilization, l.tans.bound,
    l.int8.cycles, l.int8.stallCycles, l.int8.weightBytes, l.int8.dramBytes, l.int8.bound, l.speedup, l.weightTrafficSaved,
    l.energy.tans.totalPj, ...ENERGY_COMPONENTS.map((c) => l.energy.tans.pj[c]), l.energy.int8.totalPj, ...ENERGY_COMPONENTS.map((c) => l.energy.int8.pj[c]),
    '', '', '', '', '', '',
  ]);
  const t = r.tans;
  rows.push(['total', '', '', r.params, '', '', '', '', '', r.layers.reduce((a, l) => a + l.gemm.folds, 0), r.macs,
    r.bitsPerWeight, r.entropyBitsPerWeight, r.gapToEntropy,
    t.cycles, t.computeCycles, t.stallCycles, ...STALL_CAUSES.map((c) => t.stalls[c]),
    t.weightBytes, t.headerBytes, r.layers.reduce((a, l) => a + l.tableBytes, 0), r.layers.reduce((a, l) => a + l.actReadBytes, 0), r.layers.reduce((a, l) => a + l.actWriteBytes, 0),
    t.dramBytes, t.avgBandwidth, t.macUtilization, t.decoderUtilization, '',
    r.int8.cycles, r.int8.stallCycles, r.int8.weightBytes, r.int8.dramBytes, '', r.speedup, r.weightTrafficSaved,
    r.energy.tans.totalPj, ...ENERGY_COMPONENTS.map((c) => r.energy.tans.pj[c]), r.energy.int8.totalPj, ...ENERGY_COMPONENTS.map((c) => r.energy.int8.pj[c]),
    r.energy.tans.dramShare, r.energy.int8.dramShare, r.energy.tans.edpJs, r.energy.int8.edpJs,
    r.dramModel.tans?.hitRate ?? '', r.dramModel.int8?.hitRate ?? '']);
  const tagged = rows.map((row) => [r.model.name, r.model.synthetic, ...row]);
  return [head, ...tagged].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}
