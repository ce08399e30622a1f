/**
 * The query unit's random-access port in RTL beside its cycle model: cycles per access and rank
 * cache hit rates from the Verilator co-simulation (rtl-templates/wm/wm_access_port.v, every access
 * compared with wm.access and wmAccessCycles) and from the model, for each rank cache option,
 * sequential and random positions, plain and Huffman-shaped matrices; Laplace weights (31 bins,
 * H0 = 1.84 bits, as bench/wm-access-cycles.ts) and the LeNet-5 fixture's conv2. Co-simulation
 * speed: accesses per second of the Verilator harness (its wall time: stimulus read, simulation,
 * output) and of the cycle model, median of --runs. Random valid/ready on both sides at
 * --stall-rate (cycles per access exclude the waits). Prints the machine load before and after.
 *
 * --rows: row requests instead (select on the delimiter, then access) on element-wise layers:
 * synthetic Laplace layers of long and of short rows (31 bins, H0 1.84) and the LeNet-5 fixture's
 * ip1 (500 rows of 800, 15 bins), plain and Huffman-shaped (through the encoder); per row the
 * select's cycles from the RTL (rsp_select_o) and from wmRowSelectCycles, the walk to the
 * delimiter's leaf at go, cycles per request and requests per second (per-node cache).
 *
 *   npx tsc -p . && node dist/bench/wm-access-cosim.js [--n 1000000] [--runs 3] [--rows]
 */
import { execSync } from 'node:child_process';
import { quantize } from '../src/codecs/quant/index.js';
import { huffmanMatrix, plainMatrix } from '../src/codecs/wm/matrix.js';
import { delimiterOf, elementSequence, RowAccess } from '../src/codecs/wm/ras.js';
import { layerMatrix, wmCodec } from '../src/codecs/wm/index.js';
import { runWmAccessCosim, type AccessLayer, type AccessOrder, type AccessFigures } from '../src/cosim/wm-access-cosim.js';
import { loadModel } from '../src/models/load.js';
import type { RankCacheMode } from '../src/codecs/wm/rank-cache.js';
import { intFlag, runIfEntry } from './entry.js';
import { laplaceWeights, quantizeZeroPoint, stepForEntropy } from './synthetic-laplace.js';

const uptime = () => { try { return execSync('uptime').toString().trim(); } catch { return 'uptime unavailable'; } };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const perAccess = (f: AccessFigures) => (f.cycles / f.accesses).toFixed(3);
const hitRate = (f: AccessFigures) => (f.hits + f.misses ? `${(100 * f.hits / (f.hits + f.misses)).toFixed(1)} %` : '—');

/** An element-wise layer of `bins` symbols in rows of `rowLength`, plain or Huffman-shaped through the encoder. */
function rowLayer(name: string, weights: Uint8Array, rowLength: number, bins: number, shape: 'plain' | 'huffman'): AccessLayer {
  const rows = weights.length / rowLength;
  const dims = [rows, rowLength];
  const quant = { bins, step: 1 };
  const layer = wmCodec.encode(weights, { shape: dims, quant }, { states: 64, streams: 1, split: 'channel', effort: 'fast', wmForm: 'element' });
  const wm = shape === 'huffman' ? layerMatrix(layer) : plainMatrix(elementSequence(weights, dims, bins), bins + 1);
  return { name: `${name} ${rows}x${rowLength}`, shape, wm, rows: { access: new RowAccess(wm, { form: 'element', gapSymbols: 0, quant, shape: dims }, name), weights } };
}

async function runRows(argv: string[]): Promise<void> {
  const n = intFlag(argv, 'n', 200_000);
  const runs = Math.max(1, intFlag(argv, 'runs', 3));
  const requests = intFlag(argv, 'requests', 20_000);
  const stallRate = 0.2;
  const before = uptime();
  const w = laplaceWeights(n, 7);
  const lap = quantizeZeroPoint(w, stepForEntropy(w, 31, 1.84), 31);
  const ip1 = loadModel('test/fixtures/lenet/lenet-5.safetensors').layers.find((l) => l.spec.name === 'ip1.weight')!;
  const q1 = quantize(ip1.weights, 15).symbols;
  const layers: AccessLayer[] = [];
  for (const shape of ['plain', 'huffman'] as const) {
    layers.push(rowLayer('Laplace 31 bins', lap.subarray(0, n - (n % 400)), 400, 31, shape));
    layers.push(rowLayer('Laplace 31 bins', lap.subarray(0, n - (n % 8)), 8, 31, shape));
    layers.push(rowLayer('LeNet-5 ip1.weight 15 bins', q1, ip1.spec.weightShape[1], 15, shape));
  }
  const words = Math.max(...layers.map((l) => l.wm.storedBits / 32));
  const params = { wmLevels: 24, wmBufferWords: 2 ** Math.ceil(Math.log2(Math.max(64, words))), wmRankCache: 'node' as RankCacheMode };
  const lines = [
    `Verilator port, row requests: --levels ${params.wmLevels} --buffer-words ${params.wmBufferWords} --rank-cache node, stall rate ${stallRate} on both sides, ` +
      `${requests} requests per row (sequential: the first ones), ${runs} run(s) per row (speed: median)`,
    '| layer | matrix | order | delimiter code bits | directory entries per level of its code | requests | selects | RTL cycles/select | model cycles/select | RTL / model walk at go | RTL cycles/request | model cycles/request | RTL requests/s | model requests/s |',
    '|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const layer of layers) {
    for (const order of ['sequential', 'random'] as AccessOrder[]) {
      const rtlRates: number[] = [];
      const modelRates: number[] = [];
      let last;
      for (let k = 0; k < runs; k++) {
        const r = await runWmAccessCosim({ params, layers: [layer], order, seed: 1, stallRate, refuseEvery: 0, accesses: requests, rows: true });
        if (!r.pass) throw new Error(`${layer.name} ${layer.shape} ${order}: the co-simulation failed: ${r.firstMismatch}`);
        rtlRates.push(r.accessesCompared / r.rtlSeconds);
        modelRates.push(r.accessesCompared / r.modelSeconds);
        last = r;
      }
      const r = last!;
      const per = (f: AccessFigures) => (f.selects ? (f.selectCycles / f.selects).toFixed(2) : '-');
      const dlen = layer.wm.code.lengths[delimiterOf(layer.rows!.access.header.quant.bins)];
      const entries = layer.wm.levels.slice(0, dlen).map((b) => b.dir.length / 2).join(', ');
      lines.push(`| ${layer.name} | ${layer.shape} | ${order} | ${dlen} | ${entries} | ${r.rtl.accesses} | ${r.rtl.selects} | ` +
        `${per(r.rtl)} | ${per(r.model)} | ${r.rtl.walk} / ${r.model.walk} | ${perAccess(r.rtl)} | ${perAccess(r.model)} | ` +
        `${Math.round(median(rtlRates)).toLocaleString('en-US')} | ${Math.round(median(modelRates)).toLocaleString('en-US')} |`);
      process.stderr.write(`${lines[lines.length - 1]}\n`);
    }
  }
  process.stdout.write(`load before: ${before}\n${lines.join('\n')}\nload after: ${uptime()}\n`);
}

