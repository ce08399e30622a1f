/**
 * The pictures of a sweep (`hwsim plot`):
 *   1. latency vs on-chip memory, every design point, the Pareto front of the two drawn as a step line;
 *   2. latency vs DRAM bandwidth, one line per tANS state count, the int8 chip beside (each point
 *      the lowest latency over the sweep's other axes at that bandwidth);
 *   3. per-layer cycles of one design point, stacked: compute and each stall cause.
 */
import { HwsimError } from '../errors.js';
import { STALL_CAUSES } from '../chip/pipeline.js';
import { axisFor, PALETTE, SvgChart } from './svg-chart.js';
import type { SweepRecord } from '../sweep/sweep-output.js';
import type { SweepRow } from '../sweep/row.js';

const num = (r: SweepRecord, k: string): number => {
  const v = r[k];
  if (typeof v !== 'number') throw new HwsimError(`the sweep has no number in column ${k} (point ${String(r.index)})`, 'give a sweep written by hwsim sweep');
  return v;
};

/** The records on the 2-D front (lower latency and lower memory), in order of memory. */
export function latencyMemoryFront(records: readonly SweepRecord[]): SweepRecord[] {
  const sorted = [...records].sort((a, b) => num(a, 'onchip_bytes') - num(b, 'onchip_bytes') || num(a, 'latency_ms') - num(b, 'latency_ms'));
  const front: SweepRecord[] = [];
  let best = Infinity;
  for (const r of sorted) {
    if (num(r, 'latency_ms') < best) {
      front.push(r);
      best = num(r, 'latency_ms');
    }
  }
  return front;
}

export function latencyVsMemory(records: readonly SweepRecord[], model: string): string {
  if (records.length === 0) throw new HwsimError('the sweep has no design points', 'run hwsim sweep first');
  const kib = (r: SweepRecord) => num(r, 'onchip_bytes') / 1024;
  const ms = (r: SweepRecord) => num(r, 'latency_ms');
  const front = latencyMemoryFront(records);
  const chart = new SvgChart({
    title: `${model}: latency vs on-chip memory`,
    subtitle: `${records.length} design points; the line joins the Pareto-optimal ones (no point is both faster and smaller)`,
    x: axisFor('on-chip memory (KiB): decoder memory + FIFOs + weight buffer + activation SRAM', records.map(kib)),
    y: axisFor('latency per inference (ms)', records.map(ms)),
  });
  const rest = records.filter((r) => !front.includes(r));
  chart.points('design point', rest.map(kib), rest.map(ms), '#9a9a9a', { ids: rest.map((r) => Number(r.index)), legend: 'design point' });
  chart.line('Pareto front', front.map(kib), front.map(ms), PALETTE[3], { step: true, legend: 'Pareto front' });
  chart.points('Pareto point', front.map(kib), front.map(ms), PALETTE[3], { ids: front.map((r) => Number(r.index)), radius: 4.5, legend: 'Pareto-optimal point' });
  return chart.toString();
}

/** For plot 2: per state count, per bandwidth, the lowest latency; and int8's. Undefined if fewer than 2 bandwidths. */
export function latencyByBandwidth(records: readonly SweepRecord[]): { bandwidths: number[]; lines: Map<string, number[]> } | undefined {
  const bws = [...new Set(records.map((r) => num(r, 'dramBytesPerCycle')))].sort((a, b) => a - b);
  if (bws.length < 2) return undefined;
  const lines = new Map<string, number[]>();
  const best = (label: string, i: number, v: number) => {
    const l = lines.get(label) ?? bws.map(() => Infinity);
    l[i] = Math.min(l[i], v);
    lines.set(label, l);
  };
  const states = [...new Set(records.map((r) => r.states))].sort((a, b) => Number(a) - Number(b));
  for (const s of states) lines.set(s === null ? 'raw' : `L = ${s}`, bws.map(() => Infinity));
  lines.set('int8', bws.map(() => Infinity));
  for (const r of records) {
    const i = bws.indexOf(num(r, 'dramBytesPerCycle'));
    best(r.states === null ? 'raw' : `L = ${r.states}`, i, num(r, 'latency_ms'));
    best('int8', i, num(r, 'int8_cycles') / (num(r, 'clockMhz') * 1000));
  }
  return { bandwidths: bws, lines };
}

export function latencyVsBandwidth(records: readonly SweepRecord[], model: string): string | undefined {
  const data = latencyByBandwidth(records);
  if (!data) return undefined;
  const all = [...data.lines.values()].flat();
  const chart = new SvgChart({
    title: `${model}: latency vs DRAM bandwidth`,
    subtitle: 'each point: the lowest latency over the sweep\'s other axes at that bandwidth; int8: the same chips with raw int8 weights',
    x: axisFor('DRAM bandwidth (bytes per chip cycle)', data.bandwidths, 'log'),
    y: axisFor('latency per inference (ms)', all),
  });
  let c = 0;
  for (const [label, ys] of data.lines) {
    const int8 = label === 'int8';
    chart.line(label, data.bandwidths, ys, int8 ? '#000000' : PALETTE[c++ % PALETTE.length], { dash: int8, legend: label, markers: true });
  }
  return chart.toString();
}

const CAUSE_COLORS: Record<string, string> = {
  compute: '#BBBBBB', dram: PALETTE[0], fifo: PALETTE[5], decoder: PALETTE[3], header: PALETTE[1], activation: PALETTE[2],
};

export function layerStalls(row: SweepRow, model: string): string {
  const layers = row.layers;
  if (!layers?.length) throw new HwsimError(`design point ${row.index} has no per-layer figures`, 'give the sweep.json (the CSV has totals only)');
  const totals = layers.map((l) => l.cycles);
  const chart = new SvgChart({
    title: `${model}: cycles per layer, design point ${row.index}`,
    subtitle: `${Object.entries(row.axes).map(([k, v]) => `${k} ${v}`).join(', ') || 'the only point'}; compute and stalls by cause`,
    x: { title: 'layer (network order)', kind: 'linear', min: 0, max: layers.length },
    y: axisFor('cycles', [0, ...totals]),
    width: Math.max(860, 300 + layers.length * 12),
    height: 640,
    xTicks: false,
  });
  const w = Math.max(2, ((chart.right - chart.left) / layers.length) * 0.75);
  layers.forEach((l, i) => {
    chart.stackedBar(l.name, chart.px(i + 0.5), w, [
      { key: 'compute', value: l.compute, color: CAUSE_COLORS.compute },
      ...STALL_CAUSES.map((c) => ({ key: c, value: l.stalls[c], color: CAUSE_COLORS[c] })),
    ]);
  });
  chart.categoryLabels(layers.map((l, i) => ({ x: chart.px(i + 0.5), text: l.name })));
  for (const k of ['compute', ...STALL_CAUSES]) chart.legendEntry(k === 'compute' ? 'compute' : `${k} stall`, CAUSE_COLORS[k], 'box');
  return chart.toString();
}
