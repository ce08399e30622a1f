/**
 * Benchmark: `hwsim encode <model> --states 64` end to end (process start, model, quantize, encode,
 * verify by decoding, write the container), median wall time of 5 runs.
 *
 *   npm run build && node dist/bench/encode-wall.js [model] [hwsim encode flags...]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printedHelp } from './entry.js';

const bin = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'bin', 'hwsim.js');
if (printedHelp(import.meta.url, process.argv.slice(2))) process.exit(0);
const model = process.argv[2] ?? 'resnet50';
const extra = process.argv.slice(3);
const flags = extra.includes('--states') ? extra : ['--states', '64', ...extra];
const dir = mkdtempSync(join(tmpdir(), 'hwsim-bench-'));
const file = join(dir, 'model.hwz');

const walls: number[] = [];
let summary = '';
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'encode', model, ...flags, '-o', file], { encoding: 'utf8' });
  walls.push((performance.now() - t0) / 1000);
  if (r.status !== 0) throw new Error(`hwsim encode failed (${r.status}):\n${r.stderr}`);
  summary = (r.stdout + r.stderr).split('\n').filter((l) => l.startsWith('encoded ')).join('');
}
const sorted = [...walls].sort((a, b) => a - b);
console.log(`hwsim encode ${[model, ...flags].join(' ')}: wall ${walls.map((w) => w.toFixed(2)).join(' / ')} s, median ${sorted[2].toFixed(2)} s`);
console.log(`  ${summary}`);
console.log(`  container ${statSync(file).size.toLocaleString('en-US')} bytes`);
rmSync(dir, { recursive: true, force: true });
