/**
 * `hwsim cosim wm --access sequential|random [--rows]`: the query unit's random-access port
 * (rtl-templates/wm/wm_access_port.v) under Verilator against the reference (WaveletMatrix.access:
 * every symbol) and the random-access cycle model (wmAccessCycles: the cycles, cache hits and
 * misses of every access, and their totals), with random valid/ready on both sides. Positions
 * outside the sequence are mixed in: the port must answer them with rsp_error_o exactly where the
 * reference refuses. With rows, element-wise layers get row requests (r, j): the row start against
 * RowAccess.rowStart (select on the delimiter), the symbol against RowAccess.weight, the weights
 * encoded and RowAccess.row (the row decoded), the cycles against wmRowAccessCycles, refusals
 * against RowAccess.weight's, and the walk to the delimiter's leaf at go against
 * wmDelimiterWalkCycles. A run that compared nothing is a failure.
 */
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { REFUSED_ACCESS_CYCLES, rowHeaderOf, wmAccessCycles, wmRowAccessCycles, type RowRequest } from '../chip/wm-access.js';
import { wmDelimiterWalkCycles, wmSelectCycles } from '../chip/wm-source.js';
import { huffmanMatrix, plainMatrix, type WaveletMatrix } from '../codecs/wm/matrix.js';
import { delimiterOf, elementSequence, RowAccess } from '../codecs/wm/ras.js';
import { codeTree, NO_CHILD, scanAll } from '../codecs/wm/nodes.js';
import { wmCodec, layerMatrix } from '../codecs/wm/index.js';
import { quantize } from '../codecs/quant/index.js';
import type { Model } from '../models/types.js';
import { resolveWmEngineParams } from '../params/groups.js';
import type { WmEngineParams } from '../params/generated-types.js';
import { packageRoot } from '../package-root.js';
import { generateWmRtl, WM_ACCESS_FILE, WM_ACCESS_TOP, wmConfigName } from '../rtl/wm-rtl.js';
import { StallPattern } from './stall.js';
import { Rng } from './tans-vectors.js';
import { buildHarness, runHarness, type HarnessBuild, type RtlMutation } from './verilator.js';
import { narrowBins } from './wm-vectors.js';

export type AccessOrder = 'sequential' | 'random';
export const ACCESS_ORDERS: readonly AccessOrder[] = ['sequential', 'random'];
export type MatrixShape = 'plain' | 'huffman';

/** One sequence the port is loaded with: its matrix (plain or Huffman-shaped) and the payload words. */
export interface AccessLayer {
  name: string;
  shape: MatrixShape;
  wm: WaveletMatrix;
  /** an element-wise layer (rows, a delimiter after each): its reference row access and the bins encoded */
  rows?: { access: RowAccess; weights: Uint8Array };
}

export interface WmAccessCosimOptions {
  params: Partial<WmEngineParams>;
  layers: AccessLayer[];
  order: AccessOrder;
  seed: number;
  stallRate: number;
  /** random order: positions per layer (default: the sequence's length, at most 20000); sequential: the first this many */
  accesses?: number;
  /** row requests (r, j) instead of positions: every layer must be element-wise (AccessLayer.rows) */
  rows?: boolean;
  /** after every this many positions, one outside the sequence (default 50; 0: none) */
  refuseEvery?: number;
  buildRoot?: string;
  /** a deliberate RTL bug (mutation tests only): the run must then FAIL */
  mutation?: RtlMutation;
  /** tests only: skip the fit check, so that the port's own config check (cfg_error_o) must refuse */
  unchecked?: boolean;
}

export interface AccessFigures {
  accesses: number; refused: number; cycles: number; hits: number; misses: number;
  /** row requests: selects taken, and their cycles (part of `cycles`); the walk to the delimiter's leaf at go */
  selects: number; selectCycles: number; walk: number;
}

export interface WmAccessLayerResult {
  name: string;
  shape: MatrixShape;
  length: number;
  levels: number;
  rtl: AccessFigures & { run: number };
  model: AccessFigures;
}

