/**
 * Benchmark: `hwsim run resnet50 --states 64` end to end (process start, model, quantize, encode,
 * verify, simulate tANS + int8, report), median wall time of 3; simulated cycles per second; and
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
import type { RunReport } from '../src/chip/simulate.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const bin = join(root, 'bin', 'hwsim.js');
const model = process.argv[2] ?? 'resnet50';
const extra = process.argv.slice(3);
const out = mkdtempSync(join(tmpdir(), 'hwsim-bench-'));

function run(states: number): { wall: number; report: RunReport } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'run', model, '--states', String(states), '--quiet', '--json', '--out', out, ...extra], { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`hwsim run failed (${r.status}):\n${r.stderr}`);
  const report = JSON.parse(readFileSync(join(out, `${model}-L${states}.json`), 'utf8')) as RunReport;
  return { wall, report };
}

const walls: number[] = [];
let r64: RunReport | undefined;
for (let i = 0; i < 3; i++) {
  const { wall, report } = run(64);
  walls.push(wall);
  r64 = report;
}
walls.sort((a, b) => a - b);
const median = walls[1];
const cyc = r64!.tans.cycles + r64!.int8.cycles;
console.log(`hwsim run ${[model, '--states 64', ...extra].join(' ')}: wall ${walls.map((w) => w.toFixed(2)).join(' / ')} s, median ${median.toFixed(2)} s`);
console.log(`  simulated ${cyc.toLocaleString('en-US')} chip cycles (tANS + int8), ${(cyc / median / 1e6).toFixed(1)} M cycles/s end to end; ` +
  `${r64!.simulatedCycles.toLocaleString('en-US')} cycles stepped one by one (the rest skipped as quiet)`);
console.log(`  ${r64!.model.synthetic ? 'SYNTHETIC weights: ' + r64!.model.description : r64!.model.description}`);
const c = r64!.chip;
console.log(`  chip: ${c.macRows}x${c.macCols} ${c.dataflow} @ ${c.clockMhz} MHz, ${c.decoders} decoders, DRAM ${c.dramBytesPerCycle} B/cycle lat ${c.dramLatency}, FIFO ${c.fifoDepth}, SRAM ${c.sramKb} KiB\n`);

const reports = new Map<number, RunReport>([[64, r64!]]);
for (const L of [128, 256]) reports.set(L, run(L).report);
const MB = (b: number) => (b / 1e6).toFixed(3);
console.log('L     latency ms  int8 ms  speedup  weight MB  int8 MB  saved   bits/w  gap     MAC util  dec util  bounds (compute/DRAM/decoder)');
for (const [L, r] of reports) {
  const ms = (x: number) => (x / (r.chip.clockMhz * 1000)).toFixed(3);
  console.log(`${String(L).padEnd(5)} ${ms(r.tans.cycles).padStart(10)}  ${ms(r.int8.cycles).padStart(7)}  ${r.speedup.toFixed(3).padStart(7)}  ` +
    `${MB(r.tans.weightBytes + r.tans.tableBytes).padStart(9)}  ${MB(r.int8.weightBytes).padStart(7)}  ${(r.weightTrafficSaved * 100).toFixed(1).padStart(5)}%  ` +
    `${r.bitsPerWeight.toFixed(3).padStart(6)}  ${(r.gapToEntropy * 100).toFixed(1).padStart(5)}%  ${(r.tans.macUtilization * 100).toFixed(1).padStart(7)}%  ` +
    `${((r.tans.decoderUtilization ?? 0) * 100).toFixed(1).padStart(7)}%  ${r.tans.bounds.compute}/${r.tans.bounds.dram}/${r.tans.bounds.decoder} (int8 ${r.int8.bounds.compute}/${r.int8.bounds.dram}/${r.int8.bounds.decoder})`);
}
console.log('\nper-layer bound (C compute, D DRAM, d decoder) and speedup vs int8:');
console.log(`${'layer'.padEnd(22)} ${'params'.padStart(9)}  int8  L64 L128 L256   speedup@64 @128 @256`);
const layers = r64!.layers;
layers.forEach((l, i) => {
  const b = (x: string) => (x === 'compute' ? 'C' : x === 'dram' ? 'D' : 'd');
  const per = [64, 128, 256].map((L) => reports.get(L)!.layers[i]);
  console.log(`${l.name.slice(0, 22).padEnd(22)} ${String(l.params).padStart(9)}  ${b(l.int8.bound).padStart(4)}  ${per.map((p) => b(p.tans.bound).padStart(3)).join('  ')}   ` +
    `${per.map((p) => p.speedup.toFixed(2).padStart(5)).join(' ')}`);
});
