/**
 * Co-simulation layers for the wavelet-matrix query unit: quantized weights (seeded Laplace ones,
 * or a model's layers) encoded by the reference encoder (wmCodec.encode, as `hwsim encode --codec
 * wm` does), the unit's config writes and payload words, and optionally a corruption that the
 * reference decoder may reject (then the RTL must raise error_o) or accept (then it must deliver
 * what the reference decodes).
 */
import { check, HwsimError } from '../errors.js';
import { params as paramCount, type WmLayer } from '../codecs/codec.js';
import { quantize } from '../codecs/quant/index.js';
import { buildDirectory, directoryWords } from '../codecs/wm/bitvector.js';
import { levelVectors, levelWordCounts, sequenceLength, wmCodec } from '../codecs/wm/index.js';
import { assignCodes, WaveletMatrix } from '../codecs/wm/matrix.js';
import { codeTree, NO_CHILD } from '../codecs/wm/nodes.js';
import { delimiterOf } from '../codecs/wm/ras.js';
import type { Model } from '../models/types.js';
import type { WmEngineParams } from '../params/generated-types.js';
import { wmNodes } from '../rtl/wm-rtl.js';
import { Rng } from './tans-vectors.js';

export type WmCorruption = 'bitmap' | 'directory' | 'padding' | 'zeros' | 'consistent';
export const WM_CORRUPTIONS: readonly WmCorruption[] = ['bitmap', 'directory', 'padding', 'zeros', 'consistent'];

export interface WmCosimLayer {
  name: string;
  /** the layer as the unit gets it (corrupted when `corruption` is set) */
  layer: WmLayer;
  /** what the reference decoder makes of `layer`: its symbols, or null when it rejects the layer */
  golden: Uint8Array | null;
  /** why the reference rejects it */
  refError?: string;
  corruption?: { kind: WmCorruption; level: number; bit: number };
}

/** The dense forms the unit streams: block-wise (the weights) and element-wise (rows, each with its delimiter). */
export type WmCosimForm = 'block' | 'element';
export const WM_COSIM_FORMS: readonly WmCosimForm[] = ['block', 'element'];

/**
 * Config writes of a layer (addresses of wm_query_unit.v's config port), the go write last. The
 * unit streams the layer's sequence: its weights, and element-wise a delimiter after each row.
 */
export function wmConfigWrites(p: WmEngineParams, layer: WmLayer): [number, number][] {
  const n = sequenceLength(layer);
  const tree = codeTree(assignCodes(layer.lengths));
  const delimiter = layer.form === 'element' ? (1 << 8) | delimiterOf(layer.quant.bins) : 0;
  const out: [number, number][] = [[0x000, n], [0x001, Math.ceil(n / p.wmLanes)], [0x002, layer.levelLengths.length],
    [0x003, tree.level.length], [0x004, Math.max(0, layer.only)], [0x006, delimiter]];
  if (layer.form === 'element') {
    // the row check: weights per row, and each lane's first symbol's place in its row
    const rowLength = paramCount(layer.shape) / layer.shape[0];
    const slice = Math.ceil(n / p.wmLanes);
    out.push([0x007, rowLength]);
    for (let k = 0; k < p.wmLanes; k++) out.push([0x300 + k, Math.min(n, k * slice) % (rowLength + 1)]);
  }
  layer.levelLengths.forEach((len, l) => out.push([0x100 + l, len], [0x200 + l, layer.levelZeros[l]]));
  const child = (c: number) => (c >= 0 ? c : c === NO_CHILD ? 1 << 8 : (1 << 9) | (-1 - c));
  for (let v = 0; v < tree.level.length; v++) {
    out.push([0x400 + v, (tree.level[v] << 20) | (child(tree.child1[v]) << 10) | child(tree.child0[v])]);
  }
  out.push([0x005, 0]);
  return out;
}