export interface WmAccessCosimResult {
  pass: boolean;
  config: WmEngineParams;
  order: AccessOrder;
  rows: boolean;
  build: HarnessBuild;
  layers: WmAccessLayerResult[];
  /** responses whose symbol (or refusal), cycles, hits and misses were compared */
  accessesCompared: number;
  /** sums over the layers, RTL and model (a refused position: REFUSED_ACCESS_CYCLES in the model) */
  rtl: AccessFigures & { run: number };
  model: AccessFigures;
  mismatches: number;
  firstMismatch?: string;
  protocolViolations: number;
  rtlSeconds: number;
  modelSeconds: number;
}

/** Nodes of the code tree the port holds a table entry (and, per node, a cache slot) for. */
const portNodes = (p: WmEngineParams) => 2 ** p.symbolBits - 1;

/** The payload as the container stores it (docs/FORMAT.md §4 codec 3): per level its bitmap, then its directory. */
export function matrixPayload(wm: WaveletMatrix): Uint32Array {
  const words = new Uint32Array(wm.levels.reduce((a, bv) => a + bv.words.length + bv.dir.length, 0));
  let at = 0;
  for (const bv of wm.levels) {
    words.set(bv.words, at);
    words.set(bv.dir, at + bv.words.length);
    at += bv.words.length + bv.dir.length;
  }
  return words;
}

/**
 * Config writes of a matrix (the config map of wm_access_port.v, the unit's), the go write last;
 * an element-wise layer's row length, rows and the delimiter's code too (zeros otherwise).
 */
export function accessConfigWrites(wm: WaveletMatrix, rows?: RowAccess): [number, number][] {
  const tree = codeTree(wm.code);
  const out: [number, number][] = [[0x000, wm.length], [0x002, wm.levels.length], [0x004, Math.max(0, wm.single)]];
  const d = rows ? delimiterOf(rows.header.quant.bins) : -1;
  const dlen = d >= 0 ? wm.code.lengths[d] ?? 0 : 0;
  out.push([0x007, rows?.rowLength ?? 0], [0x008, rows?.rows ?? 0], [0x009, dlen ? (dlen << 24 | wm.code.codes[d]) >>> 0 : 0]);
  wm.levels.forEach((bv, l) => out.push([0x100 + l, bv.length], [0x200 + l, wm.zeros[l]]));
  const child = (c: number) => (c >= 0 ? c : c === NO_CHILD ? 1 << 8 : (1 << 9) | (-1 - c));
  for (let v = 0; v < tree.level.length; v++) {
    out.push([0x400 + v, (tree.level[v] << 20) | (child(tree.child1[v]) << 10) | child(tree.child0[v])]);
  }
  out.push([0x005, 0]);
  return out;
}

/** Refuses a matrix the port's parameters cannot take, naming the flag that would. */
export function checkAccessLayerFits(p: WmEngineParams, c: AccessLayer): void {
  const sigma = c.wm.code.lengths.length;
  check(sigma <= 2 ** p.symbolBits, `${c.name}: ${sigma} symbols need more than --symbol-bits ${p.symbolBits}`,
    `raise --symbol-bits to ${Math.ceil(Math.log2(sigma))}, or use fewer --bins`);
  check(codeTree(c.wm.code).level.length <= portNodes(p), `internal: ${c.name} has more internal nodes than ${portNodes(p)}`);
  check(c.wm.levels.length <= p.wmLevels, `${c.name}: its longest code has ${c.wm.levels.length} bits, more than --levels ${p.wmLevels}`,
    `raise --levels to ${c.wm.levels.length}`);
  const words = matrixPayload(c.wm).length;
  check(words <= p.wmBufferWords, `${c.name}: its payload is ${words} words, more than --buffer-words ${p.wmBufferWords}`,
    `raise --buffer-words to ${2 ** Math.ceil(Math.log2(Math.max(64, words)))}, or lower --symbols / --max-weights`);
}

/** Seeded Laplace-distributed bins (inverse transform), `bins` odd, centred. */
function laplaceSymbols(n: number, bins: number, scale: number, rng: Rng): Uint8Array {
  const half = (bins - 1) >> 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.unit() - 0.5;
    const x = -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
    out[i] = Math.max(0, Math.min(bins - 1, half + Math.round(x)));
  }
  return out;
}

export interface AccessLayerSource {
  seed: number;
  shapes: readonly MatrixShape[];
  /** synthetic: layers and their mean length */
  layers?: number;
  weightsPerLayer?: number;
  /** or the first `layers` of a model, quantized at `bins`, through the encoder (Huffman) or plainMatrix */
  model?: Model;
  bins?: number;
  maxWeightsPerLayer?: number;
}

