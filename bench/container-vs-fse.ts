/**
 * Whole `.hwz` file size against real FSE's whole compressed stream on the same symbols
 * (the goal: a whole-file size at most FSE's whole-stream size on the same symbols at every L).
 *
 *   bash bench/fse-ref/build.sh <zstd checkout>          # once: builds .cache/fse-ref/fse_size
 *   npx tsc -p . && node dist/bench/container-vs-fse.js \
 *     [--json] [--hwsim <path to bin/hwsim.js>] [--fse <path to fse_size>] [--states 64,128,256]
 *     [--streams 1,8] [--bins 15,31] [--weights .cache/models/nsfwjs-mobilenet_v2/model.json]
 *     [--effort fast|best] [--keep]
 *
 * Sets (one layer each):
 * - the synthetic Laplace set of bench/synthetic-laplace.ts cut to one layer of 294,912 weights,
 *   shape [256, 128, 3, 3] (a ResNet conv layer): the first 294,912 of its seeded Laplace(0, 1)
 *   weights, at 15 and 31 bins, step bisected (stepForEntropy) to H = 0.5, 1.8, 3.0 bits on this
 *   layer; the layer is written as the dequantized values (symbol − m)·step in float32, so that
 *   hwsim's own quantizer sees a grid of that entropy;
 * - when present, the largest kernel of the trained MobileNetV2 (tfjs model.json, --weights),
 *   turned into hwsim's canonical layout (conv OIHW, dense [out, in]), at the same bin counts.
 *
 * For each set, L and S: `hwsim encode <layer.npy> --states L --streams S --bins B --no-keep-edges
 * -o x.hwz` through child_process (the CLI, not hwsim's internal modules), the file's size on disk,
 * then `hwsim decode x.hwz -o out.npy` for the quantized levels hwsim actually coded
 * (out.<layer>.q.npy, int8; symbol = level + (bins − 1)/2), and exactly those symbols, in that
 * order, go to the FSE driver (bench/fse-ref/fse_size.c over zstd's lib) at tableLog = log2 L.
 * H is the empirical entropy of those symbols. PASS: file bytes ≤ FSE total bytes.
 *
 * Without .cache/fse-ref/fse_size (no network on CI, no zstd checkout) it says so and exits 0.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HwsimError } from '../src/errors.js';
import { npyBytes } from '../src/io/npy-write.js';
import { runIfEntry } from './entry.js';
import { laplaceWeights, quantizeZeroPoint, stepForEntropy, SYNTHETIC_SEED } from './synthetic-laplace.js';

/** The project root: this file runs as dist/bench/container-vs-fse.js. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DEFAULT_FSE = join(ROOT, '.cache/fse-ref/fse_size');
const DEFAULT_HWSIM = join(ROOT, 'bin/hwsim.js');
const DEFAULT_WEIGHTS = join(ROOT, '.cache/models/nsfwjs-mobilenet_v2/model.json');
export const LAYER_SHAPE = [256, 128, 3, 3] as const;
export const LAYER_WEIGHTS = 256 * 128 * 3 * 3; // 294,912
export const ENTROPIES = [0.5, 1.8, 3.0] as const;

export interface FseSize {
  zstdVersion: string;
  symbols: number;
  tableLog: number;
  maxSymbolValue: number;
  presentSymbols: number;
  useLowProbCount: number;
  lowProbSymbols: number;
  rle: boolean;
  headerBytes: number;
  streamBytes: number;
  totalBytes: number;
  verified: boolean;
  fse2WouldStoreRaw: boolean;
  fse2Reason: string;
}

export interface Row {
  set: string;
  bins: number;
  /** empirical entropy of the symbols hwsim coded, bits/symbol */
  entropy: number;
  symbols: number;
  presentSymbols: number;
  states: number;
  streams: number;
  /** the whole .hwz file as `hwsim encode` wrote it */
  fileBytes: number;
  /** n·H/8: the entropy bound of the symbols, bytes */
  entropyBytes: number;
  fse: FseSize;
  /**
   * Informative, from `hwsim inspect --json` when that build reports them (null otherwise): the
   * layer's coded bits / 8 and its tableBytes figure (hwsim's decode-table size, 3·L at HEAD 78526c9,
   * which is not what the file stores); the rest of the file is container, headers and table description.
   */
  hwzCodedBytes: number | null;
  hwzTableBytes: number | null;
  /**
   * The chip's DRAM image of the layer: its record (prefix + payload + CRC), without the file's
   * magic and the host-side trailer (names, geometry, description); null for builds without it.
   */
  recordBytes: number | null;
  /** fileBytes / fse.totalBytes − 1, in % */
  ratioPct: number;
  pass: boolean;
}

