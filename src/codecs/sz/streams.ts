/**
 * The sz payload: up to three sub-streams (the index array, the bin codes, the escaped values)
 * merged into one word sequence in the order a decoder asks for their words (docs/FORMAT.md §4
 * "sz"). The decoder walks the index array one entry per step:
 *
 *   1. the index entry: 8 bits (raw), or one tANS symbol of the index table;
 *   2. unless it is a filler: one tANS symbol of the bin-code table;
 *   3. if that symbol is the escape: one 32-bit word, the value as float32.
 *
 * Each bit sub-stream (LSB-first in 32-bit words, as the project's tANS streams) takes its next
 * word from the payload at the moment a read needs bits it does not hold yet. The payload is those
 * words in that order, so a decoder with one word buffer per sub-stream reads the layer in address
 * order, and a fixed rule, not a table of offsets, says which word belongs to which sub-stream.
 * The tANS sub-streams are the project's (src/codecs/tans): tables chosen by chooseTable, words
 * by encodeStream, the table's header section written by the tANS codec itself.
 */
import { HwsimError } from '../../errors.js';
import { ByteReader, ByteWriter } from '../bytes.js';
import type { TansHeader } from '../codec.js';
import { decodeTableOf, tansCodec } from '../tans/index.js';
import { encodeTansLayer } from '../tans/layer.js';
import type { SpreadKind } from '../tans/optimize.js';
import type { DecodeTable } from '../tans/table.js';
import { ESCAPE_SYMBOL } from './lossy.js';
import { FILLER } from './sparse.js';

/** One tANS sub-stream's table and word count, as its header section holds them. */
export interface SzStreamTable {
  states: number;
  counts: Int32Array;
  spreadKind: SpreadKind;
  explicitSpread?: Uint8Array;
  tail?: Uint8Array;
  words: number;
}

/** the alphabet of the index table: every byte */
export const INDEX_ALPHABET = 256;

/** States for a sub-stream: about 4 slots per symbol present, 64..1024. */
export function statesFor(symbols: Uint8Array, alphabet: number): number {
  const seen = new Uint8Array(alphabet);
  let present = 0;
  for (let i = 0; i < symbols.length; i++) if (!seen[symbols[i]]) { seen[symbols[i]] = 1; present++; }
  let states = 64;
  while (states < 4 * present && states < 1024) states *= 2;
  return states;
}

/** Codes one sub-stream with the project's tANS (one stream). */
export function encodeSubstream(symbols: Uint8Array, alphabet: number): { table: SzStreamTable; words: Uint32Array } {
  const code = encodeTansLayer(symbols, alphabet, [symbols.length], {
    states: statesFor(symbols, alphabet), streams: 1, split: 'interleaved', effort: 'fast',
  });
  return {
    table: {
      states: code.states, counts: code.counts, spreadKind: code.spreadKind,
      explicitSpread: code.spreadKind === 'explicit' ? code.spread : undefined, tail: code.tail, words: code.words.length,
    },
    words: code.words,
  };
}

/** The sub-stream's table as a tANS header over `count` symbols (so the tANS codec reads and writes it). */
function asTansHeader(t: SzStreamTable, count: number, alphabet: number): TansHeader {
  return {
    codec: 'tans', shape: [count], quant: { bins: alphabet, step: 1 }, states: t.states, counts: t.counts,
    spreadKind: t.spreadKind, explicitSpread: t.explicitSpread, tail: t.tail, split: 'interleaved', wordCounts: Int32Array.of(t.words),
  };
}

export function writeTable(w: ByteWriter, t: SzStreamTable, count: number, alphabet: number): void {
  tansCodec.writeHeader(asTansHeader(t, count, alphabet), w);
}

/** Reads a table section with the tANS codec's checks (counts, spread, stream capacity); one stream. */
export function readTable(r: ByteReader, count: number, alphabet: number, what: string): SzStreamTable {
  const h = tansCodec.readHeader(r, { shape: [count], quant: { bins: alphabet, step: 1 } });
  if (h.wordCounts.length !== 1) throw r.fail(`the ${what} table declares ${h.wordCounts.length} streams, an sz sub-stream has one`);
  return { states: h.states, counts: h.counts, spreadKind: h.spreadKind, explicitSpread: h.explicitSpread, tail: h.tail, words: h.wordCounts[0] };
}

export function decodeTableOfStream(t: SzStreamTable, alphabet: number): DecodeTable {
  return decodeTableOf(asTansHeader(t, 1, alphabet));
}

/** Where each sub-stream's next word comes from: the merged payload, or (encoding) its own words. */
type Pull = (stream: number) => number;

const MASK = (nb: number) => (nb >= 32 ? 0xffffffff : (1 << nb) - 1);

/** An LSB-first bit reader over one sub-stream that pulls a word only when a read needs it. */
class SubstreamBits {
  private cur = 0;
  private pos = 32;
  wordsPulled = 0;
  constructor(private readonly id: number, private readonly pull: Pull) {}
  read(nb: number): number {
    if (nb === 0) return 0;
    const avail = 32 - this.pos;
    if (avail >= nb) {
      const v = (this.cur >>> this.pos) & MASK(nb);
      this.pos += nb;
      return v >>> 0;
    }
    const low = avail > 0 ? this.cur >>> this.pos : 0;
    this.cur = this.pull(this.id) >>> 0;
    this.wordsPulled++;
    const v = (low | (this.cur << avail)) & MASK(nb);
    this.pos = nb - avail;
    return v >>> 0;
  }
  /** bits left in the current word must be zero (the stream's padding) */
  paddingIsZero(): boolean {
    return this.pos >= 32 || (this.cur >>> this.pos) === 0;
  }
}