/** The sequences a run loads: synthetic Laplace layers, or a model's layers; each as every shape asked. */
export function accessLayers(p: WmEngineParams, o: AccessLayerSource): AccessLayer[] {
  const rng = new Rng(o.seed);
  const maxBins = Math.min(31, portNodes(p)) | 1;
  const sets: { name: string; symbols: Uint8Array; bins: number; encoded?: WaveletMatrix }[] = [];
  if (o.model) {
    const bins = o.bins ?? Math.min(15, maxBins);
    const maxW = o.maxWeightsPerLayer ?? 20000;
    for (const layer of o.model.layers.slice(0, o.layers ?? o.model.layers.length)) {
      const q = quantize(layer.weights.subarray(0, Math.min(layer.weights.length, maxW)), bins);
      // the Huffman-shaped matrix as the container holds it: through the encoder, read back
      const encoded = layerMatrix(wmCodec.encode(q.symbols, { shape: [q.symbols.length], quant: { bins, step: q.params.step } },
        { states: 64, streams: 1, split: 'channel', effort: 'fast', wmForm: 'block' }));
      sets.push({ name: `layer ${layer.spec.name}`, symbols: q.symbols, bins, encoded });
    }
  } else {
    const mean = o.weightsPerLayer ?? 3000;
    for (let l = 0; l < (o.layers ?? 4); l++) {
      const n = Math.max(1, Math.round(mean * (0.5 + rng.unit())));
      // every fourth layer a degenerate one: a single symbol (zero levels)
      let bins = l % 4 === 3 ? 1 : rng.int(1, (maxBins - 1) >> 1) * 2 + 1;
      let symbols = laplaceSymbols(n, bins, 0.3 + 2 * rng.unit(), rng);
      let encoded = huffmanMatrix(symbols, bins);
      // a layer deeper than the port's levels loses its outer bins until it fits
      while (bins > 3 && encoded.levels.length > p.wmLevels) {
        symbols = narrowBins(symbols, bins, bins - 2);
        bins -= 2;
        encoded = huffmanMatrix(symbols, bins);
      }
      sets.push({ name: `Laplace ${l} (${bins} bins)`, symbols, bins, encoded });
    }
  }
  const out: AccessLayer[] = [];
  for (const s of sets) {
    for (const shape of o.shapes) {
      const wm = shape === 'plain' ? plainMatrix(s.symbols, s.bins) : s.encoded ?? huffmanMatrix(s.symbols, s.bins);
      out.push({ name: s.name, shape, wm });
    }
  }
  return out;
}

/**
 * Element-wise layers for row requests: synthetic Laplace layers of rows (some of many short rows,
 * some of few long ones), or a model's fully connected layers (all its layers when it has none),
 * each cut to the whole rows within `maxWeightsPerLayer`. Huffman-shaped through the encoder
 * (wmCodec, RAS element-wise, read back from its payload), plain as plainMatrix over the same
 * sequence (elementSequence).
 */
