/**
 * `hwsim sweep`: the grid (flags and sweep files, checked before any work), the figures of every
 * point against an independent `runModel` of the same chip and codec setting (reuse of images and
 * int8 baselines must not change a number), the Pareto front against brute force, shards that
 * merge into the whole sweep, the image cache, and the CLI's errors.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureOutput } from './capture-output.js';
import { main } from '../src/cli/main.js';
import { resolveChipConfig } from '../src/chip/config.js';
import { runInt8 } from '../src/chip/simulate.js';
import { loadModel } from '../src/models/load.js';
import { runModel } from '../src/run.js';
import { expandGrid, gridFromFlags, mergeGrids, parseShard, readSweepFile } from '../src/sweep/grid.js';
import { dominates, markPareto } from '../src/sweep/pareto.js';
import { figuresOf, type SweepRow } from '../src/sweep/row.js';
import { affinityQueues } from '../src/sweep/pool.js';
import { runSweep, type SweepResult } from '../src/sweep/run-sweep.js';
import { int8ChipOf } from '../src/sweep/chips.js';
import { mergeSweeps, parseCsv, readSweepCsv, recordsOf, sweepCsv } from '../src/sweep/sweep-output.js';
import { HwsimError } from '../src/errors.js';
import { packageRoot } from '../src/package-root.js';
import { rng as makeRng } from './laplace.js';

const tmp = mkdtempSync(join(tmpdir(), 'hwsim-sweep-'));
const io = captureOutput();

describe('the grid', () => {
  it('turns comma lists into axes, single values into fixed settings, first axis slowest', () => {
    const g = gridFromFlags('lenet-5', { states: '32,64', mac: '8x8,16x4', dramBw: '2' });
    expect(g.axes.map((a) => a.flag)).toEqual(['mac', 'states']); // declaration order
    expect(g.fixed).toEqual({ dramBytesPerCycle: 2 });
    const pts = expandGrid(g);
    expect(pts.map((p) => [p.set.macRows, p.set.macCols, p.set.states])).toEqual([
      [8, 8, 32], [8, 8, 64], [16, 4, 32], [16, 4, 64]]);
    expect(pts[3].axes).toEqual({ mac: '16x4', states: '64' });
    expect(pts.every((p) => p.set.dramBytesPerCycle === 2)).toBe(true);
  });

  it('refuses values the declaration refuses, duplicates and unknown keys, naming the flag', () => {
    expect(() => gridFromFlags('m', { states: '32,48' })).toThrow(/--states "48" is not allowed: a power of two/);
    expect(() => gridFromFlags('m', { dramBw: '0,1' })).toThrow(/--dram-bw "0" is not allowed/);
    expect(() => gridFromFlags('m', { states: '64,64' })).toThrow(/same value twice/);
    expect(() => gridFromFlags('m', { mac: '8x8,abc' })).toThrow(/--mac abc is not RxC/);
    expect(() => gridFromFlags('m', { states: '32,' })).toThrow(/empty value/);
    expect(() => parseShard('3/2')).toThrow(/shard index must be 1..n/);
    expect(() => parseShard('0/2')).toThrow(HwsimError);
    expect(() => parseShard('1-2')).toThrow(/not i\/n/);
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
  });

  it('reads a YAML or JSON sweep file and refuses a flag set in both places', () => {
    const yaml = join(tmp, 'g.yaml');
    writeFileSync(yaml, 'model: lenet-5\naxes:\n  states: [32, 64]\n  mac: [8x8, 16x16]\nfixed:\n  fifo-depth: 256\nobjectives: [latency, memory]\n');
    const { grid, objectives } = readSweepFile(yaml);
    expect(grid.axes.map((a) => [a.flag, a.values.map((v) => v.text)])).toEqual([['states', ['32', '64']], ['mac', ['8x8', '16x16']]]);
    expect(grid.fixed).toEqual({ fifoDepth: 256 });
    expect(objectives).toEqual(['latency', 'memory']);
    expect(() => mergeGrids(grid, gridFromFlags('lenet-5', { states: '128' }), yaml)).toThrow(/--states is set both in/);
    const json = join(tmp, 'g.json');
    writeFileSync(json, JSON.stringify({ model: 'lenet-5', axes: { 'dram-bandwidth': [1, 2] } }));
    expect(() => readSweepFile(json)).toThrow(/"dram-bandwidth" is not a parameter a sweep can vary/);
    writeFileSync(json, JSON.stringify({ model: 'lenet-5', axes: { dramBytesPerCycle: [1, 2] }, fixed: { states: [64, 128] } }));
    expect(() => readSweepFile(json)).toThrow(/fixed "states" is a list/);
    writeFileSync(json, '{"model": "lenet-5", "axes": {"L": [64, 128]}, "extra": 1}');
    expect(() => readSweepFile(json)).toThrow(/unknown key "extra"/);
  });
});

describe('Pareto front', () => {
  const row = (index: number, lat: number, mem: number, dram: number): SweepRow => ({
    index, axes: {}, chip: {} as SweepRow['chip'], codec: { states: 64, options: {} }, pareto: false, layers: [],
    figures: { latency_cycles: lat, onchip_bytes: mem, dram_bytes: dram } as SweepRow['figures'],
  });

  it('flags exactly the points no other point dominates (brute force, 300 random sets)', () => {
    const rng = makeRng(7);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rng() * 30);
      // small integer ranges: many ties, the hard case
      const rows = Array.from({ length: n }, (_, i) => row(i, Math.floor(rng() * 6), Math.floor(rng() * 6), Math.floor(rng() * 6)));
      const objectives = trial % 2 ? ['latency', 'memory', 'traffic'] : ['memory', 'latency'];
      markPareto(rows, objectives);
      for (const r of rows) expect(r.pareto).toBe(!rows.some((o) => o !== r && dominates(o, r, objectives)));
    }
  });

  it('a hand-made case', () => {
    const rows = [row(0, 10, 5, 1), row(1, 8, 6, 1), row(2, 10, 6, 1), row(3, 8, 6, 1)];
    markPareto(rows, ['latency', 'memory']);
    expect(rows.map((r) => r.pareto)).toEqual([true, true, false, true]);
  });
});

describe('a sweep on lenet-5', () => {
  const axes = { states: '32,64', decoders: '2,4', dramBw: '0.25,2' };
  let whole: SweepResult;
  const cacheDir = join(tmp, 'cache');

  beforeAll(async () => {
    whole = await runSweep({ grid: gridFromFlags('lenet-5', axes), objectives: ['latency', 'memory', 'traffic'], workers: 1, cacheDir });
  }, 120_000);

  it('runs every point of the grid once, four images, one int8 baseline per bandwidth', () => {
    expect(whole.rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(whole.timing.imagesEncoded + whole.timing.imagesCached).toBe(4);
    expect(whole.timing.int8Runs).toBe(2);
    expect(whole.rows.some((r) => r.pareto)).toBe(true);
  });

  it('gives every point the figures an independent hwsim run of it gives', async () => {
    const model = loadModel('lenet-5');
    for (const r of whole.rows) {
      const chip = resolveChipConfig({ decoders: r.chip.decoders, dramBw: r.chip.dramBytesPerCycle });
      const { report } = await runModel(model, { states: r.codec.states!, streams: chip.decoders }, { chip });
      expect(r.figures, `point ${r.index}`).toEqual(figuresOf(report));
      expect(r.layers.map((l) => l.cycles)).toEqual(report.layers.map((l) => l.tans.cycles));
    }
    // the chip matters on this grid: the slow DRAM points stall
    expect(whole.rows.filter((r) => r.chip.dramBytesPerCycle === 0.25).every((r) => r.figures.stall_dram > 0)).toBe(true);
  }, 120_000);

  it('sweeps the codec like any other axis: tans, wm and sz points equal separate runs', async () => {
    const model = loadModel('lenet-5');
    const r = await runSweep({ grid: gridFromFlags('lenet-5', { codec: 'tans,wm,sz', dramBw: '0.5' }), objectives: ['latency', 'memory'], workers: 1, cacheDir: null });
    expect(r.rows.map((x) => x.codec.options.codec ?? 'tans')).toEqual(['tans', 'wm', 'sz']);
    for (const row of r.rows) {
      const chip = resolveChipConfig({ dramBw: 0.5 });
      const { report } = await runModel(model, { codec: row.axes.codec as 'tans' | 'wm' | 'sz', streams: chip.decoders }, { chip });
      expect(row.figures, row.axes.codec).toEqual(figuresOf(report));
      expect(report.layers.some((l) => l.codec === row.axes.codec)).toBe(true);
    }
  }, 120_000);

  it('shares a simulation between points that differ only in clock or technology node, with the figures of separate runs', async () => {
    const model = loadModel('lenet-5');
    for (const dram of ['simple', 'lpddr4-3200-x16']) {
      const r = await runSweep({
        grid: gridFromFlags('lenet-5', { clockMhz: '250,500', techNode: '45,7', dramBw: '0.25', dram }),
        objectives: ['latency', 'energy'], workers: 1, cacheDir: join(tmp, 'cache-clock'),
      });
      // the clock changes a detailed DRAM's timing in cycles; nothing else here changes the simulation
      expect(r.timing.imageRuns).toBe(dram === 'simple' ? 1 : 2);
      expect(r.timing.int8Runs).toBe(dram === 'simple' ? 1 : 2);
      for (const row of r.rows) {
        const chip = resolveChipConfig({ clockMhz: row.chip.clockMhz, techNode: row.chip.techNode, dramBw: 0.25, dram });
        const { report } = await runModel(model, { states: 64, streams: chip.decoders }, { chip });
        expect(row.figures, `${dram} point ${row.index}`).toEqual(figuresOf(report));
      }
      expect(new Set(r.rows.map((x) => x.figures.energy_uj)).size).toBeGreaterThan(1);
    }
  }, 120_000);

  it('shares int8 baselines only where they are equal: decoder settings do not change the int8 run', () => {
    const plain = loadModel('lenet-5').layers.map((l) => ({ spec: l.spec, params: l.weights.length }));
    const a = resolveChipConfig({ decoders: 2, streamFifoDepth: 2, dramBw: 0.25 });
    const b = resolveChipConfig({ decoders: 16, streamFifoDepth: 8, dramBw: 0.25 });
    expect(int8ChipOf(a)).toEqual(int8ChipOf(b));
    expect(runInt8(plain, b)).toEqual(runInt8(plain, a));
    expect(int8ChipOf(resolveChipConfig({ dramBw: 2 }))).not.toEqual(int8ChipOf(a));
  });

  it('shards merge into the whole sweep; merge refuses what does not belong together', async () => {
    const parts = [];
    for (let i = 1; i <= 3; i++) {
      const r = await runSweep({ grid: gridFromFlags('lenet-5', axes), objectives: ['latency', 'memory', 'traffic'], workers: 1, cacheDir, shard: { index: i, count: 3 } });
      parts.push({ path: `s${i}.json`, result: r });
    }
    expect(parts.map((p) => p.result.rows.length).reduce((a, b) => a + b)).toBe(8);
    expect(parts.every((p) => p.result.timing.imagesEncoded === 0)).toBe(true); // all from the cache
    const merged = mergeSweeps(parts);
    expect(merged.rows).toEqual(whole.rows);
    expect(() => mergeSweeps([parts[0], parts[1]])).toThrow(/shard 3 of 3 missing/);
    expect(mergeSweeps([parts[0], parts[1]], true).rows.length).toBe(8 - parts[2].result.rows.length);
    expect(() => mergeSweeps([parts[0], parts[0]])).toThrow(/given twice/);
    const other = await runSweep({ grid: gridFromFlags('lenet-5', { states: '32,64' }), objectives: ['latency', 'memory', 'traffic'], workers: 1, cacheDir, shard: { index: 2, count: 3 } });
    expect(() => mergeSweeps([parts[0], { path: 'x.json', result: other }])).toThrow(/different sweep/);
  }, 120_000);

  it('on worker threads (the compiled command, 2 workers): the rows of the sweep in one thread', () => {
    // (the test runner executes the TypeScript sources, where the pool runs its jobs in this
    // thread: the baseline jobs and the per-image jobs on worker threads run only compiled; its
    // own cache, since the compiled encoder's images are keyed apart from the sources')
    const out = join(tmp, 'threads');
    const r = spawnSync(process.execPath, [join(packageRoot(), 'bin', 'hwsim.js'), 'sweep', 'lenet-5', '--states', axes.states,
      '--decoders', axes.decoders, '--dram-bw', axes.dramBw, '--workers', '2', '--cache-dir', join(tmp, 'cache-threads'), '--out', out, '-q'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const threaded = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as SweepResult;
    expect(threaded.timing.threads).toBe(2);
    expect(threaded.timing.int8Runs).toBe(2);
    expect(threaded.rows).toEqual(whole.rows);
  }, 120_000);

  it('a damaged cached image is encoded again, not trusted', async () => {
    const files = readdirSync(cacheDir).filter((f) => f.endsWith('.hwz'));
    expect(files.length).toBe(4);
    const victim = join(cacheDir, files[0]);
    const bytes = readFileSync(victim);
    bytes[Math.floor(bytes.length / 2)] ^= 0x10;
    writeFileSync(victim, bytes);
    const again = await runSweep({ grid: gridFromFlags('lenet-5', axes), objectives: ['latency', 'memory', 'traffic'], workers: 1, cacheDir });
    expect(again.timing.imagesEncoded).toBe(1);
    expect(again.timing.imagesCached).toBe(3);
    expect(again.rows).toEqual(whole.rows);
    expect(readFileSync(victim)).not.toEqual(bytes);
  }, 120_000);

  it('CSV: one row per point, read back to the same records', () => {
    const csv = sweepCsv(whole);
    const rows = parseCsv(csv);
    expect(rows.length).toBe(1 + whole.rows.length);
    const path = join(tmp, 'w.csv');
    writeFileSync(path, csv);
    const back = readSweepCsv(path);
    const direct = recordsOf(whole);
    expect(back.map((r) => [r.index, r.latency_cycles, r.onchip_bytes, r.pareto, r.states, r.decoders])).toEqual(
      direct.map((r) => [r.index, r.latency_cycles, r.onchip_bytes, r.pareto, r.states, r.decoders]));
  });
});

describe('the order workers take jobs in', () => {
  const job = (affinity?: string) => ({ kind: 'simulate' as const, int8: {} as never, points: [], simulation: 'fast' as const, affinity });

  it('one worker per affinity while it has jobs of its own, then the affinity with the most left; every job once', () => {
    const jobs = [job('a'), job('b'), job('a'), job('b'), job('c'), job('a'), job('a'), job('a')];
    const take = affinityQueues(jobs, 2);
    // worker 0 owns a and c, worker 1 owns b
    expect([take(0), take(1), take(0), take(1)]).toEqual([0, 1, 2, 3]);
    // worker 1 has none of its own left: it takes from a (3 left) before c (1 left)
    expect(take(1)).toBe(5);
    expect([take(0), take(0), take(0), take(1), take(0)]).toEqual([6, 7, 4, undefined, undefined]);
  });

  it('jobs without an affinity are taken in order', () => {
    const take = affinityQueues([job(), job(), job()], 2);
    expect([take(1), take(0), take(1), take(0)]).toEqual([0, 1, 2, undefined]);
  });
});

describe('hwsim sweep on the command line', () => {
  it('writes sweep.csv and sweep.json and prints the Pareto points', async () => {
    const out = join(tmp, 'cli');
    const code = await main(['sweep', 'lenet-300-100', '--states', '32,64', '--out', out, '--cache-dir', join(tmp, 'c2'), '-q']);
    expect(code, io.stderr).toBe(0);
    expect(io.stdout).toMatch(/lenet-300-100 \(SYNTHETIC weights\): 2 design points, axes states \[32,64\]/);
    expect(io.stdout).toMatch(/Pareto front \(latency, memory, traffic\)/);
    expect(readSweepCsv(join(out, 'sweep.csv')).length).toBe(2);
  }, 60_000);

  it('sweeps the DRAM model and ranks by energy', async () => {
    const out = join(tmp, 'cli-dram');
    const code = await main(['sweep', 'lenet-5', '--dram', 'simple,lpddr4-3200-x16', '--objectives', 'energy,latency', '--out', out, '--no-cache', '-q']);
    expect(code, io.stderr).toBe(0);
    const rows = readSweepCsv(join(out, 'sweep.csv'));
    expect(rows.map((r) => [r.dram, r.dram_row_hit_rate === null])).toEqual([['simple', true], ['lpddr4-3200-x16', false]]);
    expect(rows.every((r) => Number(r.energy_uj) > 0 && Number(r.energy_uj) < Number(r.int8_energy_uj))).toBe(true);
  }, 60_000);

  it('refuses weights without layer geometry (every latency would be a guess), takes them with --topology', async () => {
    const npy = join(tmp, 'w.npy');
    const { npyBytes } = await import('../src/io/npy-write.js');
    writeFileSync(npy, npyBytes(new Float32Array(120 * 84).map((_, i) => Math.sin(i)), [84, 120]));
    expect(await main(['sweep', npy, '--states', '32,64', '--out', join(tmp, 'npy'), '-q', '--no-cache'])).toBe(2);
    expect(io.stderr).toMatch(/holds kernels but no layer geometry/);
    expect(io.stderr).toMatch(/fix: give --topology/);
  });

  it.each([
    [['sweep', 'lenet-5', '--states', '48'], /--states "48" is not allowed/],
    [['sweep', 'lenet-5', '--shard', '3/2'], /shard index must be 1..n/],
    [['sweep', 'lenet-5', '--states', '32,64', '--shard', '1/3'], /the grid has only 2 points/],
    [['sweep', 'lenet-5', '--objectives', 'latency,speed'], /unknown objective "speed"/],
    [['sweep', 'lenet-5', '--workers', '0'], /--workers 0 is not an integer/],
    [['sweep', 'merge'], /needs the sweep.json of every shard/],
    [['sweep', 'merge', 'a.json', '--states', '64'], /takes shard files only/],
    [['sweep', 'lenet-5', '--mac', '4096x1'], /--mac 4096x1: macRows must be/],
    [['sweep', 'lenet-5', '--states', '64'], /the grid has no axis/],
  ])('%j is refused', async (args, re) => {
    const code = await main(args as string[]);
    expect(code).toBe(2);
    expect(io.stderr).toMatch(re);
    expect(io.stderr).toMatch(/\n {2}fix: /);
  });
});

describe('docs/SWEEP.md', () => {
  it('documents every figure column and every objective', async () => {
    const { FIGURE_COLUMNS } = await import('../src/sweep/row.js');
    const { OBJECTIVES } = await import('../src/sweep/pareto.js');
    const doc = readFileSync(new URL('../docs/SWEEP.md', import.meta.url), 'utf8');
    for (const c of FIGURE_COLUMNS) expect(doc, c.key).toContain(`\`${c.key}\``);
    for (const o of Object.keys(OBJECTIVES)) expect(doc, o).toMatch(new RegExp(`\\b${o}\\b`));
  });
});