interface LayerSource {
  name: string;
  /** float32 values, C order, hwsim's canonical layout */
  values: Float32Array;
  shape: number[];
  /** bins to code it at; for a synthetic set the bins its grid was made for */
  bins: number[];
  note: string;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new HwsimError(`${name} needs a value`, `see the usage at the top of bench/container-vs-fse.ts`);
  return v;
}

function numberList(argv: string[], name: string, fallback: number[]): number[] {
  const v = option(argv, name);
  if (v === undefined) return fallback;
  const list = v.split(',').map(Number);
  if (list.some((x) => !Number.isInteger(x) || x <= 0)) throw new HwsimError(`${name}: '${v}' is not a list of positive integers`, `e.g. ${name} ${fallback.join(',')}`);
  return list;
}

/** The synthetic Laplace layers: first LAYER_WEIGHTS of the documented generator, one grid per (bins, H). */
export function syntheticLayers(binsList: readonly number[]): LayerSource[] {
  const w = laplaceWeights(LAYER_WEIGHTS, SYNTHETIC_SEED);
  const out: LayerSource[] = [];
  for (const bins of binsList) {
    for (const h of ENTROPIES) {
      const step = stepForEntropy(w, bins, h);
      const symbols = quantizeZeroPoint(w, step, bins);
      const m = (bins - 1) >> 1;
      const values = new Float32Array(symbols.length);
      for (let i = 0; i < symbols.length; i++) values[i] = (symbols[i] - m) * step;
      out.push({
        name: `laplace-${bins}bins-H${h}`, values, shape: [...LAYER_SHAPE], bins: [bins],
        note: `synthetic Laplace(0,1), seed ${SYNTHETIC_SEED}, first ${LAYER_WEIGHTS} weights, step ${step.toPrecision(6)} for H=${h} at ${bins} bins, written as (q·step) float32`,
      });
    }
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * The largest kernel (rank 2 or 4) of a TensorFlow.js model.json, in hwsim's canonical layout:
 * conv HWIO → OIHW, depthwise [kh, kw, in, mult] → [in·mult, 1, kh, kw], dense [in, out] → [out, in].
 */
export function largestTfjsKernel(path: string): { name: string; values: Float32Array; shape: number[] } {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as {
    weightsManifest?: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[]; dtype: string; quantization?: { dtype: string; min?: number; scale?: number } }> }>;
  };
  if (!Array.isArray(doc.weightsManifest)) throw new HwsimError(`${path}: no weightsManifest (not a TensorFlow.js model.json)`, 'give a tfjs model.json with its shard files');
  let best: { name: string; values: Float32Array; shape: number[]; depthwise: boolean } | undefined;
  for (const group of doc.weightsManifest) {
    const parts = group.paths.map((p) => new Uint8Array(readFileSync(join(dirname(path), p))));
    const data = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) { data.set(p, at); at += p.length; }
    const view = new DataView(data.buffer);
    at = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, d) => a * d, 1);
      const q = w.quantization;
      const type = q ? q.dtype : w.dtype;
      const size = type === 'uint8' ? 1 : type === 'uint16' || type === 'float16' ? 2 : 4;
      const wanted = (w.shape.length === 2 || w.shape.length === 4) && count > (best?.values.length ?? 0);
      if (wanted) {
        const v = new Float32Array(count);
        for (let i = 0; i < count; i++) {
          const o = at + i * size;
          let x: number;
          if (type === 'float32') x = view.getFloat32(o, true);
          else if (type === 'uint8') x = view.getUint8(o);
          else if (type === 'uint16') x = view.getUint16(o, true);
          else if (type === 'float16') x = halfToFloat(view.getUint16(o, true));
          else throw new HwsimError(`${path}: weight '${w.name}' has dtype ${type}`, 'float32, or quantized uint8/uint16/float16');
          v[i] = q && type !== 'float16' ? x * (q.scale ?? 1) + (q.min ?? 0) : x;
        }
        best = { name: w.name, values: v, shape: w.shape, depthwise: /depthwise/i.test(w.name) };
      }
      at += count * size;
    }
  }
  if (!best) throw new HwsimError(`${path}: no 2-D or 4-D weight`, 'give a model with conv or dense kernels');
  const s = best.shape;
  if (s.length === 2) { // [in, out] → [out, in]
    const [ni, no] = s;
    const v = new Float32Array(best.values.length);
    for (let i = 0; i < ni; i++) for (let o = 0; o < no; o++) v[o * ni + i] = best.values[i * no + o];
    return { name: best.name, values: v, shape: [no, ni] };
  }
  const [kh, kw, ci, co] = s;
  const v = new Float32Array(best.values.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    const src = ((y * kw + x) * ci + i) * co + o;
    // depthwise: output channel i·mult + o, one input channel each
    const dst = best.depthwise ? (((i * co + o) * 1) * kh + y) * kw + x : ((o * ci + i) * kh + y) * kw + x;
    v[dst] = best.values[src];
  }
  return { name: best.name, values: v, shape: best.depthwise ? [ci * co, 1, kh, kw] : [co, ci, kh, kw] };
}

