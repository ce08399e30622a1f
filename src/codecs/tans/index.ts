/**
 * The tANS codec (docs/FORMAT.md §1-§3 and the tANS section of §4): a layer's symbols split into
 * S streams sharing one table, the table stored as normalized counts plus a spread rule, the
 * streams' words interleaved in DRAM order. The pieces live beside this file: table.ts (tables),
 * optimize.ts (choosing counts and spread), codec.ts (one stream), streams.ts (the split),
 * layout.ts (the interleaving).
 */
import { HwsimError } from '../../errors.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import type { Codec, TansHeader, TansLayer } from '../codec.js';
import { decodeTansLayer, decodeTansStreams, encodeTansLayer, rebuildSpread } from './layer.js';
import { deinterleaveStreams } from './layout.js';
import { hasTail, type SpreadKind } from './optimize.js';
import { effectiveSplit, streamLengths, type StreamSplit } from './streams.js';
import { buildDecodeTable, checkSpread, MAX_LOG2_STATES, MIN_LOG2_STATES, type DecodeTable } from './table.js';

export const SPREAD_KINDS: readonly SpreadKind[] = ['fse', 'tuned', 'explicit', 'fse-tail', 'tuned-tail'];
export const SPLITS: readonly StreamSplit[] = ['channel', 'interleaved'];
/** streams a layer header may declare (the chip's decoders are fewer: src/params) */
export const MAX_FORMAT_STREAMS = 256;

/**
 * What a decode of a layer's words learnt besides the symbols: per stream, the bits each step
 * read (the chip's fast timing model needs exactly these: src/chip/tans-timing.ts), kept for as
 * long as the words are, so that verifying an image and timing it on the chip walk it once.
 */
const decodedStepBits = new WeakMap<Uint32Array, Uint8Array[]>();

/** The step bits a decode of these payload words recorded, if one ran. */
export function stepBitsDecoded(words: Uint32Array): Uint8Array[] | undefined {
  return decodedStepBits.get(words);
}

/** Step bits a decode of these words recorded earlier (an image cache's verdict), kept as if decoded here. */
export function keepStepBits(words: Uint32Array, stepBits: Uint8Array[]): void {
  decodedStepBits.set(words, stepBits);
}

/** A layer's streams as decodeTansLayer takes them: each one's words and symbol count. */
function streamsOf(layer: TansLayer): Array<{ words: Uint32Array; symbolCount: number }> {
  const counts = streamSymbolCounts(layer);
  return deinterleaveStreams(layer.words, layer.wordCounts).map((words, k) => ({ words, symbolCount: counts[k] }));
}

/** One array per stream, views of one buffer. */
export function stepBitArrays(counts: ArrayLike<number>): Uint8Array[] {
  let total = 0;
  for (let k = 0; k < counts.length; k++) total += counts[k];
  const all = new Uint8Array(total);
  let at = 0;
  return Array.from(counts, (n) => { const v = all.subarray(at, at + n); at += n; return v; });
}

/** The decode table a header describes: the spread rebuilt from counts, checked, then the 3 fields per state. */
export function decodeTableOf(h: TansHeader): DecodeTable {
  const spread = rebuildSpread(h.spreadKind, h.counts, h.explicitSpread, h.tail);
  checkSpread(spread, h.counts);
  return buildDecodeTable(h.counts, spread);
}

/** Symbols of each stream, from the shape and the split (not stored: FORMAT.md §3 defines them). */
export function streamSymbolCounts(h: Pick<TansHeader, 'shape' | 'split' | 'wordCounts'>): Int32Array {
  return streamLengths(h.shape, h.wordCounts.length, h.split);
}

const zigzag = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
const unzigzag = (v: number) => (v % 2 === 0 ? v / 2 : -(v + 1) / 2);

