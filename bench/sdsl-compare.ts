/**
 * hwsim's wavelet matrices beside sdsl-lite's (`wm_int`, `wt_huff` on plain bit vectors and on
 * RRR bit vectors) on the same symbols in one run: bits per weight (each structure with its rank
 * support) and ns per access, sequential and random (the same random positions for both; median
 * of --runs). Data: --n Laplace weights in 31 bins quantized to H0 = 1.84 bits (the setting of
 * docs/WM.md).
 *
 * sdsl-lite is built outside the project (it is not a dependency); then the driver
 * bench/sdsl/sdsl-wm.cpp against it:
 *
 *   # fetch github:simongog/sdsl-lite into /work/ext/sdsl-lite (git archive of its tree), then
 *   cd /work/ext/sdsl-lite && sed 's#@PROJECT_SOURCE_DIR@#/work/ext/sdsl-lite#' lib/structure_tree.cpp.cmake > lib/structure_tree.cpp
 *   mkdir -p objs && for f in bits memory_management io util config ram_fs ram_filebuf sfstream structure_tree wt_helper \
 *     uint128_t uint256_t rrr_vector_15 sd_vector nn_dict_dynamic construct_config; do
 *     g++ -O3 -DNDEBUG -std=c++11 -Iinclude -c lib/$f.cpp -o objs/$f.o; done && ar rcs libsdsl.a objs/*.o
 *   g++ -O3 -DNDEBUG -std=c++11 -I/work/ext/sdsl-lite/include bench/sdsl/sdsl-wm.cpp /work/ext/sdsl-lite/libsdsl.a -o /work/ext/sdsl-wm
 *   npx tsc -p . && node dist/bench/sdsl-compare.js [--n 10000000] [--runs 3] [--driver /work/ext/sdsl-wm]
 *
 * (cmake does not configure without sdsl's git submodules, which the wavelet trees do not need.)
 * Skips, saying so, when the driver is absent.
 */
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entropyOf } from '../src/codecs/quant/index.js';
import { histogram } from '../src/codecs/tans/layer.js';
import { huffmanMatrix, plainMatrix, type WaveletMatrix } from '../src/codecs/wm/matrix.js';
import { codeTree, scanAll } from '../src/codecs/wm/nodes.js';
import { CachedAccess } from '../src/codecs/wm/rank-cache.js';
import { intFlag, runIfEntry } from './entry.js';
import { laplaceWeights, quantizeZeroPoint, stepForEntropy } from './synthetic-laplace.js';

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

interface Row { name: string; bits: number; seqNs: number; rndNs: number; checkSeq: number; checkRnd: number }

/** ours: sequential by the streaming decoder (per-node cursors) and by access with the per-node cache; random by access */
function ours(name: string, wm: WaveletMatrix, random: Uint32Array, runs: number): Row[] {
  const n = wm.length;
  const tree = codeTree(wm.code);
  const stream: number[] = [];
  const seq: number[] = [];
  const rnd: number[] = [];
  let checkSeq = 0;
  let checkRnd = 0;
  for (let r = 0; r < runs; r++) {
    let t0 = process.hrtime.bigint();
    const out = scanAll(n, tree, wm.levels, wm.zeros, wm.single);
    stream.push(Number(process.hrtime.bigint() - t0) / n);
    const a = new CachedAccess(wm, 'node');
    let c = 0;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) c += a.access(i);
    seq.push(Number(process.hrtime.bigint() - t0) / n);
    checkSeq = c;
    let s = 0;
    for (let i = 0; i < n; i++) s += out[i];
    if (s !== c) throw new Error('internal: the streaming decoder and access disagree');
    c = 0;
    t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) c += wm.access(random[i]);
    rnd.push(Number(process.hrtime.bigint() - t0) / n);
    checkRnd = c;
  }
  const bits = wm.storedBits / n;
  return [
    { name: `hwsim ${name}, access + per-node cache`, bits, seqNs: median(seq), rndNs: median(rnd), checkSeq, checkRnd },
    { name: `hwsim ${name}, streaming decoder`, bits, seqNs: median(stream), rndNs: NaN, checkSeq, checkRnd },
  ];
}

function main(argv: string[]): void {
  const n = intFlag(argv, 'n', 10_000_000);
  const runs = intFlag(argv, 'runs', 3);
  const at = argv.indexOf('--driver');
  const driver = at >= 0 ? argv[at + 1] : '/work/ext/sdsl-wm';
  if (!existsSync(driver)) {
    console.log(`sdsl-compare: the sdsl-lite driver ${driver} is absent; skipped (build it as the comment at the top of bench/sdsl-compare.ts says)`);
    return;
  }
  console.log(`load before: ${execSync('uptime').toString().trim()}`);
  const w = laplaceWeights(n, 7);
  const symbols = quantizeZeroPoint(w, stepForEntropy(w, 31, 1.84), 31);
  const h0 = entropyOf(histogram(symbols, 31));
  const random = new Uint32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; random[i] = (s >>> 0) % n; }
  const dir = mkdtempSync(join(tmpdir(), 'hwsim-sdsl-'));
  writeFileSync(join(dir, 'symbols.bin'), symbols);
  writeFileSync(join(dir, 'positions.bin'), new Uint8Array(random.buffer));
  const sdsl: Row[] = execFileSync(driver, [join(dir, 'symbols.bin'), join(dir, 'positions.bin'), String(runs)], { maxBuffer: 1 << 20 })
    .toString().trim().split('\n').map((line) => {
      const [name, bits, seqNs, rndNs, checkSeq, checkRnd] = line.split(' ');
      return { name: `sdsl-lite ${name}`, bits: Number(bits), seqNs: Number(seqNs), rndNs: Number(rndNs), checkSeq: Number(checkSeq), checkRnd: Number(checkRnd) };
    });
  const rows = [...sdsl, ...ours('Huffman-shaped matrix', huffmanMatrix(symbols, 31), random, runs), ...ours('plain matrix', plainMatrix(symbols, 31), random, runs)];
  // both sides read the same symbols: the checksums must agree
  for (const r of rows) {
    if (r.checkSeq !== rows[0].checkSeq || r.checkRnd !== rows[0].checkRnd) throw new Error(`${r.name} read other symbols than ${rows[0].name} (checksums differ)`);
  }
  console.log(`${n.toLocaleString('en-US')} Laplace weights, 31 bins, H0 = ${h0.toFixed(3)} bits; median of ${runs} runs; checksums of the symbols read agree`);
  console.log('| structure | bits/weight | vs H0 | ns/access sequential | ns/access random |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.bits.toFixed(3)} | ${r.bits / h0 - 1 >= 0 ? '+' : ''}${(100 * (r.bits / h0 - 1)).toFixed(1)} % | ${r.seqNs.toFixed(1)} | ${Number.isNaN(r.rndNs) ? '-' : r.rndNs.toFixed(1)} |`);
  }
  console.log(`load after: ${execSync('uptime').toString().trim()}`);
}

runIfEntry(import.meta.url, main);
