/**
 * The wm codec (docs/FORMAT.md §4, codec 3; docs/WM.md): a layer's symbols as a Huffman-shaped
 * wavelet matrix, each level a bitmap with its rank directory, in a Runtime-Accessible Sequence
 * form the chip uses to schedule it (element-wise: reached weight by weight; block-wise: decoded
 * block by block into an on-chip buffer). The header keeps the code lengths (the codes follow from
 * them), the level lengths and zeros; the payload the levels' bitmap and directory words.
 */
import { HwsimError } from '../../errors.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import { params, type Codec, type WmHeader, type WmLayer } from '../codec.js';
import { BitVector, bitmapWords, buildDirectory, directoryWords } from './bitvector.js';
import { assignCodes, huffmanLengths, MAX_CODE_LENGTH, WaveletMatrix } from './matrix.js';
import { codeTree, scanAll } from './nodes.js';

export const WM_FORMS: readonly WmHeader['form'][] = ['element', 'block'];
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

/** The matrix of a layer, for random access (checked as levelVectors). */
export function layerMatrix(layer: WmLayer): WaveletMatrix {
  const wm = new WaveletMatrix(params(layer.shape), assignCodes(layer.lengths), levelVectors(layer));
  if (depthOf(layer) === 0) wm.single = layer.only;
  return wm;
}

export const wmCodec: Codec<WmHeader, WmLayer> = {
  id: 'wm',
  tag: 3,

  encode(symbols, base, opts) {
    const bins = base.quant.bins;
    const counts = new Float64Array(bins);
    for (const s of symbols) {
      if (s >= bins) throw new HwsimError(`symbol ${s} is outside the ${bins} bins`);
      counts[s]++;
    }
    const lengths = huffmanLengths(counts);
    const wm = WaveletMatrix.build(symbols, assignCodes(lengths));
    const words = new Uint32Array(wm.levels.reduce((a, bv) => a + bv.words.length + bv.dir.length, 0));
    let at = 0;
    for (const bv of wm.levels) {
      words.set(bv.words, at);
      words.set(bv.dir, at + bv.words.length);
      at += bv.words.length + bv.dir.length;
    }
    const form = opts.wmForm ?? 'block';
    const layer: WmLayer = {
      codec: 'wm', ...base, form,
      blockWeights: form === 'block' ? Math.min(opts.wmBlockWeights ?? DEFAULT_BLOCK_WEIGHTS, symbols.length) : 0,
      lengths,
      only: wm.levels.length === 0 ? wm.single : -1,
      levelLengths: Int32Array.from(wm.levels, (b) => b.length),
      levelZeros: Int32Array.from(wm.zeros),
      words,
    };
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
    if (!form) throw r.fail(`unknown RAS form ${formByte} (0 element-wise, 1 block-wise)`);
    const blockWeights = form === 'block' ? r.varint('block weights', 0x7fffffff) : 0;
    if (form === 'block' && !(blockWeights >= 1 && blockWeights <= n)) throw r.fail(`block of ${blockWeights} weights outside 1..${n}`);
    const depth = r.u8('levels');
    if (depth > MAX_CODE_LENGTH) throw r.fail(`${depth} levels; the format allows at most ${MAX_CODE_LENGTH}`);
    const lengths = new Uint8Array(bins);
    if (depth === 0) {
      const only = r.u8('only symbol');
      if (only >= bins) throw r.fail(`the only symbol ${only} is outside the ${bins} bins`);
      return { codec: 'wm', ...base, form, blockWeights, lengths, only, levelLengths: new Int32Array(0), levelZeros: new Int32Array(0) };
    }
    lengths.set(r.bytes(bins, 'code lengths'));
    let kraft = 0;
    let present = 0;
    let longest = 0;
    for (let s = 0; s < bins; s++) {
      if (lengths[s] > depth) throw r.fail(`code length ${lengths[s]} of symbol ${s} exceeds the ${depth} levels`);
      if (lengths[s]) { kraft += 2 ** (depth - lengths[s]); present++; longest = Math.max(longest, lengths[s]); }
    }
    if (longest !== depth) throw r.fail(`${depth} levels but the longest code has ${longest} bits`);
    if (present < 2) throw r.fail(`${present} symbol(s) with a code; a layer with one symbol has zero levels`);
    if (kraft > 2 ** depth) throw r.fail('code lengths break the Kraft inequality (no prefix code has them)');
    const levelLengths = new Int32Array(depth);
    levelLengths[0] = n;
    for (let l = 1; l < depth; l++) {
      levelLengths[l] = r.varint(`level ${l} length`, 0x7fffffff);
      if (levelLengths[l] > levelLengths[l - 1]) throw r.fail(`level ${l} holds ${levelLengths[l]} bits, more than level ${l - 1}'s ${levelLengths[l - 1]}`);
    }
    const levelZeros = new Int32Array(depth);
    for (let l = 0; l < depth; l++) {
      levelZeros[l] = r.varint(`level ${l} zeros`, 0x7fffffff);
      if (levelZeros[l] > levelLengths[l]) throw r.fail(`level ${l} has ${levelZeros[l]} zeros in ${levelLengths[l]} bits`);
    }
    return { codec: 'wm', ...base, form, blockWeights, lengths, only: -1, levelLengths, levelZeros };
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
    const n = params(layer.shape);
    const levels = levelVectors(layer);
    return scanAll(n, codeTree(assignCodes(layer.lengths)), levels, layer.levelZeros, layer.only);
  },

  figures(h) {
    // on-chip memory of the query unit for this layer (docs/hw/wm-query-unit.md): the payload
    // buffer LOAD fills (bitmaps and directories), one 32-bit cursor per internal node of the code
    // tree (per lane: the figure is for one), per level its zeros count and two base addresses
    const internal = codeTree(assignCodes(h.lengths)).level.length;
    return { states: null, streams: null, tableBytes: wmCodec.payloadLength(h) + 4 * internal + 12 * depthOf(h) };
  },
};
