/**
 * Benchmark: `hwsim run resnet50 --states 64` end to end (process start, model, quantize, encode,
 * verify, simulate tANS + int8, report), median wall time of 5; the same for `hwsim run r50.hwz`
 * on the container `hwsim encode` writes with the same options (the two must report the same
 * latency and traffic: the chip runs the container's bytes either way); simulated cycles per second; and
 * ResNet-50 on the default chip at L = 64 / 128 / 256: latency, weight traffic, speedup vs int8,
 * and the bound of each layer.
 *
 *   npm run build && node dist/bench/run-resnet50.js [model] [hwsim run flags...]
 *   e.g. node dist/bench/run-resnet50.js resnet50 --mac 32x32 --dram-bw 2   (a chip where weights matter)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import type { RunReport } from '../src/report/run-figures.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const bin = join(root, 'bin', 'hwsim.js');
const model = process.argv[2] ?? 'resnet50';
const extra = process.argv.slice(3);
const out = mkdtempSync(join(tmpdir(), 'hwsim-bench-'));

function hwsim(args: string[]): { wall: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`hwsim ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return { wall, stdout: r.stdout };
}

function run(target: string, states: number, jsonName: string): { wall: number; report: RunReport } {
  const { wall } = hwsim(['run', target, ...(target.endsWith('.hwz') ? [] : ['--states', String(states)]), '--quiet', '--json', '--out', out, ...extra]);
  return { wall, report: JSON.parse(readFileSync(join(out, jsonName), 'utf8')) as RunReport };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const walls: number[] = [];
let r64: RunReport | undefined;
const loadBefore = load();
for (let i = 0; i < 5; i++) {
  const { wall, report } = run(model, 64, `${model}-L64.json`);
  walls.push(wall);
  r64 = report;
}
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
console.log(`load average (1/5/15 min) before ${loadBefore}, after ${load()}; ${process.env.HWSIM_BENCH_NOTE ?? ''}`);
console.log(`hwsim run ${[model, '--states 64', ...extra].join(' ')}: wall ${walls.map((w) => w.toFixed(2)).join(' / ')} s, median ${median(walls).toFixed(2)} s`);
console.log(`hwsim run model.hwz (hwsim encode ${model} --states 64): wall ${fileWalls.map((w) => w.toFixed(2)).join(' / ')} s, median ${median(fileWalls).toFixed(2)} s`);
const same = (a: RunReport, b: RunReport) => a.tans.cycles === b.tans.cycles && a.tans.dramBytes === b.tans.dramBytes &&
  a.tans.weightBytes === b.tans.weightBytes && a.tans.headerBytes === b.tans.headerBytes && a.int8.cycles === b.int8.cycles;
console.log(`  model vs file: latency ${r64!.tans.latencyMs.toFixed(6)} / ${rFile!.tans.latencyMs.toFixed(6)} ms, DRAM ${r64!.tans.dramBytes} / ${rFile!.tans.dramBytes} B, ` +
  `weights ${r64!.tans.weightBytes} / ${rFile!.tans.weightBytes} B, headers ${r64!.tans.headerBytes} / ${rFile!.tans.headerBytes} B: ${same(r64!, rFile!) ? 'IDENTICAL' : 'DIFFERENT'}`);
console.log(`  simulated ${cyc.toLocaleString('en-US')} chip cycles (tANS + int8), ${(cyc / median(walls) / 1e6).toFixed(1)} M cycles/s end to end; ` +
  `${r64!.simulatedCycles.toLocaleString('en-US')} cycles stepped one by one (the rest skipped as quiet)`);
console.log(`  ${r64!.model.synthetic ? 'SYNTHETIC weights: ' + r64!.model.description : r64!.model.description}`);
const c = r64!.chip;
console.log(`  chip: ${c.macRows}x${c.macCols} ${c.dataflow} @ ${c.clockMhz} MHz, ${c.decoders} decoders, DRAM ${c.dramBytesPerCycle} B/cycle lat ${c.dramLatency}, FIFO ${c.fifoDepth}, SRAM ${c.sramKb} KiB\n`);

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
