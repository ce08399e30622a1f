/**
 * Benchmark for work on the simulator's speed: one image simulated on a set of chips (a slice of
 * the sweep bench's grid), the coded run and the int8 baseline of each chip timed apart, in rounds
 * of fresh processes. Per chip the least time over the rounds is kept (on a shared machine the load
 * comes and goes within a run, and the least time is the least disturbed run), and those are
 * summed. With `--baseline DIR` (another checkout of hwsim, built), the rounds alternate between
 * that build and this one, the two must agree on every figure of every run (cycles, each layer's
 * stalls by cause, traffic; compared as a digest), and the ratio of the sums is printed: the way to
 * tell a change of a few percent from the machine's noise.
 *
 *   npm run build && node dist/bench/chip-points.js [--model resnet50] [--states 64] [--rounds 4]
 *     [--mac 16x16,32x32] [--dram-bw 1,2,4,8,16] [--dram-latency 50,100] [--fifo-depth 64]
 *     [--baseline ../hwsim-before]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { applyChipConfig, DEFAULT_CHIP, parseMacFlag } from '../src/chip/config.js';
import type { PipelineResult } from '../src/chip/pipeline.js';
import { HwsimError } from '../src/errors.js';
import { flag, intFlag, loadAverage, runIfEntry } from './entry.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');

/** One chip of the slice: the fields of the default chip that it changes. */
interface ChipPatch { macRows: number; macCols: number; dramBytesPerCycle: number; dramLatency: number; fifoDepth: number }

/** What a child process measured on one chip: times, cycles, and a digest of every figure of each run. */
interface ChipTiming { codedMs: number; codedCycles: number; codedDigest: string; int8Ms: number; int8Cycles: number; int8Digest: string }

/** The figures of a pipeline run (not its diagnostics: steps, stretches), hashed. */
function digest(r: PipelineResult): string {
  const { totalCycles, layers, dramWeightBytes, dramHeaderBytes, dramActBytes, fifoFullCycles, peakWindowBytes } = r;
  return createHash('sha256').update(JSON.stringify({ totalCycles, layers, dramWeightBytes, dramHeaderBytes, dramActBytes, fifoFullCycles, peakWindowBytes })).digest('hex').slice(0, 16);
}

/** The slice's chips, each checked as `hwsim run` checks its flags (bad values: an HwsimError naming them). */
function chipsOf(argv: readonly string[]): ChipPatch[] {
  const list = (name: string, dflt: string) => flag(argv, name, dflt).split(',');
  const chips: ChipPatch[] = [];
  for (const mac of list('mac', '16x16,32x32')) {
    const { macRows, macCols } = parseMacFlag(mac);
    for (const bw of list('dram-bw', '1,2,4,8,16')) {
      for (const latency of list('dram-latency', '50,100')) {
        for (const fifo of list('fifo-depth', '64')) {
          const chip = { macRows, macCols, dramBytesPerCycle: Number(bw), dramLatency: Number(latency), fifoDepth: Number(fifo) };
          applyChipConfig(DEFAULT_CHIP, chip, 'flags');
          chips.push(chip);
        }
      }
    }
  }
  return chips;
}

/**
 * The child: the build under `dist` (this checkout's or the baseline's) runs the image on every
 * chip once after one untimed run (compiler warm-up, the step marks of the image), and prints one
 * JSON line of timings per chip.
 */
async function child(dist: string, imagePath: string, chips: ChipPatch[]): Promise<void> {
  const url = (p: string) => pathToFileURL(join(dist, p)).href;
  const { prepareImage, simulatePrepared } = await import(url('src/run.js'));
  const { DEFAULT_CHIP: defaults } = await import(url('src/chip/config.js'));
  const { runInt8 } = await import(url('src/chip/simulate.js'));
  const prepared = prepareImage(readFileSync(imagePath), imagePath);
  const cfgOf = (c: ChipPatch) => ({ ...defaults, ...c });
  simulatePrepared(prepared, cfgOf(chips[0]));
  for (const c of chips) {
    const cfg = cfgOf(c);
    const t0 = performance.now();
    const coded = simulatePrepared(prepared, cfg).run;
    const t1 = performance.now();
    const int8 = runInt8(prepared.plain, cfg);
    const t2 = performance.now();
    const timing: ChipTiming = {
      codedMs: t1 - t0, codedCycles: coded.totalCycles, codedDigest: digest(coded),
      int8Ms: t2 - t1, int8Cycles: int8.totalCycles, int8Digest: digest(int8),
    };
    process.stdout.write(`${JSON.stringify(timing)}\n`);
  }
}

function runChild(dist: string, imagePath: string, argv: readonly string[]): ChipTiming[] {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', dist, '--image', imagePath, ...argv],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`the bench's child process for ${dist} failed (${r.status}):\n${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as ChipTiming);
}

