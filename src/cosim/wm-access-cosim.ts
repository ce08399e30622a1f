/**
 * `hwsim cosim wm --access sequential|random`: the query unit's random-access port
 * (rtl-templates/wm/wm_access_port.v) under Verilator against the reference (WaveletMatrix.access:
 * every symbol) and the random-access cycle model (wmAccessCycles: the cycles, cache hits and
 * misses of every access, and their totals), with random valid/ready on both sides. Positions
 * outside the sequence are mixed in: the port must answer them with rsp_error_o exactly where the
 * reference refuses. A run that compared nothing is a failure.
 */
import { join } from 'node:path';
import { check, HwsimError } from '../errors.js';
import { REFUSED_ACCESS_CYCLES, wmAccessCycles } from '../chip/wm-access.js';
import { huffmanMatrix, plainMatrix, type WaveletMatrix } from '../codecs/wm/matrix.js';
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

export type AccessOrder = 'sequential' | 'random';
export const ACCESS_ORDERS: readonly AccessOrder[] = ['sequential', 'random'];
export type MatrixShape = 'plain' | 'huffman';

/** One sequence the port is loaded with: its matrix (plain or Huffman-shaped) and the payload words. */
export interface AccessLayer {
  name: string;
  shape: MatrixShape;
  wm: WaveletMatrix;
}

export interface WmAccessCosimOptions {
  params: Partial<WmEngineParams>;
  layers: AccessLayer[];
  order: AccessOrder;
  seed: number;
  stallRate: number;
  /** random order: positions per layer (default: the sequence's length, at most 20000); sequential: the first this many */
  accesses?: number;
  /** after every this many positions, one outside the sequence (default 50; 0: none) */
  refuseEvery?: number;
  buildRoot?: string;
  /** a deliberate RTL bug (mutation tests only): the run must then FAIL */
  mutation?: RtlMutation;
  /** tests only: skip the fit check, so that the port's own config check (cfg_error_o) must refuse */
  unchecked?: boolean;
}

export interface AccessFigures { accesses: number; refused: number; cycles: number; hits: number; misses: number }

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

