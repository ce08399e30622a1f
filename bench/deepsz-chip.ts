/**
 * FC layers on the default chip with sz vs tANS vs int8 (zoo shapes, SYNTHETIC seeded Laplace
 * weights: the bytes follow the synthetic weights, the cycles the topology). For each network:
 * `--codec sz` (FC layers pruned to --sparsity and SZ-coded at --error-bound, conv layers tANS),
 * the default tANS coding, and the int8 baseline of the same report.
 *
 *   npx tsc -p . && node dist/bench/deepsz-chip.js [alexnet vgg16 ...] [--sparsity 0.9] [--error-bound 0.005]
 */
import { execSync } from 'node:child_process';
import { DEFAULT_CHIP } from '../src/chip/config.js';
import { loadZooModel } from '../src/models/zoo.js';
import { runModel } from '../src/run.js';
import type { RunReport } from '../src/report/run-figures.js';
import { runIfEntry } from './entry.js';

function numberFlag(argv: readonly string[], name: string, dflt: number): number {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
}

function fcFigures(r: RunReport): { bytes: number; cycles: number; int8Bytes: number; int8Cycles: number; total: number; int8Total: number } {
  const fc = r.layers.filter((l) => l.kind === 'fc');
  return {
    bytes: fc.reduce((a, l) => a + l.tans.weightBytes + l.tans.headerBytes, 0),
    cycles: fc.reduce((a, l) => a + l.tans.cycles, 0),
    int8Bytes: fc.reduce((a, l) => a + l.int8.weightBytes + l.int8.headerBytes, 0),
    int8Cycles: fc.reduce((a, l) => a + l.int8.cycles, 0),
    total: r.tans.cycles, int8Total: r.int8.cycles,
  };
}

async function main(argv: string[]): Promise<void> {
  const names = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
  const sparsity = numberFlag(argv, 'sparsity', 0.9);
  const errorBound = numberFlag(argv, 'error-bound', 0.005);
  console.log(`load: ${execSync('uptime').toString().trim()}`);
  for (const name of names.length ? names : ['alexnet', 'vgg16']) {
    const model = loadZooModel(name);
    const chip = { ...DEFAULT_CHIP };
    const t0 = performance.now();
    const sz = fcFigures((await runModel(model, { codec: 'sz', sparsity, errorBound }, { chip })).report);
    const tans = fcFigures((await runModel(model, {}, { chip })).report);
    const mhz = chip.clockMhz;
    const ms = (c: number) => (c / (mhz * 1e3)).toFixed(3);
    console.log(`${name} (SYNTHETIC weights), FC layers: sz (sparsity ${sparsity}, eb ${errorBound}) ${sz.bytes.toLocaleString('en-US')} B, ${sz.cycles.toLocaleString('en-US')} cycles = ${ms(sz.cycles)} ms; ` +
      `tANS ${tans.bytes.toLocaleString('en-US')} B, ${tans.cycles.toLocaleString('en-US')} cycles = ${ms(tans.cycles)} ms; ` +
      `int8 ${sz.int8Bytes.toLocaleString('en-US')} B, ${sz.int8Cycles.toLocaleString('en-US')} cycles = ${ms(sz.int8Cycles)} ms; ` +
      `whole network: sz ${ms(sz.total)} ms, tANS ${ms(tans.total)} ms, int8 ${ms(sz.int8Total)} ms (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
}

runIfEntry(import.meta.url, (argv) => { void main(argv); });