/**
 * What a stream's words can hold, checked from the header before anything is decoded. A stream
 * reads log2(L) bits for its first state, then nbBits per symbol. A step that reads no bits goes
 * from state x = L + s to x' = y < x (y = c + the symbol's earlier slots, c < L), so at most L − 1
 * such steps follow each other unless one symbol owns all L slots. With B = 32·words − log2(L)
 * bits for the symbols, a stream holds at most (B + 1)·L − 1 symbols. A table with one symbol of
 * count L codes in 0 bits: its symbols are bounded only by limits().maxWeights (container.ts).
 */
function checkStreamCapacity(r: ByteReader, shape: readonly number[], split: StreamSplit, states: number,
  counts: Int32Array, wordCounts: Int32Array): void {
  if (counts.some((c) => c === states)) return;
  const symbols = streamLengths(shape, wordCounts.length, split);
  const log2 = Math.log2(states);
  for (let k = 0; k < wordCounts.length; k++) {
    if (symbols[k] === 0) continue;
    const capacity = Math.max(0, 32 * wordCounts[k] - log2 + 1) * states - 1;
    if (symbols[k] > capacity) {
      throw r.fail(`stream ${k} must hold ${symbols[k].toLocaleString('en-US')} symbols of shape ${shape.join('×')}; ` +
        `its ${wordCounts[k].toLocaleString('en-US')} words hold at most ${Math.max(0, capacity).toLocaleString('en-US')} with this table`);
    }
  }
}

