/**
 * Benchmark: `hwsim run resnet50 --states 64` end to end (process start, model, quantize, encode,
 * verify, simulate tANS + int8, report), median wall time of 5, three ways in interleaved rounds
 * (so they share the machine's load): as before the fast mode (`--sim exact --no-cache`: encode
 * every run, the register model of the engine), `--sim fast --no-cache` (encode every run), and
 * `--sim fast` from a warm image cache (the default). All three must report the same cycles.
 * Then `hwsim run r50.hwz` on the container `hwsim encode` writes with the same options (the same
 * latency and traffic: the chip runs the container's bytes either way); simulated cycles per
 * second; and ResNet-50 on the default chip at L = 64 / 128 / 256: latency, weight traffic,
 * speedup vs int8, and the bound of each layer.
 *
 *   npm run build && node dist/bench/run-resnet50.js [model] [hwsim run flags...]
 *   e.g. node dist/bench/run-resnet50.js resnet50 --mac 32x32 --dram-bw 2   (a chip where weights matter)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../src/report/run-figures.js';
import { resolveChipConfig, type ChipFlags } from '../src/chip/config.js';
import { runInt8 } from '../src/chip/simulate.js';
import { ImageCache, imageKey, modelDigest } from '../src/io/image-cache.js';
import { readVerdict } from '../src/io/image-verdict.js';
import { readContainer } from '../src/codecs/container.js';
import { loadModel } from '../src/models/load.js';
import { codecParamsFrom } from '../src/params/cli.js';
import { prepareImage, simulatePrepared } from '../src/run.js';
import { loadAverage, median, printedHelp } from './entry.js';

/** The chip flags among the extra arguments (--name value pairs), as hwsim run reads them. */
function extraChipFlags(): ChipFlags {
  const flags: Record<string, string> = {};
  for (let i = 0; i + 1 < extra.length; i += 2) flags[extra[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = extra[i + 1];
  return flags as unknown as ChipFlags;
}
/** The codec settings of hwsim run --states 64 on this chip. */
function resolveCodecDefaults(chip: ReturnType<typeof resolveChipConfig>) {
  return codecParamsFrom({ states: 64 }, 'run', chip);
}

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const bin = join(root, 'bin', 'hwsim.js');
if (printedHelp(import.meta.url, process.argv.slice(2))) process.exit(0);
const model = process.argv[2] ?? 'resnet50';
const extra = process.argv.slice(3);
const out = mkdtempSync(join(tmpdir(), 'hwsim-bench-'));
const cache = join(out, 'cache');

function hwsim(args: string[]): { wall: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`hwsim ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { wall, stdout: r.stdout };
}

function run(target: string, states: number, jsonName: string, how: string[] = ['--cache-dir', cache]): { wall: number; report: RunReport } {
  const { wall } = hwsim(['run', target, ...(target.endsWith('.hwz') ? [] : ['--states', String(states)]), '--quiet', '--json', '--out', out, ...how, ...extra]);
  return { wall, report: JSON.parse(readFileSync(join(out, jsonName), 'utf8')) as RunReport };
}

const WAYS: Array<[string, string[]]> = [
  ['--sim exact --no-cache (before)', ['--sim', 'exact', '--no-cache']],
  ['--sim fast --no-cache', ['--sim', 'fast', '--no-cache']],
  ['--sim fast, warm cache', ['--sim', 'fast', '--cache-dir', cache]],
];
const walls = WAYS.map(() => [] as number[]);
const cycles = WAYS.map(() => new Set<string>());
let r64: RunReport | undefined;
const loadBefore = loadAverage();
run(model, 64, `${model}-L64.json`); // fills the cache
for (let i = 0; i < 5; i++) {
  WAYS.forEach(([, how], w) => {
    const { wall, report } = run(model, 64, `${model}-L64.json`, how);
    walls[w].push(wall);
    cycles[w].add(JSON.stringify([report.tans.cycles, report.int8.cycles, report.tans.dramBytes, report.layers.map((l) => l.tans.stalls)]));
    r64 = report;
  });
}
const loadAfterRuns = loadAverage();
const file = join(out, 'model.hwz');
// extra flags are chip flags (they apply to both runs); the codec settings are the defaults
hwsim(['encode', model, '--states', '64', '--streams', String(r64!.chip.decoders), '-o', file]);
const fileWalls: number[] = [];
let rFile: RunReport | undefined;
for (let i = 0; i < 5; i++) {
  const { wall, report } = run(file, 64, 'model-L64.json');
  fileWalls.push(wall);
  rFile = report;
}
const cyc = r64!.tans.cycles + r64!.int8.cycles;
console.log(`load average (1/5/15 min) before ${loadBefore}, after the runs ${loadAfterRuns}, at the end ${loadAverage()}; ${process.env.HWSIM_BENCH_NOTE ?? ''}`);
const base = median(walls[0]);
WAYS.forEach(([label], w) => {
  console.log(`hwsim run ${[model, '--states 64', ...extra].join(' ')} ${label}: wall ${walls[w].map((x) => x.toFixed(2)).join(' / ')} s, ` +
    `median ${median(walls[w]).toFixed(2)} s (${(base / median(walls[w])).toFixed(2)}x the first)`);
});
const agree = new Set(cycles.flatMap((c) => [...c])).size === 1;
console.log(`  cycles, DRAM bytes and stalls of every layer: ${agree ? 'IDENTICAL in all 15 runs' : 'DIFFERENT: a bug'}`);
if (!agree) process.exitCode = 1;
console.log(`hwsim run model.hwz (hwsim encode ${model} --states 64): wall ${fileWalls.map((w) => w.toFixed(2)).join(' / ')} s, median ${median(fileWalls).toFixed(2)} s`);
const same = (a: RunReport, b: RunReport) => a.tans.cycles === b.tans.cycles && a.tans.dramBytes === b.tans.dramBytes &&
  a.tans.weightBytes === b.tans.weightBytes && a.tans.headerBytes === b.tans.headerBytes && a.int8.cycles === b.int8.cycles;
console.log(`  model vs file: latency ${r64!.tans.latencyMs.toFixed(6)} / ${rFile!.tans.latencyMs.toFixed(6)} ms, DRAM ${r64!.tans.dramBytes} / ${rFile!.tans.dramBytes} B, ` +
  `weights ${r64!.tans.weightBytes} / ${rFile!.tans.weightBytes} B, headers ${r64!.tans.headerBytes} / ${rFile!.tans.headerBytes} B: ${same(r64!, rFile!) ? 'IDENTICAL' : 'DIFFERENT'}`);
console.log(`  simulated ${cyc.toLocaleString('en-US')} chip cycles (tANS + int8), ${(cyc / median(walls[2]) / 1e6).toFixed(1)} M cycles/s end to end (warm cache); ` +
  `${r64!.simulatedCycles.toLocaleString('en-US')} cycles stepped one by one (the rest skipped as quiet)`);
console.log(`  ${r64!.model.synthetic ? 'SYNTHETIC weights: ' + r64!.model.description : r64!.model.description}`);
const c = r64!.chip;
console.log(`  chip: ${c.macRows}x${c.macCols} ${c.dataflow} @ ${c.clockMhz} MHz, ${c.decoders} decoders, DRAM ${c.dramBytesPerCycle} B/cycle lat ${c.dramLatency}, FIFO ${c.fifoDepth}, SRAM ${c.sramKb} KiB\n`);

// where a warm run's time goes, phase by phase in this process (CPU of this thread; the int8
// baseline runs on a worker thread beside the encode/verify/simulate steps in hwsim run)
{
  const cpu = () => process.cpuUsage().user / 1e6;
  const phases: Array<[string, number]> = [];
  const timed = <T>(name: string, f: () => T): T => { const c0 = cpu(); const v = f(); phases.push([name, cpu() - c0]); return v; };
  const chip = resolveChipConfig(extraChipFlags());
  const codec = resolveCodecDefaults(chip);
  const m = timed('load the model (synthetic weights)', () => loadModel(model, { seed: codec.seed, topology: true }));
  const key = timed('digest the weights (cache key)', () => imageKey(modelDigest(m), codec as unknown as Record<string, unknown>));
  const imageCache = new ImageCache(cache);
  const bytes = timed('read the cached image', () => imageCache.get(key));
  const verdict = timed('read its verdict', () => imageCache.getVerdict(key));
  if (bytes && verdict) {
    const image = timed('container checks (every CRC, lengths)', () => readContainer(bytes, model));
    timed('the verdict: its CRC, entropy, step bits (warm run)', () => readVerdict(verdict, bytes, image));
    const p = timed('verify by a full decode instead (cold run)', () => prepareImage(bytes, model));
    timed('simulate tANS, fast (first run: step bits)', () => simulatePrepared(p, chip, { simulation: 'fast' }));
    timed('simulate tANS, fast (again)', () => simulatePrepared(p, chip, { simulation: 'fast' }));
    timed('simulate tANS, exact', () => simulatePrepared(p, chip, { simulation: 'exact' }));
    timed('int8 baseline (worker thread in hwsim run)', () => runInt8(p.plain, chip));
    console.log(`  a warm run's steps (CPU seconds of one thread, load ${loadAverage()}):`);
    for (const [name, sec] of phases) console.log(`    ${name.padEnd(46)} ${sec.toFixed(3)} s`);
  } else {
    console.log('  (no cached image and verdict for these flags: the phase breakdown needs the default codec settings)');
  }
}

const reports = new Map<number, RunReport>([[64, r64!]]);
for (const L of [128, 256]) reports.set(L, run(model, L, `${model}-L${L}.json`).report);
const MB = (b: number) => (b / 1e6).toFixed(3);
console.log('L     latency ms  int8 ms  speedup  weight MB  int8 MB  saved   bits/w  gap     MAC util  dec util  bounds (compute/DRAM/decoder)');
for (const [L, r] of reports) {
  const ms = (x: number) => (x / (r.chip.clockMhz * 1000)).toFixed(3);
  console.log(`${String(L).padEnd(5)} ${ms(r.tans.cycles).padStart(10)}  ${ms(r.int8.cycles).padStart(7)}  ${r.speedup.toFixed(3).padStart(7)}  ` +
    `${MB(r.tans.weightBytes + r.tans.headerBytes).padStart(9)}  ${MB(r.int8.weightBytes).padStart(7)}  ${(r.weightTrafficSaved * 100).toFixed(1).padStart(5)}%  ` +
    `${r.bitsPerWeight.toFixed(3).padStart(6)}  ${(r.gapToEntropy * 100).toFixed(1).padStart(5)}%  ${(r.tans.macUtilization * 100).toFixed(1).padStart(7)}%  ` +
    `${((r.tans.decoderUtilization ?? 0) * 100).toFixed(1).padStart(7)}%  ${r.tans.bounds.compute}/${r.tans.bounds.dram}/${r.tans.bounds.decoder} (int8 ${r.int8.bounds.compute}/${r.int8.bounds.dram}/${r.int8.bounds.decoder})`);
}
console.log('\nper-layer bound (C compute, D DRAM, d decoder) and speedup vs int8:');
console.log(`${'layer'.padEnd(22)} ${'params'.padStart(9)}  int8  L64 L128 L256   speedup@64 @128 @256`);
const layers = r64!.layers;
layers.forEach((l: RunReport['layers'][number], i: number) => {
  const b = (x: string) => (x === 'compute' ? 'C' : x === 'dram' ? 'D' : 'd');
  const per = [64, 128, 256].map((L) => reports.get(L)!.layers[i]);
  console.log(`${l.name.slice(0, 22).padEnd(22)} ${String(l.params).padStart(9)}  ${b(l.int8.bound).padStart(4)}  ${per.map((p) => b(p.tans.bound).padStart(3)).join('  ')}   ` +
    `${per.map((p) => p.speedup.toFixed(2).padStart(5)).join(' ')}`);
});
