/**
 * Wavelet-matrix weights: space against H0 and tANS, and software access speed with the rank
 * cache options (docs/WM.md).
 *
 *   npx tsc -p . && node dist/bench/wm-access.js [--n 2000000] [--runs 5] [--weights .cache/models/nsfwjs-mobilenet_v2/model.json] [--json]
 *
 * Space: bits per weight of the plain and the Huffman-shaped matrix (bitmaps + rank directories),
 * against H0 and against one tANS stream at L = 64 and 256 (the encoder's 'fast' table; a cell
 * where bins > L − 1 is n/a), on synthetic Laplace weights (min-MSE quantizer, as `hwsim encode
 * --bins`, and the 31-bin H0 = 1.84 setting) and on every kernel of the trained MobileNetV2, each
 * layer quantized and coded on its own (totals over layers).
 * Speed: ns per access (median of --runs), sequential and random order, with no cache, one slot
 * per level and one slot per node; directory ranks and cached ranks per weight, hit rates; and the
 * streaming decoder (per-node cursors, no rank after the node starts). The machine load
 * (`uptime`) is printed before and after.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { entropyOf, quantize } from '../src/codecs/quant/index.js';
import { chooseTable } from '../src/codecs/tans/optimize.js';
import { encodeStream } from '../src/codecs/tans/codec.js';
import { buildEncodeTable } from '../src/codecs/tans/table.js';
import { histogram } from '../src/codecs/tans/layer.js';
import { huffmanMatrix, plainMatrix } from '../src/codecs/wm/matrix.js';
import { codeTree, scanAll } from '../src/codecs/wm/nodes.js';
import { CachedAccess, type RankCacheMode } from '../src/codecs/wm/rank-cache.js';
import { loadWeightsFile } from '../src/models/loaders/index.js';
import { intFlag, runIfEntry } from './entry.js';
import { laplaceWeights, quantizeZeroPoint, stepForEntropy } from './synthetic-laplace.js';

interface SpaceRow { set: string; bins: number; weights: number; h0: number; plain: number; huffman: number; tans64: number | null; tans256: number | null }

const STATES = [64, 256];

function tansBits(symbols: Uint8Array, bins: number, L: number): number | null {
  if (bins > L - 1) return null;
  const t = chooseTable(histogram(symbols, bins), L, 'fast');
  return encodeStream(symbols, buildEncodeTable(t.counts, t.spread)).bitLength;
}

/** totals over the layers (each its own matrix / table), as bits per weight */
function spaceRow(set: string, bins: number, layers: Uint8Array[]): SpaceRow {
  let n = 0; let h = 0; let plain = 0; let huff = 0; let t64: number | null = 0; let t256: number | null = 0;
  for (const s of layers) {
    n += s.length;
    h += entropyOf(histogram(s, bins)) * s.length;
    plain += plainMatrix(s, bins).storedBits;
    huff += huffmanMatrix(s, bins).storedBits;
    const a = tansBits(s, bins, 64);
    const b = tansBits(s, bins, 256);
    t64 = a === null || t64 === null ? null : t64 + a;
    t256 = b === null || t256 === null ? null : t256 + b;
  }
  return { set, bins, weights: n, h0: h / n, plain: plain / n, huffman: huff / n, tans64: t64 === null ? null : t64 / n, tans256: t256 === null ? null : t256 / n };
}

interface SpeedRow { shape: 'huffman' | 'plain'; mode: RankCacheMode | 'stream'; order: 'sequential' | 'random'; nsPerAccess: number; directoryRanksPerWeight: number; cachedRanksPerWeight: number; hitRate: number }

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];

function speed(symbols: Uint8Array, bins: number, runs: number): { rows: SpeedRow[]; nodes: number } {
  const rows: SpeedRow[] = [];
  let nodes = 0;
  for (const shape of ['huffman', 'plain'] as const) nodes = Math.max(nodes, speedOf(shape, symbols, bins, runs, rows));
  return { rows, nodes };
}

function speedOf(shape: 'huffman' | 'plain', symbols: Uint8Array, bins: number, runs: number, rows: SpeedRow[]): number {
  const wm = shape === 'huffman' ? huffmanMatrix(symbols, bins) : plainMatrix(symbols, bins);
  const n = symbols.length;
  const random = new Int32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; random[i] = (s >>> 0) % n; }
  // rounds interleave the options, so that a change of machine load falls on all of them alike
  const cells = (['sequential', 'random'] as const).flatMap((order) => (['none', 'level', 'node'] as RankCacheMode[]).map((mode) => ({ order, mode, times: [] as number[], stats: { accesses: 0, hits: 0, misses: 0 } })));
  for (let r = 0; r < runs; r++) {
    for (const cell of cells) {
      const a = new CachedAccess(wm, cell.mode);
      let check = 0;
      const t0 = process.hrtime.bigint();
      if (cell.order === 'sequential') for (let i = 0; i < n; i++) check += a.access(i);
      else for (let i = 0; i < n; i++) check += a.access(random[i]);
      cell.times.push(Number(process.hrtime.bigint() - t0) / n);
      if (check < 0) throw new Error('unreachable');
      cell.stats = a.stats;
    }
  }
  for (const { order, mode, times, stats } of cells) {
    rows.push({
      shape, mode, order, nsPerAccess: median(times), directoryRanksPerWeight: stats.misses / n,
      cachedRanksPerWeight: stats.hits / n, hitRate: stats.hits / Math.max(1, stats.hits + stats.misses),
    });
  }
  const tree = codeTree(wm.code);
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    const out = scanAll(n, tree, wm.levels, wm.zeros, wm.single);
    times.push(Number(process.hrtime.bigint() - t0) / n);
    if (out[n - 1] !== symbols[n - 1]) throw new Error('internal: the streaming decoder disagrees');
  }
  rows.push({ shape, mode: 'stream', order: 'sequential', nsPerAccess: median(times), directoryRanksPerWeight: 2 * tree.level.length / n, cachedRanksPerWeight: 0, hitRate: NaN });
  return tree.level.length;
}