/** Config writes of a matrix (the config map of wm_access_port.v, the unit's), the go write last. */
export function accessConfigWrites(wm: WaveletMatrix): [number, number][] {
  const tree = codeTree(wm.code);
  const out: [number, number][] = [[0x000, wm.length], [0x002, wm.levels.length], [0x004, Math.max(0, wm.single)]];
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
      const bins = l % 4 === 3 ? 1 : rng.int(1, (maxBins - 1) >> 1) * 2 + 1;
      sets.push({ name: `Laplace ${l} (${bins} bins)`, symbols: laplaceSymbols(n, bins, 0.3 + 2 * rng.unit(), rng), bins });
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
  if (!o.unchecked) for (const c of o.layers) checkAccessLayerFits(p, c);
  const build = await buildWmAccessHarness(p, o.buildRoot, o.mutation);
  const rng = new Rng(o.seed ^ 0x5eed);
  const refuseEvery = o.refuseEvery ?? 50;
  const positions = o.layers.map((c) => {
    const n = c.wm.length;
    const count = o.order === 'sequential' ? Math.min(n, o.accesses ?? n) : (o.accesses ?? Math.min(n, 20000));
    return accessPositions(n, o.order, count, refuseEvery, rng);
  });

  // stimulus: layers; per layer stall state, threshold, cycle limit, config, payload, positions
  const lines: number[] = [o.layers.length];
  o.layers.forEach((c, i) => {
    const pattern = new StallPattern(layerStallSeed(o.seed, i), o.stallRate);
    lines.push(pattern.state, pattern.threshold, 64 * positions[i].length * (c.wm.levels.length + 2) + 100_000);
    const cfg = accessConfigWrites(c.wm);
    lines.push(cfg.length);
    for (const [a, d] of cfg) lines.push(a, d);
    const words = matrixPayload(c.wm);
    lines.push(words.length);
    for (const w of words) lines.push(w);
    lines.push(positions[i].length);
    for (const x of positions[i]) lines.push(x);
  });
  const { text, seconds: rtlSeconds } = runHarness(build, lines, 'wm-access');

  // per layer its responses ("a symbol error hits misses cycles"), then its summary line
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
  const zero = (): AccessFigures => ({ accesses: 0, refused: 0, cycles: 0, hits: 0, misses: 0 });
  const rtlTotal = { ...zero(), run: 0 };
  const modelTotal = zero();
  const out: WmAccessLayerResult[] = [];
  o.layers.forEach((c, i) => {
    const [responses, run, cfgError, violations] = rtlLayers[i].sum;
    const tag = `${c.name} (${c.shape})`;
    protocolViolations += violations;
    if (violations) miss(`${tag}: ${violations} protocol violations (a response changed before its transfer, or came with no request)`);
    if (cfgError) miss(`${tag}: the port refused the config (cfg_error_o)`);
    const pos = positions[i];
    if (responses !== pos.length) miss(`${tag}: the port answered ${responses} of ${pos.length} positions`);
    const inRange = pos.filter((x) => !refuses(c.wm, x));
    const t0 = performance.now();
    const m = wmAccessCycles(c.wm, inRange, p.wmRankCache);
    modelSeconds += (performance.now() - t0) / 1000;
    const refused = pos.length - inRange.length;
    const model: AccessFigures = { accesses: pos.length, refused, cycles: m.cycles + REFUSED_ACCESS_CYCLES * refused, hits: m.hits, misses: m.misses };
    const rtl = { ...zero(), run };
    // the streaming decoder's sequence: a second reference for the symbols of a sequential run
    const scan = o.order === 'sequential' && c.wm.length > 0 ? scanAll(c.wm.length, codeTree(c.wm.code), c.wm.levels, c.wm.zeros, Math.max(0, c.wm.single)) : null;
    let k = 0;
    rtlLayers[i].a.forEach(([sym, err, hits, misses, cycles], j) => {
      const x = pos[j];
      rtl.accesses++;
      rtl.cycles += cycles;
      rtl.hits += hits;
      rtl.misses += misses;
      accessesCompared++;
      if (refuses(c.wm, x)) {
        rtl.refused++;
        if (!err) miss(`${tag}: position ${x} is outside the sequence of ${c.wm.length} but the port answered ${sym} without rsp_error_o`);
        else if (cycles !== REFUSED_ACCESS_CYCLES || hits || misses) miss(`${tag}: refusing position ${x} took ${cycles} cycles, ${hits} hits, ${misses} misses (the model: ${REFUSED_ACCESS_CYCLES}, none)`);
        return;
      }
      const ref = c.wm.access(x);
      if (err) miss(`${tag}: position ${x}: rsp_error_o, the reference answers ${ref}`);
      else if (sym !== ref) miss(`${tag}: position ${x} is ${sym}, the reference answers ${ref}`);
      else if (scan && sym !== scan[x]) miss(`${tag}: position ${x} is ${sym}, the streaming decoder gives ${scan[x]}`);
      else if (m.symbols[k] !== ref) miss(`${tag}: position ${x}: the cycle model answers ${m.symbols[k]}, the reference ${ref}`);
      else if (cycles !== m.accessCycles[k] || hits !== m.accessHits[k] || misses !== m.accessMisses[k]) {
        miss(`${tag}: access ${j} (position ${x}) took ${cycles} cycles, ${hits} hits, ${misses} misses; the model ${m.accessCycles[k]}, ${m.accessHits[k]}, ${m.accessMisses[k]}`);
      }
      k++;
    });
    if (rtl.cycles !== model.cycles || rtl.hits !== model.hits || rtl.misses !== model.misses) {
      miss(`${tag}: totals RTL ${rtl.cycles} cycles ${rtl.hits} hits ${rtl.misses} misses, model ${model.cycles} ${model.hits} ${model.misses}`);
    }
    if (o.stallRate === 0 && run !== model.cycles) miss(`${tag}: with no stalls the run took ${run} cycles from the first request to the last response, the model's accesses ${model.cycles}`);
    for (const key of ['accesses', 'refused', 'cycles', 'hits', 'misses'] as const) { rtlTotal[key] += rtl[key]; modelTotal[key] += model[key]; }
    rtlTotal.run += run;
    out.push({ name: c.name, shape: c.shape, length: c.wm.length, levels: c.wm.levels.length, rtl, model });
  });
  const pass = mismatches === 0 && accessesCompared > 0 && rtlTotal.cycles > 0;
  return {
    pass, config: p, order: o.order, build, layers: out, accessesCompared, rtl: rtlTotal, model: modelTotal,
    mismatches, firstMismatch, protocolViolations, rtlSeconds, modelSeconds,
  };
}