async function run(argv: string[]): Promise<void> {
  if (argv.includes('--rows')) return runRows(argv);
  const n = intFlag(argv, 'n', 1_000_000);
  const runs = Math.max(1, intFlag(argv, 'runs', 3));
  const stallRate = 0.2;
  const before = uptime();
  const w = laplaceWeights(n, 7);
  const lap = quantizeZeroPoint(w, stepForEntropy(w, 31, 1.84), 31);
  const conv2 = loadModel('test/fixtures/lenet/lenet-5.safetensors').layers.find((l) => l.spec.name === 'conv2.weight')!;
  const c2 = quantize(conv2.weights, 15).symbols;
  const sets: [string, AccessLayer[]][] = [
    [`Laplace n=${n}, 31 bins, H0 1.84`, [{ name: 'laplace', shape: 'huffman', wm: huffmanMatrix(lap, 31) }, { name: 'laplace', shape: 'plain', wm: plainMatrix(lap, 31) }]],
    [`LeNet-5 conv2.weight, 15 bins`, [{ name: 'conv2', shape: 'huffman', wm: huffmanMatrix(c2, 15) }, { name: 'conv2', shape: 'plain', wm: plainMatrix(c2, 15) }]],
  ];
  const words = Math.max(...sets.flatMap(([, ls]) => ls.map((l) => l.wm.storedBits / 32)));
  const params = { wmLevels: 24, wmBufferWords: 2 ** Math.ceil(Math.log2(Math.max(64, words))) };
  const lines = [
    `Verilator port: --levels ${params.wmLevels} --buffer-words ${params.wmBufferWords}, stall rate ${stallRate} on both sides, ${runs} run(s) per row (speed: median)`,
    '| set | matrix | order | cache | accesses | RTL cycles/access | model cycles/access | RTL hit rate | model hit rate | RTL accesses/s | model accesses/s |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [set, layers] of sets) {
    for (const layer of layers) {
      for (const order of ['sequential', 'random'] as AccessOrder[]) {
        for (const mode of ['none', 'level', 'node'] as RankCacheMode[]) {
          const rtlRates: number[] = [];
          const modelRates: number[] = [];
          let last;
          for (let k = 0; k < runs; k++) {
            const r = await runWmAccessCosim({ params: { ...params, wmRankCache: mode }, layers: [layer], order, seed: 1, stallRate, refuseEvery: 0, accesses: layer.wm.length });
            if (!r.pass) throw new Error(`${set} ${layer.shape} ${order} ${mode}: the co-simulation failed: ${r.firstMismatch}`);
            rtlRates.push(r.accessesCompared / r.rtlSeconds);
            modelRates.push(r.accessesCompared / r.modelSeconds);
            last = r;
          }
          const r = last!;
          lines.push(`| ${set} | ${layer.shape} | ${order} | ${mode} | ${r.rtl.accesses} | ${perAccess(r.rtl)} | ${perAccess(r.model)} | ${hitRate(r.rtl)} | ${hitRate(r.model)} | ` +
            `${Math.round(median(rtlRates)).toLocaleString('en-US')} | ${Math.round(median(modelRates)).toLocaleString('en-US')} |`);
          process.stderr.write(`${lines[lines.length - 1]}\n`);
        }
      }
    }
  }
  process.stdout.write(`load before: ${before}\n${lines.join('\n')}\nload after: ${uptime()}\n`);
}

runIfEntry(import.meta.url, (argv) => { run(argv).catch((e) => { process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`); process.exitCode = 1; }); });
