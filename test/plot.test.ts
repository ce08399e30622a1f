/**
 * `hwsim plot`: the SVGs are parsed back and what they draw is checked against the sweep's rows
 * (every point once, where its values say, the Pareto front by brute force, the bandwidth lines,
 * the per-layer bars adding up to each layer's cycles), then rendered to PNG by rsvg-convert
 * (librsvg, installed by scripts/test.sh) so that a picture that no renderer takes fails here.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from './capture-output.js';
import { main } from '../src/cli/main.js';
import { STALL_CAUSES } from '../src/chip/pipeline.js';
import { gridFromFlags } from '../src/sweep/grid.js';
import { runSweep, type SweepResult } from '../src/sweep/run-sweep.js';
import { recordsOf, sweepCsv, sweepJson, type SweepRecord } from '../src/sweep/sweep-output.js';

const tmp = mkdtempSync(join(tmpdir(), 'hwsim-plot-'));
const io = captureOutput();

/** Every element `<tag ...>` of the SVG with its attributes. */
function elements(svg: string, tag: string): Array<Record<string, string>> {
  return [...svg.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, 'g'))].map((m) =>
    Object.fromEntries([...m[1].matchAll(/([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])));
}

/** The data → pixel mapping of the plot area, recomputed from its attributes. */
function mapping(svg: string) {
  const [a] = elements(svg, 'g').filter((g) => g.class === 'plot-area');
  const n = (k: string) => Number(a[k]);
  const map = (v: number, kind: string, lo: number, hi: number, p0: number, p1: number) => {
    const t = kind === 'log' ? (Math.log2(v) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo)) : (v - lo) / (hi - lo);
    return p0 + t * (p1 - p0);
  };
  return {
    x: (v: number) => map(v, a['data-x-kind'], n('data-x-min'), n('data-x-max'), n('data-left'), n('data-right')),
    y: (v: number) => map(v, a['data-y-kind'], n('data-y-min'), n('data-y-max'), n('data-bottom'), n('data-top')),
  };
}

let result: SweepResult;
let records: SweepRecord[];
const out = join(tmp, 'plots');

beforeAll(async () => {
  result = await runSweep({
    grid: gridFromFlags('lenet-5', { states: '32,64', dramBw: '0.25,1,4', fifoDepth: '16,64' }),
    objectives: ['latency', 'memory', 'traffic'], workers: 1, cacheDir: null,
  });
  records = recordsOf(result);
  writeFileSync(join(tmp, 'sweep.json'), sweepJson(result));
  writeFileSync(join(tmp, 'sweep.csv'), sweepCsv(result));
  const code = await main(['plot', join(tmp, 'sweep.json'), '--out', out]);
  if (code !== 0) throw new Error(io.stderr);
}, 120_000);

describe('latency vs on-chip memory', () => {
  it('draws every design point once, where its figures say; the front is the brute-force Pareto set', () => {
    const svg = readFileSync(join(out, 'latency-vs-memory.svg'), 'utf8');
    const m = mapping(svg);
    const dots = elements(svg, 'circle').filter((c) => c.class === 'point');
    expect(dots.map((d) => Number(d['data-id'])).sort((a, b) => a - b)).toEqual(records.map((r) => r.index));
    for (const d of dots) {
      const r = records.find((x) => x.index === Number(d['data-id']))!;
      const kib = Number(r.onchip_bytes) / 1024;
      const ms = Number(r.latency_ms);
      expect(Number(d['data-x'])).toBeCloseTo(kib, 9);
      expect(Number(d['data-y'])).toBeCloseTo(ms, 9);
      expect(Number(d.cx)).toBeCloseTo(m.x(kib), 1);
      expect(Number(d.cy)).toBeCloseTo(m.y(ms), 1);
    }
    const front = records.filter((r) => !records.some((o) => Number(o.onchip_bytes) <= Number(r.onchip_bytes) &&
      Number(o.latency_ms) <= Number(r.latency_ms) && (Number(o.onchip_bytes) < Number(r.onchip_bytes) || Number(o.latency_ms) < Number(r.latency_ms))));
    const drawn = dots.filter((d) => d['data-series'] === 'Pareto point').map((d) => Number(d['data-id'])).sort((a, b) => a - b);
    // equal points: the plot keeps one of a tie (the step line needs one), brute force keeps all
    expect(drawn.every((i) => front.some((r) => r.index === i))).toBe(true);
    expect(new Set(front.map((r) => `${r.onchip_bytes}/${r.latency_ms}`)).size).toBe(drawn.length);
  });
});