/** Refuses a layer the unit's parameters cannot take, naming the flag that would. */
export function checkLayerFits(p: WmEngineParams, c: WmCosimLayer): void {
  const { layer } = c;
  const bins = layer.quant.bins;
  check(layer.form === 'block' || layer.form === 'element', `${c.name}: the unit streams block-wise and element-wise layers, not ${layer.form}`,
    'encode it with --wm-form block or element');
  // element-wise: one more symbol, the delimiter
  const symbols = bins + (layer.form === 'element' ? 1 : 0);
  check(symbols <= wmNodes(p) + 1, `${c.name}: ${symbols} symbols (${bins} bins${symbols > bins ? ' and the delimiter' : ''}) need more than --symbol-bits ${p.symbolBits} (${wmNodes(p)} internal nodes at most)`,
    `use --bins ${wmNodes(p) - (symbols - bins)} or fewer, or a larger --symbol-bits`);
  check(layer.levelLengths.length <= p.wmLevels, `${c.name}: its longest code has ${layer.levelLengths.length} bits, more than --levels ${p.wmLevels}`,
    `raise --levels to ${layer.levelLengths.length}`);
  const words = layer.words.length;
  check(words <= p.wmBufferWords, `${c.name}: its payload is ${words} words, more than --buffer-words ${p.wmBufferWords}`,
    `raise --buffer-words to ${2 ** Math.ceil(Math.log2(Math.max(256, words)))}, or lower --max-weights / --symbols`);
}

/** Centred symbols of `bins` bins in `fewer` centred bins, the outer ones merged into the last kept. */
export function narrowBins(symbols: Uint8Array, bins: number, fewer: number): Uint8Array {
  const shift = (bins - fewer) >> 1;
  return symbols.map((v) => Math.max(0, Math.min(fewer - 1, v - shift)));
}

/**
 * `layer` with its symbols encoded by the reference encoder, block-wise (the sequence the unit
 * streams is then exactly the layer's weights) or element-wise (rows of shape[0], each followed by
 * a delimiter).
 */
function encodeWm(symbols: Uint8Array, bins: number, step: number, shape: number[], form: WmCosimForm): WmLayer {
  return wmCodec.encode(symbols, { shape, quant: { bins, step } }, { states: 64, streams: 1, split: 'channel', effort: 'fast', wmForm: form });
}

/**
 * Weight position of each lane's first symbol, lane k starting at sequence position k·slice: its
 * start less the delimiters before it (the reference matrix's rank of the delimiter); block-wise
 * the start itself.
 */
export function laneFirstWeights(p: WmEngineParams, layer: WmLayer): number[] {
  const n = sequenceLength(layer);
  const slice = Math.ceil(n / p.wmLanes);
  const starts = Array.from({ length: p.wmLanes }, (_, k) => Math.min(n, k * slice));
  if (layer.form !== 'element') return starts;
  const m = new WaveletMatrix(n, assignCodes(layer.lengths), levelVectors(layer));
  const D = delimiterOf(layer.quant.bins);
  return starts.map((s) => s - m.rank(D, s));
}

function withGolden(name: string, layer: WmLayer, corruption?: WmCosimLayer['corruption']): WmCosimLayer {
  try {
    return { name, layer, golden: wmCodec.decode(layer), corruption };
  } catch (err) {
    if (!(err instanceof HwsimError)) throw err;
    return { name, layer, golden: null, refError: err.message, corruption };
  }
}

/** A copy of `layer` corrupted the way `kind` says, at a random level and bit. */
export function corruptWmLayer(layer: WmLayer, kind: WmCorruption, rng: Rng): { layer: WmLayer; level: number; bit: number } {
  const depth = layer.levelLengths.length;
  check(depth > 0, 'a zero-level layer has no payload to corrupt');
  const words = layer.words.slice();
  const zeros = layer.levelZeros.slice();
  const counts = levelWordCounts(layer);
  const level = rng.int(0, depth - 1);
  let at = 0;
  for (let l = 0; l < level; l++) at += counts[l].bitmap + counts[l].directory;
  const n = layer.levelLengths[level];
  let bit = rng.int(0, n - 1);
  const flip = (b: number) => { words[at + (b >>> 5)] ^= 1 << (b & 31); };
  if (kind === 'bitmap') flip(bit);
  else if (kind === 'directory') {
    bit = rng.int(0, 32 * counts[level].directory - 1);
    words[at + counts[level].bitmap + (bit >>> 5)] ^= 1 << (bit & 31);
  } else if (kind === 'padding') {
    // a bit past the level's end in its last word (a bitmap bit when the level fills its last word)
    bit = n & 31 ? rng.int(n, 32 * counts[level].bitmap - 1) : bit;
    flip(bit);
  } else if (kind === 'zeros') {
    zeros[level] += zeros[level] > 0 ? -1 : 1;
  } else {
    // a bitmap bit flipped with the directory and zeros made to match: only the walk can tell
    flip(bit);
    const bitmap = words.subarray(at, at + counts[level].bitmap);
    words.set(buildDirectory(bitmap, n), at + counts[level].bitmap);
    zeros[level] += (bitmap[bit >>> 5] >>> (bit & 31)) & 1 ? -1 : 1;
    check(directoryWords(n) === counts[level].directory, 'internal: directory size');
  }
  return { layer: { ...layer, words, levelZeros: zeros }, level, bit };
}

