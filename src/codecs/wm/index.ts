/**
 * The wm codec (docs/FORMAT.md §4, codec 3; docs/WM.md): a layer's symbols as a Huffman-shaped
 * wavelet matrix, each level a bitmap with its rank directory, in a Runtime-Accessible Sequence
 * form the chip uses to schedule it (element-wise: reached weight by weight; block-wise: decoded
 * block by block into an on-chip buffer). The header keeps the code lengths (the codes follow from
 * them), the level lengths and zeros; the payload the levels' bitmap and directory words.
 */
import { HwsimError } from '../../errors.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import { params, type Codec, type LayerBase, type WmHeader, type WmLayer } from '../codec.js';
import { BitVector, bitmapWords, buildDirectory, directoryWords } from './bitvector.js';
import { assignCodes, huffmanLengths, MAX_CODE_LENGTH, WaveletMatrix } from './matrix.js';
import { codeTree, scanAll } from './nodes.js';
import { alphabetSize, elementSequence, gapSymbolsFor, maxGapSymbols, rowGeometry, tupleSequence, weightsOfSequence } from './ras.js';

export const WM_FORMS: readonly WmHeader['form'][] = ['element', 'block', 'tuples'];
/** block-wise layers' default block: 4096 weights (a 2 KiB buffer at 4 bits) */
export const DEFAULT_BLOCK_WEIGHTS = 4096;

const depthOf = (h: Pick<WmHeader, 'levelLengths'>) => h.levelLengths.length;

/** words of level l: its bitmap, then its directory */
export function levelWordCounts(h: Pick<WmHeader, 'levelLengths'>): { bitmap: number; directory: number }[] {
  return Array.from(h.levelLengths, (n) => ({ bitmap: bitmapWords(n), directory: directoryWords(n) }));
}

/** The level bit vectors over a layer's payload words, with the stored directories (checked). */
export function levelVectors(layer: WmLayer): BitVector[] {
  const out: BitVector[] = [];
  let at = 0;
  levelWordCounts(layer).forEach(({ bitmap, directory }, l) => {
    const n = layer.levelLengths[l];
    const words = layer.words.subarray(at, at + bitmap);
    const dir = layer.words.subarray(at + bitmap, at + bitmap + directory);
    at += bitmap + directory;
    if (n & 31 && words[bitmap - 1] >>> (n & 31)) throw new HwsimError(`wm level ${l}: padding bits past its ${n} bits are not zero`);
    const rebuilt = buildDirectory(words, n);
    const bad = rebuilt.findIndex((v, k) => v !== dir[k]);
    if (bad >= 0) throw new HwsimError(`wm level ${l}: rank directory word ${bad} is ${dir[bad]}, the bitmap gives ${rebuilt[bad]}`);
    const bv = new BitVector(words, n, dir);
    if (n - bv.ones !== layer.levelZeros[l]) throw new HwsimError(`wm level ${l}: the header says ${layer.levelZeros[l]} zeros, the bitmap has ${n - bv.ones}`);
    out.push(bv);
  });
  return out;
}

/** symbols in a layer's sequence: level 0's bits (the weights, with delimiters and tuples as its form says) */
export const sequenceLength = (h: Pick<WmHeader, 'levelLengths' | 'only' | 'shape' | 'form'>): number =>
  h.levelLengths.length ? h.levelLengths[0] : h.form === 'element' ? params(h.shape) + h.shape[0] : h.form === 'tuples' ? h.shape[0] : params(h.shape);

/** The matrix of a layer's sequence, for random access (checked as levelVectors). */
export function layerMatrix(layer: WmLayer): WaveletMatrix {
  const wm = new WaveletMatrix(sequenceLength(layer), assignCodes(layer.lengths), levelVectors(layer));
  if (depthOf(layer) === 0) wm.single = layer.only;
  return wm;
}

/**
 * The layer holding `seq` (the form's sequence, src/codecs/wm/ras.ts) as a Huffman-shaped matrix,
 * unchecked: the encoder verifies it by decoding; tests build malformed sequences with it.
 */