export const tansCodec: Codec<TansHeader, TansLayer> = {
  id: 'tans',
  tag: 1,

  encode(symbols, base, opts) {
    const code = encodeTansLayer(symbols, base.quant.bins, base.shape, opts);
    const layer: TansLayer = {
      codec: 'tans', ...base,
      states: code.states,
      counts: code.counts,
      spreadKind: code.spreadKind,
      explicitSpread: code.spreadKind === 'explicit' ? code.spread : undefined,
      tail: code.tail,
      split: effectiveSplit(base.shape, opts.streams, opts.split),
      wordCounts: Int32Array.from(code.streams, (s) => s.words.length),
      words: code.words,
    };
    // Encoding is only reported once the layer decodes back to exactly the same symbols.
    let decoded: Uint8Array;
    try {
      decoded = tansCodec.decode(layer);
    } catch (err) {
      throw new HwsimError(`internal: a tANS layer failed its verify decode: ${(err as Error).message}`);
    }
    for (let i = 0; i < symbols.length; i++) {
      if (decoded[i] !== symbols[i]) throw new HwsimError(`internal: tANS verify decode differs at weight ${i} (${decoded[i]} vs ${symbols[i]})`);
    }
    return layer;
  },

  writeHeader(h: TansHeader, w: ByteWriter) {
    w.u8(Math.log2(h.states));
    w.u8(SPREAD_KINDS.indexOf(h.spreadKind) | (SPLITS.indexOf(h.split) << 4));
    w.varint(h.wordCounts.length);
    // counts as exp-Golomb codes of the zigzagged difference to the previous count (Laplace-like
    // histograms change slowly from bin to bin); tail kinds flag each count-1 symbol inline
    const tail = hasTail(h.spreadKind) ? h.tail! : undefined;
    let prev = 0;
    h.counts.forEach((c, sym) => {
      w.expGolomb(zigzag(c - prev));
      prev = c;
      if (tail && c === 1) w.bits((tail[sym >> 3] >> (sym & 7)) & 1, 1);
    });
    w.alignBits();
    if (h.spreadKind === 'explicit') w.bytes(h.explicitSpread!);
    w.varint(h.wordCounts[0]);
    for (let k = 1; k < h.wordCounts.length; k++) w.varint(zigzag(h.wordCounts[k] - h.wordCounts[0]));
  },

  readHeader(r: ByteReader, base) {
    const log2States = r.u8('log2 states');
    if (log2States < MIN_LOG2_STATES || log2States > MAX_LOG2_STATES) {
      throw r.fail(`log2(states) ${log2States} outside ${MIN_LOG2_STATES}..${MAX_LOG2_STATES}`);
    }
    const states = 1 << log2States;
    const kindSplit = r.u8('spread kind and split');
    const spreadKind = SPREAD_KINDS[kindSplit & 15];
    const split = SPLITS[kindSplit >> 4];
    if (!spreadKind) throw r.fail(`unknown spread kind ${kindSplit & 15}`);
    if (!split) throw r.fail(`unknown stream split ${kindSplit >> 4}`);
    const nStreams = r.varint('stream count', MAX_FORMAT_STREAMS);
    if (nStreams < 1) throw r.fail('zero streams');
    const inChannels = base.shape.length >= 2 ? base.shape[1] : 1;
    if (split === 'channel' && base.shape.length < 2) {
      throw r.fail(`split 'channel' on a rank-${base.shape.length} shape (it needs an input-channel dimension; such a layer is split 'interleaved')`);
    }
    if (split === 'channel' && inChannels < nStreams) {
      throw r.fail(`split 'channel' with ${inChannels} input channels for ${nStreams} streams (such a layer is split 'interleaved')`);
    }
    const n = base.quant.bins;
    const counts = new Int32Array(n);
    const tail = hasTail(spreadKind) ? new Uint8Array(Math.ceil(n / 8)) : undefined;
    let sum = 0;
    let prev = 0;
    for (let i = 0; i < n; i++) {
      counts[i] = prev + unzigzag(r.expGolomb('normalized count'));
      prev = counts[i];
      if (counts[i] < 0) throw r.fail(`normalized count of symbol ${i} is negative (${counts[i]})`);
      sum += counts[i];
      if (sum > states) throw r.fail(`normalized counts exceed ${states}`);
      if (tail && counts[i] === 1 && r.bits(1, 'tail flag')) tail[i >> 3] |= 1 << (i & 7);
    }
    r.alignBits('normalized counts');
    if (sum !== states) throw r.fail(`normalized counts sum to ${sum}, not ${states}`);
    const explicitSpread = spreadKind === 'explicit' ? r.bytes(states, 'explicit spread').slice() : undefined;
    const wordCounts = new Int32Array(nStreams);
    wordCounts[0] = r.varint('stream 0 word count', 0x7fffffff);
    for (let k = 1; k < nStreams; k++) {
      wordCounts[k] = wordCounts[0] + unzigzag(r.varint(`stream ${k} word count`));
      if (!(wordCounts[k] >= 0 && wordCounts[k] <= 0x7fffffff)) throw r.fail(`stream ${k} word count ${wordCounts[k]} is out of range`);
    }
    checkStreamCapacity(r, base.shape, split, states, counts, wordCounts);
    return { codec: 'tans', ...base, states, counts, spreadKind, explicitSpread, tail, split, wordCounts };
  },

  payloadLength: (h) => 4 * h.wordCounts.reduce((a, b) => a + b, 0),
  payload: (l) => new Uint8Array(l.words.buffer, l.words.byteOffset, l.words.byteLength),
  withPayload(h, payload) {
    const words = new Uint32Array(payload.length >> 2);
    new Uint8Array(words.buffer).set(payload);
    return { ...h, words };
  },

  decode(layer) {
    const stepBits = stepBitArrays(streamSymbolCounts(layer));
    const symbols = decodeTansLayer(layer.shape, decodeTableOf(layer), layer.split, streamsOf(layer), stepBits);
    decodedStepBits.set(layer.words, stepBits);
    return symbols;
  },

  decodeHistogram(layer, bins) {
    const stepBits = stepBitArrays(streamSymbolCounts(layer));
    const hist = new Float64Array(bins);
    decodeTansStreams(layer.shape, decodeTableOf(layer), layer.split, streamsOf(layer), stepBits, (_, symbols) => {
      for (let i = 0; i < symbols.length; i++) hist[symbols[i]]++;
    });
    decodedStepBits.set(layer.words, stepBits);
    return hist;
  },

  figures: (h) => ({ states: h.states, streams: h.wordCounts.length, tableBytes: 3 * h.states }),
};