export interface WmVectorOptions {
  seed: number;
  /** synthetic layers: how many, and their mean weight count */
  layers?: number;
  weightsPerLayer?: number;
  /** real layers instead: the first `layers` of the model, quantized at `bins` */
  model?: Model;
  bins?: number;
  maxWeightsPerLayer?: number;
  /** layer index → how to corrupt it */
  corrupt?: ReadonlyMap<number, WmCorruption>;
  /** how the layers are encoded (default block-wise) */
  form?: WmCosimForm;
}

export function wmCosimLayers(p: WmEngineParams, o: WmVectorOptions): WmCosimLayer[] {
  const rng = new Rng(o.seed);
  const form = o.form ?? 'block';
  // element-wise the delimiter is one more symbol
  const maxBins = Math.min(31, wmNodes(p) - (form === 'element' ? 1 : 0)) | 1;
  const plain: { name: string; layer: WmLayer }[] = [];
  if (o.model) {
    const bins = o.bins ?? Math.min(15, maxBins);
    const maxW = o.maxWeightsPerLayer ?? 65536;
    for (const layer of o.model.layers.slice(0, o.layers ?? o.model.layers.length)) {
      const shape = [...layer.spec.weightShape];
      const perOut = shape.slice(1).reduce((a, b) => a * b, 1);
      shape[0] = Math.max(1, Math.min(shape[0], Math.floor(maxW / perOut)));
      const q = quantize(layer.weights.subarray(0, shape[0] * perOut), bins);
      plain.push({ name: `layer ${layer.spec.name}`, layer: encodeWm(q.symbols, bins, q.params.step, shape, form) });
    }
  } else {
    const mean = o.weightsPerLayer ?? 2000;
    for (let l = 0; l < (o.layers ?? 4); l++) {
      const drawn = Math.max(1, Math.round(mean * (0.5 + rng.unit())));
      // element-wise: rows of 1 to 64 weights (a delimiter after each)
      const cols = form === 'element' ? rng.int(1, Math.min(64, drawn)) : drawn;
      const rows = Math.max(1, Math.floor(drawn / cols));
      const n = rows * cols;
      // every few layers a degenerate one: a single symbol (zero levels) or two (one level)
      const kind = l % 5;
      let bins = kind === 3 ? 3 : rng.int(1, (maxBins - 1) >> 1) * 2 + 1;
      const half = (bins - 1) >> 1;
      const scale = 0.3 + 2 * rng.unit();
      let symbols: Uint8Array = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const u = rng.unit() - 0.5;
        const x = -scale * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
        symbols[i] = kind === 4 ? half : Math.max(0, Math.min(bins - 1, half + Math.round(x)));
      }
      if (kind === 3) for (let i = 0; i < n; i++) symbols[i] = symbols[i] > half ? 2 : 1; // two symbols
      const shape = form === 'element' ? [rows, cols] : [n];
      let layer = encodeWm(symbols, bins, 1, shape, form);
      // a layer deeper than the unit's levels loses its outer bins until it fits
      while (layer.levelLengths.length > p.wmLevels && bins > 3) {
        symbols = narrowBins(symbols, bins, bins - 2);
        bins -= 2;
        layer = encodeWm(symbols, bins, 1, shape, form);
      }
      plain.push({ name: `synthetic layer ${l}`, layer });
    }
  }
  return plain.map(({ name, layer }, i) => {
    const kind = o.corrupt?.get(i);
    if (!kind || layer.levelLengths.length === 0) return withGolden(name, layer);
    const c = corruptWmLayer(layer, kind, rng);
    return withGolden(name, c.layer, { kind, level: c.level, bit: c.bit });
  });
}