export function layerOfSequence(seq: Uint8Array, base: LayerBase, form: Pick<WmHeader, 'form' | 'gapSymbols' | 'blockWeights'>): WmLayer {
  const counts = new Float64Array(alphabetSize({ ...form, quant: base.quant }));
  for (const s of seq) counts[s]++;
  const lengths = huffmanLengths(counts);
  const wm = WaveletMatrix.build(seq, assignCodes(lengths));
  const words = new Uint32Array(wm.levels.reduce((a, bv) => a + bv.words.length + bv.dir.length, 0));
  let at = 0;
  for (const bv of wm.levels) {
    words.set(bv.words, at);
    words.set(bv.dir, at + bv.words.length);
    at += bv.words.length + bv.dir.length;
  }
  return {
    codec: 'wm', ...base, ...form, lengths,
    only: wm.levels.length === 0 ? wm.single : -1,
    levelLengths: Int32Array.from(wm.levels, (b) => b.length),
    levelZeros: Int32Array.from(wm.zeros),
    words,
  };
}

export const wmCodec: Codec<WmHeader, WmLayer> = {
  id: 'wm',
  tag: 3,

  encode(symbols, base, opts) {
    const bins = base.quant.bins;
    for (const s of symbols) if (s >= bins) throw new HwsimError(`symbol ${s} is outside the ${bins} bins`);
    const form = opts.wmForm ?? 'block';
    if (form === 'tuples' && maxGapSymbols(bins) < 2) {
      throw new HwsimError(`${bins} bins leave no room for distance symbols (tuples need bins ≤ 253)`, 'use fewer bins, or a dense form');
    }
    const gapSymbols = form === 'tuples' ? gapSymbolsFor(symbols, base.shape, bins) : 0;
    const seq = form === 'block' ? symbols : form === 'element' ? elementSequence(symbols, base.shape, bins) : tupleSequence(symbols, base.shape, bins, gapSymbols);
    const blockWeights = form === 'block' ? Math.min(opts.wmBlockWeights ?? DEFAULT_BLOCK_WEIGHTS, symbols.length) : 0;
    const layer = layerOfSequence(seq, base, { form, gapSymbols, blockWeights });
    // Encoding is only reported once the layer decodes back to exactly the same symbols.
    let decoded: Uint8Array;
    try {
      decoded = wmCodec.decode(layer);
    } catch (err) {
      throw new HwsimError(`internal: a wm layer failed its verify decode: ${(err as Error).message}`);
    }
    for (let i = 0; i < symbols.length; i++) {
      if (decoded[i] !== symbols[i]) throw new HwsimError(`internal: wm verify decode differs at weight ${i} (${decoded[i]} vs ${symbols[i]})`);
    }
    return layer;
  },

  writeHeader(h, w: ByteWriter) {
    w.u8(WM_FORMS.indexOf(h.form));
    if (h.form === 'block') w.varint(h.blockWeights);
    if (h.form === 'tuples') {
      w.u8(h.gapSymbols);
      w.varint(sequenceLength(h));
    }
    const depth = depthOf(h);
    w.u8(depth);
    if (depth === 0) { w.u8(h.only); return; }
    w.bytes(h.lengths);
    for (let l = 1; l < depth; l++) w.varint(h.levelLengths[l]);
    for (let l = 0; l < depth; l++) w.varint(h.levelZeros[l]);
  },

  readHeader(r: ByteReader, base) {
    const n = params(base.shape);
    const bins = base.quant.bins;
    const formByte = r.u8('RAS form');
    const form = WM_FORMS[formByte];
    if (!form) throw r.fail(`unknown RAS form ${formByte} (0 element-wise, 1 block-wise, 2 tuples)`);
    const blockWeights = form === 'block' ? r.varint('block weights', 0x7fffffff) : 0;
    if (form === 'block' && !(blockWeights >= 1 && blockWeights <= n)) throw r.fail(`block of ${blockWeights} weights outside 1..${n}`);
    const { rows } = rowGeometry(base.shape);
    let gapSymbols = 0;
    let seqLength = form === 'element' ? n + rows : n;
    if (form === 'tuples') {
      gapSymbols = r.u8('gap symbols');
      if (!(gapSymbols >= 2 && gapSymbols <= maxGapSymbols(bins))) throw r.fail(`${gapSymbols} gap symbols outside 2..${maxGapSymbols(bins)} (256 − bins − 1)`);
      // at most two symbols per weight, one delimiter per row
      seqLength = r.varint('sequence length', 0x7fffffff);
      if (!(seqLength >= rows && seqLength <= 2 * n + rows)) throw r.fail(`a tuple sequence of ${seqLength} symbols outside ${rows}..${2 * n + rows} (rows..2·weights + rows)`);
    }
    const alphabet = alphabetSize({ form, gapSymbols, quant: base.quant });
    const depth = r.u8('levels');
    if (depth > MAX_CODE_LENGTH) throw r.fail(`${depth} levels; the format allows at most ${MAX_CODE_LENGTH}`);
    const lengths = new Uint8Array(alphabet);
    if (depth === 0) {
      const only = r.u8('only symbol');
      if (only >= alphabet) throw r.fail(`the only symbol ${only} is outside the alphabet of ${alphabet}`);
      const levelLengths = form === 'tuples' && seqLength !== rows ? null : new Int32Array(0);
      if (!levelLengths) throw r.fail(`zero levels but a tuple sequence of ${seqLength} symbols for ${rows} rows (only delimiters)`);
      return { codec: 'wm', ...base, form, blockWeights, gapSymbols, lengths, only, levelLengths, levelZeros: new Int32Array(0) };
    }
    lengths.set(r.bytes(alphabet, 'code lengths'));
    let kraft = 0;
    let present = 0;
    let longest = 0;
    for (let s = 0; s < alphabet; s++) {
      if (lengths[s] > depth) throw r.fail(`code length ${lengths[s]} of symbol ${s} exceeds the ${depth} levels`);
      if (lengths[s]) { kraft += 2 ** (depth - lengths[s]); present++; longest = Math.max(longest, lengths[s]); }
    }
    if (longest !== depth) throw r.fail(`${depth} levels but the longest code has ${longest} bits`);
    if (present < 2) throw r.fail(`${present} symbol(s) with a code; a layer with one symbol has zero levels`);
    if (kraft > 2 ** depth) throw r.fail('code lengths break the Kraft inequality (no prefix code has them)');
    const levelLengths = new Int32Array(depth);
    levelLengths[0] = seqLength;
    for (let l = 1; l < depth; l++) {
      levelLengths[l] = r.varint(`level ${l} length`, 0x7fffffff);
      if (levelLengths[l] > levelLengths[l - 1]) throw r.fail(`level ${l} holds ${levelLengths[l]} bits, more than level ${l - 1}'s ${levelLengths[l - 1]}`);
    }
    const levelZeros = new Int32Array(depth);
    for (let l = 0; l < depth; l++) {
      levelZeros[l] = r.varint(`level ${l} zeros`, 0x7fffffff);
      if (levelZeros[l] > levelLengths[l]) throw r.fail(`level ${l} has ${levelZeros[l]} zeros in ${levelLengths[l]} bits`);
    }
    return { codec: 'wm', ...base, form, blockWeights, gapSymbols, lengths, only: -1, levelLengths, levelZeros };
  },

  payloadLength: (h) => 4 * levelWordCounts(h).reduce((s, c) => s + c.bitmap + c.directory, 0),
  payload: (l) => new Uint8Array(l.words.buffer, l.words.byteOffset, l.words.byteLength),
  withPayload: (h, payload) => {
    const words = new Uint32Array(payload.length >> 2);
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    for (let k = 0; k < words.length; k++) words[k] = view.getUint32(4 * k, true);
    return { ...h, words };
  },

  decode(layer) {
    const levels = levelVectors(layer);
    const seq = scanAll(sequenceLength(layer), codeTree(assignCodes(layer.lengths)), levels, layer.levelZeros, layer.only);
    return weightsOfSequence(seq, layer);
  },

  figures(h) {
    // on-chip memory of the query unit for this layer (docs/hw/wm-query-unit.md): the payload
    // buffer LOAD fills (bitmaps and directories), one 32-bit cursor per internal node of the code
    // tree (per lane: the figure is for one), per level its zeros count and two base addresses
    const internal = codeTree(assignCodes(h.lengths)).level.length;
    return { states: null, streams: null, tableBytes: wmCodec.payloadLength(h) + 4 * internal + 12 * depthOf(h) };
  },
};