/** A tANS symbol reader over a SubstreamBits (state s in [0, L); emit, then s = newState + bits). */
class TansSymbols {
  private state = -1;
  constructor(private readonly table: DecodeTable, private readonly bits: SubstreamBits) {}
  next(): number {
    if (this.state < 0) this.state = this.bits.read(this.table.log2States);
    const s = this.state;
    this.state = this.table.newState[s] + this.bits.read(this.table.nbBits[s]);
    return this.table.symbol[s];
  }
  /** the stream was never started, or ended in state 0 */
  endedCleanly(): boolean { return this.state <= 0; }
}

export interface WalkShape {
  indexEntries: number;
  values: number;
  escapes: number;
  radius: number;
  /** null: the index array is raw bytes */
  indexTable: DecodeTable | null;
  codeTable: DecodeTable | null;
}

export interface WalkResult {
  index: Uint8Array;
  codes: Uint8Array;
  escapes: Float32Array;
  /** words taken from the payload up to and including each index entry (the chip's demand) */
  wordsThrough: Uint32Array;
}

export const STREAM_INDEX = 0;
export const STREAM_CODES = 1;
export const STREAM_ESCAPES = 2;

/** Walks the sub-streams entry by entry, taking words through `pull`; checks every end condition. */
export function walk(s: WalkShape, pull: Pull, wordsTaken: () => number): WalkResult {
  const idxBits = new SubstreamBits(STREAM_INDEX, pull);
  const codeBits = new SubstreamBits(STREAM_CODES, pull);
  const idx = s.indexTable ? new TansSymbols(s.indexTable, idxBits) : null;
  const codes = s.codeTable ? new TansSymbols(s.codeTable, codeBits) : null;
  const index = new Uint8Array(s.indexEntries);
  const codeOut = new Uint8Array(s.values);
  const escapes = new Float32Array(s.escapes);
  const wordsThrough = new Uint32Array(s.indexEntries);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  let v = 0;
  let e = 0;
  for (let k = 0; k < s.indexEntries; k++) {
    const entry = idx ? idx.next() : idxBits.read(8);
    index[k] = entry;
    if (entry !== FILLER) {
      if (v >= s.values) throw new HwsimError(`index entry ${k} places value ${v}, the header declares ${s.values} values`);
      if (!codes) throw new HwsimError('a value without a bin-code table');
      const sym = codes.next();
      if (sym > 2 * s.radius + 1) throw new HwsimError(`bin code ${sym} of value ${v} lies outside the radius ${s.radius}`);
      codeOut[v++] = sym;
      if (sym === ESCAPE_SYMBOL) {
        if (e >= s.escapes) throw new HwsimError(`value ${v - 1} is escaped, the header declares ${s.escapes} escaped values`);
        u32[0] = pull(STREAM_ESCAPES);
        escapes[e++] = f32[0];
      }
    }
    wordsThrough[k] = wordsTaken();
  }
  if (v !== s.values) throw new HwsimError(`the index array places ${v} values, the header declares ${s.values}`);
  if (e !== s.escapes) throw new HwsimError(`${e} values are escaped, the header declares ${s.escapes}`);
  if (idx && !idx.endedCleanly()) throw new HwsimError('the index stream did not end in state 0');
  if (codes && !codes.endedCleanly()) throw new HwsimError('the bin-code stream did not end in state 0');
  if (!idxBits.paddingIsZero() || !codeBits.paddingIsZero()) throw new HwsimError('non-zero padding bits after a sub-stream\'s last symbol');
  return { index, codes: codeOut, escapes, wordsThrough };
}

/** Merges the sub-streams' words in demand order (encoding: the walk over the known symbols). */
export function mergeInDemandOrder(s: WalkShape, streams: readonly Uint32Array[]): Uint32Array {
  const total = streams.reduce((a, w) => a + w.length, 0);
  const out = new Uint32Array(total);
  const next = [0, 0, 0];
  let o = 0;
  walk(s, (id) => {
    if (next[id] >= streams[id].length) throw new Error(`internal: sz sub-stream ${id} ran out of words while merging`);
    const w = streams[id][next[id]++];
    out[o++] = w;
    return w;
  }, () => o);
  if (o !== total) throw new Error(`internal: sz merge used ${o} of ${total} words`);
  return out;
}

/** Reads a payload in demand order (the reference decoder and the chip's schedule). */
export function readInDemandOrder(s: WalkShape, words: Uint32Array): WalkResult {
  let cursor = 0;
  const out = walk(s, () => {
    if (cursor >= words.length) throw new HwsimError(`the payload's ${words.length} words ran out`);
    return words[cursor++];
  }, () => cursor);
  if (cursor !== words.length) throw new HwsimError(`the sub-streams used ${cursor} of the payload's ${words.length} words`);
  return out;
}