const uptime = () => { try { return execSync('uptime').toString().trim(); } catch { return 'uptime unavailable'; } };
const f = (v: number | null, d = 3) => (v === null ? 'n/a' : v.toFixed(d));
const pct = (v: number | null, h: number) => (v === null ? 'n/a' : `${((v / h - 1) * 100).toFixed(1)}%`);

export function main(argv: string[]): void {
  const n = intFlag(argv, 'n', 2_000_000);
  const runs = Math.max(1, intFlag(argv, 'runs', 5));
  const wi = argv.indexOf('--weights');
  const path = wi >= 0 ? argv[wi + 1] : '.cache/models/nsfwjs-mobilenet_v2/model.json';
  const loadBefore = uptime();
  const w = laplaceWeights(n, 7);
  const f32 = Float32Array.from(w);
  const space: SpaceRow[] = [];
  for (const bins of [15, 31, 255]) space.push(spaceRow(`laplace min-MSE`, bins, [quantize(f32, bins, { method: 'mse' }).symbols]));
  const h184 = quantizeZeroPoint(w, stepForEntropy(w, 31, 1.84), 31);
  space.push(spaceRow('laplace H0=1.84', 31, [h184]));
  if (existsSync(path)) {
    const model = loadWeightsFile(path);
    for (const bins of [15, 31, 255]) space.push(spaceRow('MobileNetV2 (trained)', bins, model.layers.map((l) => quantize(l.weights, bins, { method: 'mse' }).symbols)));
  } else {
    process.stdout.write(`(${path} absent: run scripts/fetch-models.sh for the MobileNetV2 rows)\n`);
  }
  const sp = speed(h184, 31, runs);
  const loadAfter = uptime();
  if (argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ n, runs, loadBefore, loadAfter, space, speed: sp }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`load before: ${loadBefore}\n\nbits per weight (bitmaps + rank directories for the matrices; one stream for tANS)\n`);
  process.stdout.write('set                     bins   weights      H0   plain WM  Huffman WM (vs H0)  tANS L=64 (vs H0)  tANS L=256 (vs H0)\n');
  for (const r of space) {
    process.stdout.write(`${r.set.padEnd(22)} ${String(r.bins).padStart(5)} ${String(r.weights).padStart(9)} ${f(r.h0).padStart(7)} ${f(r.plain).padStart(10)} ` +
      `${f(r.huffman).padStart(11)} (${pct(r.huffman, r.h0).padStart(6)}) ${f(r.tans64).padStart(10)} (${pct(r.tans64, r.h0).padStart(6)}) ${f(r.tans256).padStart(11)} (${pct(r.tans256, r.h0).padStart(6)})\n`);
  }
  process.stdout.write(`\naccess speed, ${n} Laplace weights in 31 bins (H0 = ${f(space[3].h0)}), median of ${runs}\n`);
  process.stdout.write('matrix   cache            order        ns/access  directory ranks/w  cached ranks/w  hit rate\n');
  for (const r of sp.rows) {
    process.stdout.write(`${r.shape.padEnd(8)} ${(r.mode === 'stream' ? 'stream (cursors)' : r.mode).padEnd(16)} ${r.order.padEnd(12)} ${r.nsPerAccess.toFixed(1).padStart(9)} ` +
      `${r.directoryRanksPerWeight.toFixed(4).padStart(18)} ${r.cachedRanksPerWeight.toFixed(4).padStart(15)} ${Number.isNaN(r.hitRate) ? '       -' : `${(100 * r.hitRate).toFixed(1).padStart(7)}%`}\n`);
  }
  const ns = (mode: string) => sp.rows.find((r) => r.shape === 'huffman' && r.mode === mode && r.order === 'sequential')!.nsPerAccess;
  process.stdout.write(`\nHuffman, sequential: no cache / per-node slots ${(ns('none') / ns('node')).toFixed(2)}×, no cache / streaming cursors ${(ns('none') / ns('stream')).toFixed(2)}×\nload after: ${loadAfter}\n`);
}

runIfEntry(import.meta.url, main);
