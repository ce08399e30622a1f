/**
 * Benchmark: a design-space sweep, as `hwsim sweep` runs it. Prints the time to prepare the images
 * (encode + verify, once per codec setting) with an empty cache and from the cache, and design
 * points per second after encoding with one worker thread and with one per core, in the fast
 * simulation mode (the default); the cached pass with one worker per core runs --repeat times
 * (default 3: the machine's speed drifts from pass to pass) and its median is the figure; then
 * one shard of the grid run in both modes with one worker, which must give the same rows (the
 * speedup of the fast mode); and the wall time of the same
 * number of separate `hwsim run --no-cache`s (estimated from the median of 3): the speedup of
 * reusing images and int8 baselines across points. Load (uptime) is printed before and after.
 *
 *   npm run build && node dist/bench/sweep.js [--model resnet50] [--states 64,128] [--dram-bw 1,2,4,8,16]
 *     [--fifo-depth 32,64,128,256] [--mac 8x8,16x16,32x32] [--dram-latency 25,50,100,200] [--decoders 8]
 *     [--workers N] [--repeat 3] [--exact-shard 8]   (--exact-shard 0 skips the fast-vs-exact pass)
 * The default grid is 2 codec settings (states) × 240 chip points = 480 points.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gridFromFlags, pointCount } from '../src/sweep/grid.js';
import { runSweep, type SweepResult } from '../src/sweep/run-sweep.js';
import type { SimulationMode } from '../src/chip/sources.js';
import { flag, loadAverage, median, runIfEntry } from './entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(resolve(here, '..', '..'), 'bin', 'hwsim.js');

async function main(argv: string[]): Promise<void> {
  const model = flag(argv, 'model', 'resnet50');
  const axes = {
    states: flag(argv, 'states', '64,128'),
    dramBw: flag(argv, 'dram-bw', '1,2,4,8,16'),
    fifoDepth: flag(argv, 'fifo-depth', '32,64,128,256'),
    mac: flag(argv, 'mac', '8x8,16x16,32x32'),
    dramLatency: flag(argv, 'dram-latency', '25,50,100,200'),
    decoders: flag(argv, 'decoders', '8'),
  };
  const exactShard = Number(flag(argv, 'exact-shard', '8'));
  if (!(Number.isInteger(exactShard) && exactShard >= 0)) throw new Error(`--exact-shard ${flag(argv, 'exact-shard', '8')}: give a shard count n >= 1 (the fast-vs-exact pass runs shard 1/n), or 0 to skip it`);
  const allWorkers = Number(flag(argv, 'workers', String(availableParallelism())));
  const repeat = Number(flag(argv, 'repeat', '3'));
  if (!(Number.isInteger(repeat) && repeat >= 1)) throw new Error(`--repeat ${flag(argv, 'repeat', '3')}: give how many times to run the cached sweep with all workers (1 or more)`);
  const grid = gridFromFlags(model, axes);
  const cacheDir = mkdtempSync(join(tmpdir(), 'hwsim-sweep-bench-'));
  const objectives = ['latency', 'memory', 'traffic'];
  console.log(`sweep bench: ${model}, ${pointCount(grid)} points (${Object.entries(axes).map(([k, v]) => `${k} ${v}`).join('; ')}); load before ${loadAverage()}`);

  const pass = async (label: string, workers: number, simulation: SimulationMode = 'fast', shard?: { index: number; count: number }): Promise<SweepResult> => {
    const t0 = performance.now();
    const r = await runSweep({ grid, objectives, workers, cacheDir, simulation, shard });
    const wall = (performance.now() - t0) / 1000;
    const t = r.timing;
    console.log(`${label.padEnd(28)} wall ${wall.toFixed(1)} s: images ${t.imagesEncoded} encoded + ${t.imagesCached} cached in ${t.prepareSeconds.toFixed(1)} s; ` +
      `${r.rows.length} points + ${t.int8Runs} int8 runs in ${t.simulateSeconds.toFixed(1)} s = ${(r.rows.length / t.simulateSeconds).toFixed(2)} points/s (${t.threads || 1} thread(s)); load ${loadAverage()}`);
    return r;
  };
  const cold = await pass(`empty cache, ${allWorkers} workers`, allWorkers);
  const one = await pass('cached, 1 worker', 1);
  const alls: SweepResult[] = [];
  for (let i = 0; i < repeat; i++) alls.push(await pass(`cached, ${allWorkers} workers (${i + 1}/${repeat})`, allWorkers));
  const simSeconds = alls.map((r) => r.timing.simulateSeconds);
  // the pass of median time (median() picks one of them) stands for all in the figures below
  const all = alls.find((r) => r.timing.simulateSeconds === median(simSeconds))!;
  console.log(`cached, ${allWorkers} workers: median of ${repeat} ${(all.rows.length / all.timing.simulateSeconds).toFixed(2)} points/s ` +
    `(passes ${alls.map((r) => (r.rows.length / r.timing.simulateSeconds).toFixed(2)).join(', ')})`);
  if ([one, ...alls].some((r) => JSON.stringify(r.rows) !== JSON.stringify(cold.rows))) {
    throw new Error('the passes disagree: a sweep must give the same rows whatever its threads and cache');
  }
  // the fast mode against the exact one, on one shard of the grid (the exact mode is the slow one)
  if (exactShard === 0) {
    console.log('fast mode against the exact one: skipped (--exact-shard 0)');
  } else {
    const shard = { index: 1, count: exactShard };
    const exact = await pass(`shard 1/${exactShard}, 1 worker, --sim exact`, 1, 'exact', shard);
    const fast = await pass(`shard 1/${exactShard}, 1 worker, --sim fast`, 1, 'fast', shard);
    const same = JSON.stringify(exact.rows) === JSON.stringify(fast.rows);
    console.log(`fast mode: ${(exact.timing.simulateSeconds / fast.timing.simulateSeconds).toFixed(2)}x the points/s of the exact mode on ${fast.rows.length} points; ` +
      `rows ${same ? 'IDENTICAL' : 'DIFFERENT: a bug'}`);
    if (!same) process.exitCode = 1;
  }

  // the same points as separate `hwsim run`s: each encodes its image and runs its own int8 baseline
  const walls: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'run', model, '--states', axes.states.split(',')[0], '--quiet', '--no-layers', '--no-cache'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`hwsim run failed: ${r.stderr}`);
    walls.push((performance.now() - t0) / 1000);
  }
  const perRun = median(walls);
  const sweepWall = all.timing.prepareSeconds + all.timing.simulateSeconds;
  const coldWall = cold.timing.prepareSeconds + cold.timing.simulateSeconds;
  console.log(`hwsim run ${model} (one point): median of 3 ${perRun.toFixed(2)} s; ${all.rows.length} runs ≈ ${(perRun * all.rows.length).toFixed(0)} s`);
  console.log(`reuse: the sweep took ${coldWall.toFixed(1)} s with an empty cache (${(perRun * all.rows.length / coldWall).toFixed(1)}x fewer seconds than separate runs), ` +
    `${sweepWall.toFixed(1)} s from the cache (${(perRun * all.rows.length / sweepWall).toFixed(1)}x)`);
  console.log(`threads: ${allWorkers} workers ${(one.timing.simulateSeconds / all.timing.simulateSeconds).toFixed(2)}x the points/s of 1; load after ${loadAverage()}`);
  rmSync(cacheDir, { recursive: true, force: true });
}

runIfEntry(import.meta.url, (argv) => {
  main(argv).catch((e: unknown) => { console.error(e); process.exitCode = 1; });
});