export function rowLayers(p: WmEngineParams, o: AccessLayerSource): AccessLayer[] {
  const rng = new Rng(o.seed ^ 0x0e1e);
  // bins + 1 symbols (the delimiter) within the port's alphabet and node table
  const maxBins = Math.min(31, 2 ** p.symbolBits - 1, portNodes(p)) - 1 | 1;
  const sets: { name: string; weights: Uint8Array; shape: [number, number]; bins: number; step: number }[] = [];
  if (o.model) {
    const bins = o.bins ?? Math.min(15, maxBins);
    const maxW = o.maxWeightsPerLayer ?? 20000;
    const fc = o.model.layers.filter((l) => l.spec.kind === 'fc');
    for (const layer of (fc.length ? fc : o.model.layers).slice(0, o.layers ?? o.model.layers.length)) {
      const rowLength = layer.spec.weightShape.slice(1).reduce((a, b) => a * b, 1);
      const rows = Math.max(1, Math.min(layer.spec.weightShape[0], Math.floor(maxW / rowLength)));
      const q = quantize(layer.weights.subarray(0, rows * rowLength), bins);
      sets.push({ name: `layer ${layer.spec.name}${rows < layer.spec.weightShape[0] ? ` (rows 0..${rows - 1})` : ''}`, weights: q.symbols, shape: [rows, rowLength], bins, step: q.params.step });
    }
  } else {
    const mean = o.weightsPerLayer ?? 3000;
    for (let l = 0; l < (o.layers ?? 4); l++) {
      const n = Math.max(2, Math.round(mean * (0.5 + rng.unit())));
      // every third layer many short rows (a frequent delimiter: a short code), the others few long rows
      const rowLength = l % 3 === 2 ? rng.int(1, 4) : rng.int(20, Math.max(20, n >> 3));
      const rows = Math.max(1, Math.floor(n / rowLength));
      let bins = rng.int(1, (maxBins - 1) >> 1) * 2 + 1;
      let weights = laplaceSymbols(rows * rowLength, bins, 0.3 + 2 * rng.unit(), rng);
      // a layer deeper than the port's levels (its Huffman shape, the delimiter included) loses outer bins until it fits
      const depth = (b: number) => layerMatrix(wmCodec.encode(weights, { shape: [rows, rowLength], quant: { bins: b, step: 1 } },
        { states: 64, streams: 1, split: 'channel', effort: 'fast', wmForm: 'element' })).levels.length;
      while (bins > 3 && depth(bins) > p.wmLevels) {
        weights = narrowBins(weights, bins, bins - 2);
        bins -= 2;
      }
      sets.push({ name: `Laplace ${l} (${rows}x${rowLength}, ${bins} bins)`, weights, shape: [rows, rowLength], bins, step: 1 });
    }
  }
  const out: AccessLayer[] = [];
  for (const set of sets) {
    const quant = { bins: set.bins, step: set.step };
    for (const shape of o.shapes) {
      const layer = wmCodec.encode(set.weights, { shape: set.shape, quant }, { states: 64, streams: 1, split: 'channel', effort: 'fast', wmForm: 'element' });
      const header = { form: 'element' as const, gapSymbols: 0, quant, shape: set.shape };
      const wm = shape === 'huffman' ? layerMatrix(layer) : plainMatrix(elementSequence(set.weights, set.shape, set.bins), set.bins + 1);
      out.push({ name: set.name, shape, wm, rows: { access: new RowAccess(wm, shape === 'huffman' ? layer : header, set.name), weights: set.weights } });
    }
  }
  return out;
}

export async function buildWmAccessHarness(p: WmEngineParams, root = join(packageRoot(), 'build', 'cosim'), mutation?: RtlMutation): Promise<HarnessBuild> {
  return buildHarness({
    name: `access_${wmConfigName(p)}`, top: WM_ACCESS_TOP, rtl: generateWmRtl(p).filter((f) => f.name === WM_ACCESS_FILE),
    harness: 'cosim/wm_access_harness.cpp', command: 'hwsim cosim wm --access', binary: 'Vwm_access_cosim', flags: ['-CFLAGS', '-O1'],
  }, root, mutation);
}

/** the stall pattern of layer i: its own seed, so one layer's cycles cannot shift the next one's draws */
const layerStallSeed = (seed: number, i: number) => (seed + Math.imul(0x9e3779b1, i + 1)) >>> 0;

/** The positions asked of a layer, in order; every `refuseEvery`-th followed by one outside the sequence. */
export function accessPositions(n: number, order: AccessOrder, count: number, refuseEvery: number, rng: Rng): number[] {
  const out: number[] = [];
  for (let k = 0; k < count; k++) {
    out.push(order === 'sequential' ? k : n > 0 ? rng.u32() % n : 0);
    if (refuseEvery > 0 && (k + 1) % refuseEvery === 0) out.push(k % 3 === 0 ? 0xffffffff : n + rng.int(0, 2048));
  }
  if (n === 0) out.push(0); // an empty sequence: every position is refused
  return out;
}

/**
 * The row requests asked of a layer: sequential, rows in order and each row's elements in order;
 * random, a random row and element each. After every `refuseEvery`-th, one RowAccess.weight refuses:
 * a row past the last delimiter or an element past the row, in turn.
 */