interface Options { chips: ChipPatch[]; model: string; states: string; rounds: number; baselineArg: string; baseline: string }

/** The flags, checked before anything runs (bad input: an HwsimError, printed as error and fix). */
function options(argv: readonly string[]): Options {
  const chips = chipsOf(argv);
  const rounds = intFlag(argv, 'rounds', 4);
  if (rounds < 1) throw new HwsimError('--rounds 0 times nothing', 'give --rounds 1 or more (4 by default)');
  const baselineArg = argv.indexOf('--baseline') >= 0 ? flag(argv, 'baseline', '') : '';
  const baseline = baselineArg ? join(resolve(baselineArg), 'dist') : '';
  if (baseline && !existsSync(join(baseline, 'src', 'run.js'))) {
    throw new HwsimError(`--baseline ${baselineArg}: no built hwsim there (${join(baseline, 'src', 'run.js')} is missing)`,
      'give the root of another checkout of hwsim and build it there (npx tsc -p .)');
  }
  return { chips, model: flag(argv, 'model', 'resnet50'), states: flag(argv, 'states', '64'), rounds, baselineArg, baseline };
}

async function main(argv: string[], o: Options): Promise<void> {
  const { chips, model, states, rounds, baselineArg, baseline } = o;
  // one image for both builds, written by this build's encoder
  const imagePath = join(mkdtempSync(join(tmpdir(), 'hwsim-chip-points-')), 'image.hwz');
  const enc = spawnSync(process.execPath, [join(root, 'bin', 'hwsim.js'), 'encode', model, '--states', states, '--streams', '8', '-o', imagePath, '-q'], { encoding: 'utf8' });
  if (enc.status !== 0) throw new Error(`hwsim encode ${model} failed (${enc.status}):\n${enc.stderr}`);
  console.log(`chip points bench: ${model} at --states ${states}, ${chips.length} chips, ${rounds} rounds${baseline ? `, against ${baselineArg}` : ''}; load before ${loadAverage()}`);

  const builds = baseline ? [{ name: 'baseline', dist: baseline }, { name: 'this build', dist: join(root, 'dist') }] : [{ name: 'this build', dist: join(root, 'dist') }];
  const runs = new Map<string, ChipTiming[][]>(builds.map((b) => [b.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const b of builds) {
      const t = runChild(b.dist, imagePath, argv);
      runs.get(b.name)!.push(t);
      const sum = (f: (x: ChipTiming) => number) => t.reduce((a, x) => a + f(x), 0);
      console.log(`round ${r + 1}, ${b.name.padEnd(10)}: coded ${sum((x) => x.codedMs).toFixed(0)} ms, int8 ${sum((x) => x.int8Ms).toFixed(0)} ms; load ${loadAverage()}`);
    }
  }
  const leastSums = new Map<string, { coded: number; int8: number }>();
  for (const b of builds) {
    const rs = runs.get(b.name)!;
    const least = (chip: number, f: (x: ChipTiming) => number) => Math.min(...rs.map((t) => f(t[chip])));
    let coded = 0;
    let int8 = 0;
    chips.forEach((_, i) => { coded += least(i, (x) => x.codedMs); int8 += least(i, (x) => x.int8Ms); });
    leastSums.set(b.name, { coded, int8 });
    console.log(`${b.name.padEnd(10)}: per chip the least of ${rounds} rounds, summed: coded ${coded.toFixed(0)} ms (${(coded / chips.length).toFixed(0)} ms a chip), ` +
      `int8 ${int8.toFixed(0)} ms (${(int8 / chips.length).toFixed(0)} ms a chip)`);
  }
  if (baseline) {
    // the two builds must simulate the same thing
    const [a, b] = builds.map((x) => runs.get(x.name)![0]);
    chips.forEach((c, i) => {
      if (a[i].codedDigest !== b[i].codedDigest || a[i].int8Digest !== b[i].int8Digest) {
        throw new Error(`the builds disagree on the figures of chip ${JSON.stringify(c)} (coded / int8 cycles: ${a[i].codedCycles} / ${a[i].int8Cycles} for the baseline, ${b[i].codedCycles} / ${b[i].int8Cycles} for this build)`);
      }
    });
    const base = leastSums.get('baseline')!;
    const mine = leastSums.get('this build')!;
    console.log(`this build / baseline: coded ${(mine.coded / base.coded).toFixed(3)}, int8 ${(mine.int8 / base.int8).toFixed(3)}; every run's figures agree (cycles, stalls by cause per layer, traffic)`);
  }
  console.log(`load after ${loadAverage()}`);
}

runIfEntry(import.meta.url, (argv) => {
  const childAt = argv.indexOf('--child');
  const run = childAt >= 0 ? child(argv[childAt + 1], flag(argv, 'image', ''), chipsOf(argv)) : main(argv, options(argv));
  run.catch((e: unknown) => { console.error(e); process.exitCode = 1; });
});