function run(file: string, args: string[], what: string): string {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; status?: number; message: string };
    const detail = (err.stderr || err.stdout || err.message).trim().split('\n').slice(0, 8).join('\n    ');
    throw new HwsimError(`${what} failed (exit ${err.status ?? '?'}):\n    ${detail}`,
      `run it by hand to see more: ${[file, ...args].join(' ')}`);
  }
}

/** Int8 levels from a .npy written by `hwsim decode` (format 1.x–3.x, descr |i1). */
function readInt8Npy(path: string): Int8Array {
  const b = new Uint8Array(readFileSync(path));
  const major = b[6];
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const start = major === 1 ? 10 : 12;
  const len = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const header = new TextDecoder('latin1').decode(b.subarray(start, start + len));
  if (!/'descr'\s*:\s*'\|i1'/.test(header)) throw new HwsimError(`${path}: expected int8 levels, header ${header.trim()}`, 'hwsim decode writes <layer>.q.npy as int8');
  return new Int8Array(b.buffer, b.byteOffset + start + len, b.length - start - len);
}

function entropyBits(symbols: Uint8Array): { h: number; present: number } {
  const hist = new Float64Array(256);
  for (let i = 0; i < symbols.length; i++) hist[symbols[i]]++;
  let h = 0, present = 0;
  for (const c of hist) if (c > 0) { present++; const p = c / symbols.length; h -= p * Math.log2(p); }
  return { h, present };
}