export function rowRequests(rows: number, rowLength: number, order: AccessOrder, count: number, refuseEvery: number, rng: Rng): RowRequest[] {
  const out: RowRequest[] = [];
  const any = (m: number) => (m > 0 ? rng.u32() % m : 0);
  for (let k = 0; k < count; k++) {
    out.push(order === 'sequential' ? { row: Math.floor(k / rowLength), element: k % rowLength } : { row: any(rows), element: any(rowLength) });
    if (refuseEvery > 0 && (k + 1) % refuseEvery === 0) {
      const kind = ((k + 1) / refuseEvery) % 4;
      out.push(kind === 0 ? { row: rows + rng.int(0, 64), element: any(rowLength) } : kind === 1 ? { row: 0xffffffff, element: 0 }
        : kind === 2 ? { row: any(rows), element: rowLength + rng.int(0, 64) } : { row: any(rows), element: 0xffffffff });
    }
  }
  return out;
}

/** Whether the reference refuses row request (r, j): RowAccess.weight throws a HwsimError. */
export function rowRefuses(rows: RowAccess, q: RowRequest): boolean {
  try {
    rows.weight(q.row, q.element);
    return false;
  } catch (err) {
    if (err instanceof HwsimError) return true;
    throw err;
  }
}

const refuses = (wm: WaveletMatrix, pos: number): boolean => {
  try {
    wm.access(pos);
    return false;
  } catch (err) {
    if (err instanceof HwsimError) return true;
    throw err;
  }
};