describe('latency vs DRAM bandwidth', () => {
  it('one line per state count and int8, each point the lowest latency at that bandwidth', () => {
    const svg = readFileSync(join(out, 'latency-vs-bandwidth.svg'), 'utf8');
    const lines = elements(svg, 'polyline').filter((l) => l.class === 'line');
    expect(lines.map((l) => l['data-series'])).toEqual(['L = 32', 'L = 64', 'int8']);
    const bws = [0.25, 1, 4];
    for (const l of lines) {
      expect(l['data-xs'].split(' ').map(Number)).toEqual(bws);
      const want = bws.map((bw) => Math.min(...records.filter((r) => r.dramBytesPerCycle === bw && (l['data-series'] === 'int8' || `L = ${r.states}` === l['data-series']))
        .map((r) => (l['data-series'] === 'int8' ? Number(r.int8_cycles) / (Number(r.clockMhz) * 1000) : Number(r.latency_ms)))));
      l['data-ys'].split(' ').map(Number).forEach((y, i) => expect(y).toBeCloseTo(want[i], 9));
    }
    // the slow DRAM costs int8 more than tANS: the picture shows what the tool is for
    const ys = (s: string) => lines.find((l) => l['data-series'] === s)!['data-ys'].split(' ').map(Number);
    expect(ys('int8')[0]).toBeGreaterThan(ys('L = 64')[0]);
  });
});

describe('per-layer stalls', () => {
  it('bars of the fastest Pareto point: compute plus every stall cause adds up to each layer\'s cycles', () => {
    const best = result.rows.filter((r) => r.pareto).sort((a, b) => a.figures.latency_cycles - b.figures.latency_cycles)[0];
    const svg = readFileSync(join(out, `layer-stalls-point-${best.index}.svg`), 'utf8');
    const bars = elements(svg, 'rect').filter((r) => r.class === 'bar');
    for (const l of best.layers) {
      const segs = bars.filter((b) => b['data-id'] === l.name);
      expect(segs.reduce((a, b) => a + Number(b['data-y']), 0)).toBe(l.cycles);
      expect(l.compute + STALL_CAUSES.reduce((a, c) => a + l.stalls[c], 0)).toBe(l.cycles);
    }
  });
});

describe('rendering', () => {
  it('rsvg-convert renders each SVG to a PNG of its size', () => {
    for (const name of ['latency-vs-memory', 'latency-vs-bandwidth']) {
      const svgPath = join(out, `${name}.svg`);
      const png = execFileSync('rsvg-convert', [svgPath]);
      expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      const [svg] = elements(readFileSync(svgPath, 'utf8'), 'svg');
      expect(png.readUInt32BE(16)).toBe(Number(svg.width));
      expect(png.readUInt32BE(20)).toBe(Number(svg.height));
    }
  });

  it('plots the CSV too, and refuses what is not a sweep', async () => {
    expect(await main(['plot', join(tmp, 'sweep.csv'), '--out', join(tmp, 'from-csv')])).toBe(0);
    expect(readFileSync(join(tmp, 'from-csv', 'latency-vs-memory.svg'), 'utf8')).toBe(readFileSync(join(out, 'latency-vs-memory.svg'), 'utf8'));
    writeFileSync(join(tmp, 'bad.csv'), 'a,b\n1,2\n');
    expect(await main(['plot', join(tmp, 'bad.csv')])).toBe(2);
    expect(io.stderr).toMatch(/is not a sweep CSV of this hwsim \(missing columns: index, model/);
    expect(await main(['plot', join(tmp, 'sweep.json'), '--point', '999', '--out', join(tmp, 'p2')])).toBe(2);
    expect(io.stderr).toMatch(/no design point 999/);
  });
});
