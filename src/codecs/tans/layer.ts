/**
 * One layer through tANS: choose a table for its symbol histogram, split the weights into S
 * streams sharing that table, encode each stream, and lay the words out in DRAM order.
 */
import { check } from '../../errors.js';
import { decodeStream, encodeStream, type EncodedStream } from './codec.js';
import { interleaveStreams } from './layout.js';
import { spreadFseTail } from './fse-baseline.js';
import { chooseTable, hasTail, type SpreadKind } from './optimize.js';
import { copyStream, effectiveSplit, streamLengths, type StreamSplit } from './streams.js';
import { buildDecodeTable, buildEncodeTable, checkStates, spreadFseStep, spreadTuned, type DecodeTable } from './table.js';

export interface TansLayerCode {
  readonly states: number;
  readonly counts: Int32Array;          // normalized, length = alphabet size (bins)
  readonly spreadKind: SpreadKind;
  readonly spread: Uint8Array;          // slot → symbol (rebuilt from counts unless 'explicit')
  readonly tail?: Uint8Array;           // tail kinds: bitmap of the one-slot symbols at the end
  readonly split: StreamSplit;
  readonly streams: readonly EncodedStream[];
  readonly words: Uint32Array;          // the streams interleaved in DRAM order (layout.ts)
  readonly decodeTable: DecodeTable;
}

export interface TansLayerOptions {
  states: number;
  streams: number;
  split: StreamSplit;
  effort?: 'fast' | 'best';
}

export function histogram(symbols: Uint8Array, alphabetSize: number): Float64Array {
  const hist = new Float64Array(alphabetSize);
  for (let i = 0; i < symbols.length; i++) hist[symbols[i]]++;
  return hist;
}

export function encodeTansLayer(
  symbols: Uint8Array, alphabetSize: number, shape: readonly number[], opts: TansLayerOptions,
): TansLayerCode {
  checkStates(opts.states);
  const hist = histogram(symbols, alphabetSize);
  const choice = chooseTable(hist, opts.states, opts.effort ?? 'fast');
  const enc = buildEncodeTable(choice.counts, choice.spread);
  const lengths = streamLengths(shape, opts.streams, opts.split);
  const streams = Array.from(lengths, (n, k) => {
    const own = new Uint8Array(n);
    copyStream(symbols, own, shape, opts.streams, opts.split, k, true);
    return encodeStream(own, enc);
  });
  return {
    states: opts.states,
    counts: choice.counts,
    spreadKind: choice.spreadKind,
    spread: choice.spread,
    tail: choice.tail,
    split: effectiveSplit(shape, opts.streams, opts.split),
    streams,
    words: interleaveStreams(streams.map((s) => s.words)),
    decodeTable: buildDecodeTable(choice.counts, choice.spread),
  };
}

/** Rebuilds the spread a container stores as counts + kind (+ explicit bytes or tail bitmap). */
export function rebuildSpread(kind: SpreadKind, counts: Int32Array, explicit?: Uint8Array, tail?: Uint8Array): Uint8Array {
  if (kind === 'fse') return spreadFseStep(counts);
  if (kind === 'tuned') return spreadTuned(counts);
  if (hasTail(kind)) {
    check(tail !== undefined, `${kind} bitmap missing`);
    return kind === 'fse-tail' ? spreadFseTail(counts, tail) : spreadTuned(counts, tail);
  }
  check(explicit !== undefined, 'explicit spread missing');
  return explicit;
}

/**
 * Decodes every stream of a layer (each checked by decodeStream) and hands each one's symbols, in
 * stream order, to `visit` (a view reused for the next stream); `stepBits[k]` receives stream k's
 * step bits when given.
 */
export function decodeTansStreams(
  shape: readonly number[], decodeTable: DecodeTable, split: StreamSplit,
  streams: ReadonlyArray<{ words: Uint32Array; bitLength?: number; symbolCount: number }>,
  stepBits: readonly Uint8Array[] | undefined, visit: (k: number, symbols: Uint8Array) => void,
): void {
  const lengths = streamLengths(shape, streams.length, split);
  const tmp = new Uint8Array(lengths.reduce((a, n) => Math.max(a, n), 0));
  streams.forEach((s, k) => {
    check(s.symbolCount === lengths[k], `stream ${k} holds ${s.symbolCount} symbols, the layer shape needs ${lengths[k]}`);
    const own = tmp.subarray(0, lengths[k]);
    decodeStream(s.words, s.bitLength, s.symbolCount, decodeTable, own, 0, 1, stepBits?.[k]);
    visit(k, own);
  });
}

/** A layer's symbols in flat order (decodeTansStreams, each stream copied to its places). */
export function decodeTansLayer(
  shape: readonly number[], decodeTable: DecodeTable, split: StreamSplit,
  streams: ReadonlyArray<{ words: Uint32Array; bitLength?: number; symbolCount: number }>,
  stepBits?: readonly Uint8Array[],
): Uint8Array {
  const out = new Uint8Array(shape.reduce((a, b) => a * b, 1));
  decodeTansStreams(shape, decodeTable, split, streams, stepBits, (k, own) => copyStream(out, own, shape, streams.length, split, k, false));
  return out;
}