export async function runWmAccessCosim(o: WmAccessCosimOptions): Promise<WmAccessCosimResult> {
  const p = resolveWmEngineParams(o.params, 'cosim');
  check(Number.isFinite(o.stallRate) && o.stallRate >= 0 && o.stallRate < 1, `--stall-rate ${o.stallRate} is not in [0, 1)`, 'e.g. --stall-rate 0.2');
  check(o.layers.length >= 1, 'there are no layers to co-simulate', 'give a model with weight layers, or --layers 1 or more');
  check(o.accesses === undefined || (Number.isInteger(o.accesses) && o.accesses >= 1), `--accesses ${o.accesses} is not a positive integer`, 'e.g. --accesses 5000');
  const rowMode = o.rows === true;
  for (const c of o.layers) check(!rowMode || c.rows !== undefined, `internal: ${c.name} is not element-wise but row requests were asked`);
  if (!o.unchecked) for (const c of o.layers) checkAccessLayerFits(p, c);
  const build = await buildWmAccessHarness(p, o.buildRoot, o.mutation);
  const rng = new Rng(o.seed ^ 0x5eed);
  const refuseEvery = o.refuseEvery ?? 50;
  // per layer its requests: positions, or (row mode) row requests
  const requests: { pos: number[]; rows: RowRequest[] }[] = o.layers.map((c) => {
    const n = c.wm.length;
    if (rowMode) {
      const { rows, rowLength } = c.rows!.access;
      const weights = rows * rowLength;
      const count = o.order === 'sequential' ? Math.min(weights, o.accesses ?? weights) : (o.accesses ?? Math.min(weights, 20000));
      return { pos: [], rows: rowRequests(rows, rowLength, o.order, Math.max(1, count), refuseEvery, rng) };
    }
    const count = o.order === 'sequential' ? Math.min(n, o.accesses ?? n) : (o.accesses ?? Math.min(n, 20000));
    return { pos: accessPositions(n, o.order, count, refuseEvery, rng), rows: [] };
  });
  const asked = (i: number) => (rowMode ? requests[i].rows.length : requests[i].pos.length);

  // stimulus: layers; per layer stall state, threshold, cycle limit, config, payload, request kind, requests
  const lines: number[] = [o.layers.length];
  o.layers.forEach((c, i) => {
    const pattern = new StallPattern(layerStallSeed(o.seed, i), o.stallRate);
    const select = c.rows ? wmSelectCycles(rowHeaderOf(c.wm, c.rows.access)) : 0;
    lines.push(pattern.state, pattern.threshold, 64 * asked(i) * (c.wm.levels.length + 2 + select) + 100_000);
    const cfg = accessConfigWrites(c.wm, c.rows?.access);
    lines.push(cfg.length);
    for (const [a, d] of cfg) lines.push(a, d);
    const words = matrixPayload(c.wm);
    lines.push(words.length);
    for (const w of words) lines.push(w);
    lines.push(rowMode ? 1 : 0, asked(i));
    if (rowMode) for (const q of requests[i].rows) lines.push(q.row, q.element);
    else for (const x of requests[i].pos) lines.push(x);
  });
  const { text, seconds: rtlSeconds } = runHarness(build, lines, 'wm-access');

  // per layer its responses ("a symbol error hits misses cycles start select"), then its summary line
  const rtlLayers: { sum: number[]; a: number[][] }[] = [];
  let cur: number[][] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('a ')) cur.push(line.slice(2).split(' ').map(Number));
    else if (line.startsWith('l ')) { rtlLayers.push({ sum: line.slice(2).split(' ').map(Number), a: cur }); cur = []; }
  }
  check(rtlLayers.length === o.layers.length, `the harness reported ${rtlLayers.length} of ${o.layers.length} layers`, `the build is in ${build.dir}`);

  let mismatches = 0;
  let firstMismatch: string | undefined;
  const miss = (what: string) => { mismatches++; firstMismatch ??= what; };
  let accessesCompared = 0;
  let protocolViolations = 0;
  let modelSeconds = 0;
  const zero = (): AccessFigures => ({ accesses: 0, refused: 0, cycles: 0, hits: 0, misses: 0, selects: 0, selectCycles: 0, walk: 0 });
  const rtlTotal = { ...zero(), run: 0 };
  const modelTotal = zero();
  const out: WmAccessLayerResult[] = [];
  o.layers.forEach((c, i) => {
    const [responses, run, cfgError, violations, walk] = rtlLayers[i].sum;
    const tag = `${c.name} (${c.shape})`;
    protocolViolations += violations;
    if (violations) miss(`${tag}: ${violations} protocol violations (a response changed before its transfer, or came with no request)`);
    if (cfgError) miss(`${tag}: the port refused the config (cfg_error_o)`);
    if (responses !== asked(i)) miss(`${tag}: the port answered ${responses} of ${asked(i)} ${rowMode ? 'row requests' : 'positions'}`);
    // the model: the accepted requests in order (a refused one takes REFUSED_ACCESS_CYCLES and touches nothing)
    const rows = c.rows?.access;
    const refused = rowMode ? requests[i].rows.map((q) => rowRefuses(rows!, q)) : requests[i].pos.map((x) => refuses(c.wm, x));
    const t0 = performance.now();
    const m = rowMode
      ? wmRowAccessCycles(rows!, requests[i].rows.filter((_, k) => !refused[k]), p.wmRankCache)
      : { ...wmAccessCycles(c.wm, requests[i].pos.filter((_, k) => !refused[k]), p.wmRankCache), starts: null, selectCycles: null };
    modelSeconds += (performance.now() - t0) / 1000;
    const nRefused = refused.filter(Boolean).length;
    const modelWalk = rows ? wmDelimiterWalkCycles(rowHeaderOf(c.wm, rows)) : 0;
    const selectTotal = m.selectCycles ? m.selectCycles.reduce((a, b) => a + b, 0) : 0;
    const model: AccessFigures = {
      accesses: asked(i), refused: nRefused, cycles: m.cycles + REFUSED_ACCESS_CYCLES * nRefused, hits: m.hits, misses: m.misses,
      selects: m.selectCycles ? m.selectCycles.filter((x) => x > 0).length : 0, selectCycles: selectTotal, walk: modelWalk,
    };
    const rtl = { ...zero(), run, walk };
    if (!cfgError && walk !== modelWalk) miss(`${tag}: the walk to the delimiter's leaf took ${walk} cycles after go, the model ${modelWalk}`);
    // the streaming decoder's sequence: a second reference for the symbols of a sequential run
    const scan = !rowMode && o.order === 'sequential' && c.wm.length > 0 ? scanAll(c.wm.length, codeTree(c.wm.code), c.wm.levels, c.wm.zeros, Math.max(0, c.wm.single)) : null;
    const decodedRows = new Map<number, Uint8Array>();
    let k = 0;
    rtlLayers[i].a.forEach(([sym, err, hits, misses, cycles, start, select], j) => {
      const what = rowMode ? `row ${requests[i].rows[j].row} element ${requests[i].rows[j].element}` : `position ${requests[i].pos[j]}`;
      rtl.accesses++;
      rtl.cycles += cycles;
      rtl.hits += hits;
      rtl.misses += misses;
      accessesCompared++;
      if (refused[j]) {
        rtl.refused++;
        if (!err) miss(`${tag}: ${what}: the reference refuses it${rowMode ? ' (RowAccess.weight)' : ` (outside the sequence of ${c.wm.length})`} but the port answered ${sym} without rsp_error_o`);
        else if (cycles !== REFUSED_ACCESS_CYCLES || hits || misses) miss(`${tag}: refusing ${what} took ${cycles} cycles, ${hits} hits, ${misses} misses (the model: ${REFUSED_ACCESS_CYCLES}, none)`);
        return;
      }
      let ref: number;
      if (rowMode) {
        const q = requests[i].rows[j];
        ref = rows!.weight(q.row, q.element);
        if (!decodedRows.has(q.row)) decodedRows.set(q.row, rows!.row(q.row));
        const given = c.rows!.weights[q.row * rows!.rowLength + q.element];
        if (err) miss(`${tag}: ${what}: rsp_error_o, the reference answers ${ref}`);
        else if (start !== m.starts![k]) miss(`${tag}: ${what}: the port's select gives row start ${start}, the reference (RowAccess.rowStart) ${m.starts![k]}`);
        else if (sym !== ref) miss(`${tag}: ${what} is ${sym}, the reference answers ${ref}`);
        else if (sym !== given || sym !== decodedRows.get(q.row)![q.element]) miss(`${tag}: ${what} is ${sym}; the weight encoded is ${given}, the row decoded ${decodedRows.get(q.row)![q.element]}`);
        if (select > 0) { rtl.selects++; rtl.selectCycles += select; }
        if (select !== m.selectCycles![k]) miss(`${tag}: ${what}: the select took ${select} cycles, the model (wmRowSelectCycles) ${m.selectCycles![k]}`);
      } else {
        const x = requests[i].pos[j];
        ref = c.wm.access(x);
        if (err) miss(`${tag}: ${what}: rsp_error_o, the reference answers ${ref}`);
        else if (sym !== ref) miss(`${tag}: ${what} is ${sym}, the reference answers ${ref}`);
        else if (scan && sym !== scan[x]) miss(`${tag}: ${what} is ${sym}, the streaming decoder gives ${scan[x]}`);
      }
      if (m.symbols[k] !== ref) miss(`${tag}: ${what}: the cycle model answers ${m.symbols[k]}, the reference ${ref}`);
      else if (cycles !== m.accessCycles[k] || hits !== m.accessHits[k] || misses !== m.accessMisses[k]) {
        miss(`${tag}: request ${j} (${what}) took ${cycles} cycles, ${hits} hits, ${misses} misses; the model ${m.accessCycles[k]}, ${m.accessHits[k]}, ${m.accessMisses[k]}`);
      }
      k++;
    });
    if (rtl.selectCycles !== model.selectCycles) miss(`${tag}: select cycles RTL ${rtl.selectCycles}, model ${model.selectCycles}`);
    if (rtl.cycles !== model.cycles || rtl.hits !== model.hits || rtl.misses !== model.misses) {
      miss(`${tag}: totals RTL ${rtl.cycles} cycles ${rtl.hits} hits ${rtl.misses} misses, model ${model.cycles} ${model.hits} ${model.misses}`);
    }
    if (o.stallRate === 0 && run !== model.cycles) miss(`${tag}: with no stalls the run took ${run} cycles from the first request to the last response, the model's requests ${model.cycles}`);
    for (const key of ['accesses', 'refused', 'cycles', 'hits', 'misses', 'selects', 'selectCycles', 'walk'] as const) { rtlTotal[key] += rtl[key]; modelTotal[key] += model[key]; }
    rtlTotal.run += run;
    out.push({ name: c.name, shape: c.shape, length: c.wm.length, levels: c.wm.levels.length, rtl, model });
  });
  const pass = mismatches === 0 && accessesCompared > 0 && rtlTotal.cycles > 0;
  return {
    pass, config: p, order: o.order, rows: rowMode, build, layers: out, accessesCompared, rtl: rtlTotal, model: modelTotal,
    mismatches, firstMismatch, protocolViolations, rtlSeconds, modelSeconds,
  };
}