/** Best effort: coded bits and table bytes of the one layer, as `hwsim inspect --json` reports them. */
function inspectLayer(hwsim: string, hwz: string): { codedBytes: number | null; tableBytes: number | null; recordOverhead: number | null } {
  try {
    const doc = JSON.parse(execFileSync(process.execPath, [hwsim, 'inspect', hwz, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as
      { layers?: Array<{ codedBits?: unknown; tableBytes?: unknown; overheadBytes?: unknown }> };
    const l = doc.layers?.length === 1 ? doc.layers[0] : undefined;
    return {
      codedBytes: typeof l?.codedBits === 'number' ? l.codedBits / 8 : null,
      tableBytes: typeof l?.tableBytes === 'number' ? l.tableBytes : null,
      // the layer record beyond its payload (codec byte, lengths, binary header, CRC); builds before the v2 container lack it
      recordOverhead: typeof l?.overheadBytes === 'number' ? l.overheadBytes : null,
    };
  } catch {
    return { codedBytes: null, tableBytes: null, recordOverhead: null };
  }
}

function hwsimBuild(hwsim: string): string {
  const dir = dirname(dirname(hwsim));
  try {
    const rev = execFileSync('git', ['-C', dir, 'describe', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `${hwsim} (checkout ${dir}, git ${rev})`;
  } catch {
    return hwsim;
  }
}

export interface Result {
  hwsim: string;
  fse: string;
  zstdVersion: string;
  sets: Array<{ name: string; note: string }>;
  rows: Row[];
}

export function measure(opts: {
  hwsim: string; fse: string; states: number[]; streams: number[]; bins: number[]; weights: string;
  effort?: string; keep?: boolean; log?: (s: string) => void;
}): Result {
  const log = opts.log ?? (() => {});
  for (const L of opts.states) {
    if (!Number.isInteger(Math.log2(L))) throw new HwsimError(`--states ${L} is not a power of two`, 'FSE tables are 2^tableLog states: e.g. --states 64,128,256');
  }
  const layers = syntheticLayers(opts.bins);
  if (existsSync(opts.weights)) {
    const k = largestTfjsKernel(opts.weights);
    layers.push({
      name: `${basename(dirname(opts.weights))}:${k.name.replace(/[^\w.-]/g, '_')}`, values: k.values, shape: k.shape, bins: opts.bins,
      note: `largest kernel of ${opts.weights}: '${k.name}' ${k.shape.join('x')} (${k.values.length} weights), quantized by hwsim (--bins)`,
    });
  } else {
    log(`note: ${opts.weights} is absent: MobileNetV2 layer skipped (bash scripts/fetch-models.sh fetches it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'hwsim-vs-fse-'));
  const rows: Row[] = [];
  const fseCache = new Map<string, FseSize>();
  let zstdVersion = '';
  try {
    for (const layer of layers) {
      const npy = join(dir, 'layer.npy'); // layer name in the container: 'layer'
      writeFileSync(npy, npyBytes(layer.values, layer.shape));
      for (const bins of layer.bins) {
        for (const L of opts.states) {
          for (const S of opts.streams) {
            const tag = `${layer.name.replace(/[^\w.-]/g, '_')}-b${bins}-L${L}-S${S}`;
            const hwz = join(dir, `${tag}.hwz`);
            const args = [opts.hwsim, 'encode', npy, '--states', String(L), '--streams', String(S), '--bins', String(bins), '--no-keep-edges', '-o', hwz];
            if (opts.effort) args.push('--effort', opts.effort);
            run(process.execPath, args, `hwsim encode (${tag})`);
            const fileBytes = statSync(hwz).size;
            const inspected = inspectLayer(opts.hwsim, hwz);
            run(process.execPath, [opts.hwsim, 'decode', hwz, '-o', join(dir, `${tag}.out.npy`)], `hwsim decode (${tag})`);
            const qFiles = readdirSync(dir).filter((f) => f.startsWith(`${tag}.out.`) && f.endsWith('.q.npy'));
            if (qFiles.length !== 1) throw new HwsimError(`hwsim decode (${tag}) wrote ${qFiles.length} level files (${qFiles.join(', ')}), expected 1`, 'the layer should decode to out.<layer>.q.npy');
            const levels = readInt8Npy(join(dir, qFiles[0]));
            const m = (bins - 1) >> 1;
            const symbols = new Uint8Array(levels.length);
            for (let i = 0; i < levels.length; i++) {
              const s = levels[i] + m;
              if (s < 0 || s >= bins) throw new HwsimError(`${tag}: level ${levels[i]} is outside ±${m} for ${bins} bins`, 'hwsim decode returned levels the bins cannot hold');
              symbols[i] = s;
            }
            if (symbols.length !== layer.values.length) throw new HwsimError(`${tag}: decoded ${symbols.length} levels, the layer has ${layer.values.length}`, 'hwsim decode lost or added weights');
            const key = `${createHash('sha1').update(symbols).digest('hex')}-${L}`;
            let fse = fseCache.get(key);
            if (!fse) {
              const u8 = join(dir, `${tag}.u8`);
              writeFileSync(u8, symbols);
              fse = JSON.parse(run(opts.fse, [u8, String(Math.log2(L))], `fse_size (${tag})`)) as FseSize;
              if (!fse.verified) throw new HwsimError(`fse_size (${tag}) did not verify its stream`, 'rebuild it: bash bench/fse-ref/build.sh <zstd checkout>');
              fseCache.set(key, fse);
              rmSync(u8);
            }
            zstdVersion = fse.zstdVersion;
            const { h, present } = entropyBits(symbols);
            rows.push({
              set: layer.name, bins, entropy: h, symbols: symbols.length, presentSymbols: present, states: L, streams: S,
              fileBytes, hwzCodedBytes: inspected.codedBytes, hwzTableBytes: inspected.tableBytes,
              recordBytes: inspected.codedBytes === null || inspected.recordOverhead === null ? null : inspected.codedBytes + inspected.recordOverhead,
              entropyBytes: (symbols.length * h) / 8, fse, ratioPct: (fileBytes / fse.totalBytes - 1) * 100,
              pass: fileBytes <= fse.totalBytes,
            });
            log(`${tag}: .hwz ${fileBytes} B, FSE ${fse.totalBytes} B`);
            if (!opts.keep) for (const f of readdirSync(dir)) if (f.startsWith(`${tag}.`)) rmSync(join(dir, f));
          }
        }
      }
    }
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
    else log(`kept the files in ${dir}`);
  }
  return { hwsim: hwsimBuild(opts.hwsim), fse: opts.fse, zstdVersion, sets: layers.map((l) => ({ name: l.name, note: l.note })), rows };
}

const int = (v: number, w: number) => v.toLocaleString('en-US').padStart(w);

export function formatTable(r: Result): string {
  const out: string[] = [];
  out.push('Whole .hwz file vs FSE\'s whole compressed stream on the same symbols');
  out.push(`hwsim: ${r.hwsim}`);
  out.push(`FSE:   ${r.fse} (zstd ${r.zstdVersion}: FSE_normalizeCount with useLowProbCount = n >= 2048, FSE_writeNCount,`);
  out.push('       FSE_compress_usingCTable at tableLog = log2 L; verified by FSE\'s decoder)');
  out.push('file  = every byte `hwsim encode --bins B --no-keep-edges` wrote (container and layer headers, table, streams).');
  out.push('FSE   = NCount header + bitstream (two interleaved states, both flushed, end mark, byte padding); no container.');
  out.push('S = 8 splits the layer into 8 streams sharing one table (8 final states and paddings in the file);');
  out.push('FSE codes the layer as ONE stream with one header, at every S. H = entropy of the symbols hwsim coded.');
  out.push('Informative: hwz coded B = the layer\'s coded bits / 8 as `hwsim inspect --json` reports them ("-" if that build');
  out.push('does not); hwz rest B = file B - hwz coded B (container, layer header, table description); FSE str B = FSE\'s');
  out.push('bitstream without its header. PASS/FAIL is on whole-file bytes against FSE header + stream; record B = the layer\'s');
  out.push('record alone (what the chip fetches: prefix + payload + CRC, no magic, no host-side trailer), rec<=FSE on it.');
  out.push('');
  const sw = Math.max(3, ...r.rows.map((x) => x.set.length));
  const hdr = `${'set'.padEnd(sw)} ${'bins'.padStart(4)} ${'H'.padStart(6)} ${'L'.padStart(4)} ${'S'.padStart(2)} | ${'file B'.padStart(9)} ${'FSE B'.padStart(9)} ${'FSE hdr'.padStart(7)} | ${'file/FSE-1'.padStart(10)} | file<=FSE | ${'nH/8 B'.padStart(9)} ${'hwz coded'.padStart(10)} ${'hwz rest'.padStart(9)} ${'FSE str B'.padStart(9)} | ${'record B'.padStart(9)} rec<=FSE`;
  out.push(hdr);
  out.push('-'.repeat(hdr.length));
  for (const x of r.rows) {
    const opt = (v: number | null, w: number) => (v === null ? '-'.padStart(w) : int(Math.ceil(v), w));
    out.push(`${x.set.padEnd(sw)} ${String(x.bins).padStart(4)} ${x.entropy.toFixed(3).padStart(6)} ${String(x.states).padStart(4)} ${String(x.streams).padStart(2)} | ` +
      `${int(x.fileBytes, 9)} ${int(x.fse.totalBytes, 9)} ${int(x.fse.headerBytes, 7)} | ` +
      `${((x.ratioPct >= 0 ? '+' : '') + x.ratioPct.toFixed(3) + '%').padStart(10)} | ${(x.pass ? 'PASS' : 'FAIL').padEnd(9)} | ` +
      `${int(Math.ceil(x.entropyBytes), 9)} ${opt(x.hwzCodedBytes, 10)} ${x.hwzCodedBytes === null ? '-'.padStart(9) : int(x.fileBytes - Math.ceil(x.hwzCodedBytes), 9)} ${int(x.fse.streamBytes, 9)} | ${x.recordBytes === null ? '-'.padStart(9) : int(x.recordBytes, 9)} ${x.recordBytes === null ? '-' : x.recordBytes <= x.fse.totalBytes ? 'PASS' : 'FAIL'}${x.fse.rle ? ' (FSE: RLE)' : ''}`);
  }
  const fails = r.rows.filter((x) => !x.pass).length;
  const worst = r.rows.reduce((a, x) => Math.max(a, x.ratioPct), -Infinity);
  out.push('');
  out.push(`${r.rows.length - fails}/${r.rows.length} PASS (file <= FSE total); worst file/FSE-1 = ${worst >= 0 ? '+' : ''}${worst.toFixed(3)}%; ` +
    `${r.rows.filter((x) => x.recordBytes !== null && x.recordBytes <= x.fse.totalBytes).length}/${r.rows.length} layer records <= FSE total`);
  out.push('sets:');
  for (const s of r.sets) out.push(`  ${s.name}: ${s.note}`);
  if (!r.sets.some((s) => !s.name.startsWith('laplace-'))) out.push('  (no trained model: --weights file absent)');
  return out.join('\n');
}

function main(argv: string[]): void {
  const json = argv.includes('--json');
  const fse = resolve(option(argv, '--fse') ?? DEFAULT_FSE);
  if (!existsSync(fse)) {
    const msg = `skipped: the FSE reference driver ${fse} is not built (it needs a zstd checkout, which CI has no network for).\n` +
      `  build it with: bash bench/fse-ref/build.sh <zstd checkout>   (see bench/fse-ref/README.md)`;
    if (json) process.stdout.write(JSON.stringify({ skipped: true, reason: msg }, null, 2) + '\n');
    else process.stdout.write(msg + '\n');
    return;
  }
  const hwsim = resolve(option(argv, '--hwsim') ?? DEFAULT_HWSIM);
  if (!existsSync(hwsim) || basename(hwsim) !== 'hwsim.js') {
    throw new HwsimError(`--hwsim ${hwsim}: no such bin/hwsim.js`, 'give the bin/hwsim.js of a built hwsim checkout (npm ci && npx tsc -p . there)');
  }
  const effort = option(argv, '--effort');
  if (effort !== undefined && effort !== 'fast' && effort !== 'best') throw new HwsimError(`--effort ${effort}`, 'fast or best');
  const result = measure({
    hwsim, fse,
    states: numberList(argv, '--states', [64, 128, 256]),
    streams: numberList(argv, '--streams', [1, 8]),
    bins: numberList(argv, '--bins', [15, 31]),
    weights: resolve(option(argv, '--weights') ?? DEFAULT_WEIGHTS),
    effort, keep: argv.includes('--keep'),
    log: (s) => process.stderr.write(s + '\n'),
  });
  process.stdout.write((json ? JSON.stringify(result, null, 2) : formatTable(result)) + '\n');
}

runIfEntry(import.meta.url, main);
