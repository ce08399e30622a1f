/**
 * The query unit's random access, cycle model (src/chip/wm-access.ts): hit rate, ranks and cycles
 * per access for each rank cache option (none, per level, per node), sequential and random
 * positions, on Laplace weights (31 bins, H0 = 1.84 bits) and on the LeNet-5 fixture's layers,
 * Huffman-shaped and plain matrices. Also the streaming DECODE for comparison: one weight per
 * lane-cycle after START. Prints the machine load before and after.
 *
 *   npx tsc -p . && node dist/bench/wm-access-cycles.js [--n 1000000]
 */
import { execSync } from 'node:child_process';
import { wmAccessCycles } from '../src/chip/wm-access.js';
import { huffmanMatrix, plainMatrix, type WaveletMatrix } from '../src/codecs/wm/matrix.js';
import { quantize } from '../src/codecs/quant/index.js';
import { loadModel } from '../src/models/load.js';
import { intFlag, runIfEntry } from './entry.js';
import { laplaceWeights, quantizeZeroPoint, stepForEntropy } from './synthetic-laplace.js';

const uptime = () => { try { return execSync('uptime').toString().trim(); } catch { return 'uptime unavailable'; } };

function rows(set: string, symbols: Uint8Array, bins: number): string[] {
  const out: string[] = [];
  const n = symbols.length;
  let x = 12345;
  const random = Int32Array.from({ length: n }, () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; });
  const sequential = Int32Array.from({ length: n }, (_, i) => i);
  for (const [shape, wm] of [['huffman', huffmanMatrix(symbols, bins)], ['plain', plainMatrix(symbols, bins)]] as [string, WaveletMatrix][]) {
    for (const [order, pos] of [['sequential', sequential], ['random', random]] as const) {
      for (const mode of ['none', 'level', 'node'] as const) {
        const f = wmAccessCycles(wm, pos, mode);
        out.push(`| ${set} | ${shape} | ${order} | ${mode} | ${(f.ranks / n).toFixed(3)} | ${f.ranks ? (100 * f.hits / f.ranks).toFixed(1) : '—'} % | ${(f.levels / n).toFixed(3)} | ${(f.cycles / n).toFixed(3)} |`);
      }
    }
  }
  return out;
}

function main(argv: string[]): void {
  const n = intFlag(argv, 'n', 1_000_000);
  const before = uptime();
  const w = laplaceWeights(n, 7);
  const lap = quantizeZeroPoint(w, stepForEntropy(w, 31, 1.84), 31);
  const lines = ['| set | matrix | order | cache | ranks/access | hit rate | levels/access | cycles/access |', '|---|---|---|---|---:|---:|---:|---:|'];
  lines.push(...rows(`Laplace n=${n}, 31 bins, H0 1.84`, lap, 31));
  const lenet = loadModel('test/fixtures/lenet/lenet-5.safetensors');
  for (const layer of lenet.layers.filter((l) => l.weights.length >= 5000)) {
    lines.push(...rows(`LeNet-5 ${layer.spec.name}, 15 bins`, quantize(layer.weights, 15).symbols, 15));
  }
  process.stdout.write(`load before: ${before}\n${lines.join('\n')}\nload after: ${uptime()}\n` +
    'streaming DECODE (per-node cursors, after START): 1 weight per lane-cycle, no rank\n');
}

runIfEntry(import.meta.url, main);
