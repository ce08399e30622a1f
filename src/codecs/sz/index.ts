/**
 * The sz codec (DeepSZ, docs/DEEPSZ.md; format in docs/FORMAT.md §4 "sz"): magnitude pruning
 * (sparse.ts), the kept values through the SZ error-bounded coder (lossy.ts), the index array raw
 * or tANS-coded and the bin codes tANS-coded, all merged in demand order (streams.ts).
 *
 * Unlike raw and tANS it codes float weights, not quantizer symbols: `encodeSzLayer` takes the
 * weights, `decodeValues` gives them back (each within the error bound, pruned ones 0), and
 * `decode` gives the int8 view of those values the chip's MAC array takes (the layer's quant).
 */
import { HwsimError } from '../../errors.js';
import type { ByteReader, ByteWriter } from '../bytes.js';
import { params, type Codec, type LayerBase, type SzHeader, type SzLayer } from '../codec.js';
import { quantizeWith } from '../quant/index.js';
import { MAX_RADIUS, szDecode, szEncode } from './lossy.js';
import { indexArray, keptValues, MAX_GAP, pruneMask, scatter } from './sparse.js';
import {
  decodeTableOfStream, encodeSubstream, INDEX_ALPHABET, mergeInDemandOrder, readInDemandOrder, readTable, writeTable,
  type SzStreamTable, type WalkResult, type WalkShape,
} from './streams.js';

export interface SzEncodeOptions {
  errorBound: number;
  sparsity: number;
  /** 'auto' (default): the smaller of raw and tANS */
  indexCoding?: 'raw' | 'tans' | 'auto';
}

/** What a user compares (deepsz, benches): bytes of each part, both index codings. */
export interface SzStats {
  weights: number;
  values: number;
  escapes: number;
  /** bytes of the bin-code stream and of the escaped values */
  valueBytes: number;
  indexRawBytes: number;
  indexTansBytes: number;
  /** the index bytes stored (the smaller one under 'auto') */
  indexBytes: number;
}

const bytesOfWords = (w: number) => 4 * w;
const alphabetOf = (radius: number) => 2 * radius + 2;
/** raw index bytes, padded to whole words */
const rawIndexWords = (entries: number) => Math.ceil(entries / 4);

function walkShapeOf(h: SzHeader): WalkShape {
  return {
    indexEntries: h.indexEntries, values: h.values, escapes: h.escapes, radius: h.radius,
    indexTable: h.indexTable ? decodeTableOfStream(h.indexTable, INDEX_ALPHABET) : null,
    codeTable: h.codeTable ? decodeTableOfStream(h.codeTable, alphabetOf(h.radius)) : null,
  };
}

/** The int8 view of decoded values (what the MAC array takes): 255 bins, step max|v| / 127 (float32). */
function int8View(values: Float32Array): { bins: number; step: number } {
  let top = 0;
  for (let i = 0; i < values.length; i++) top = Math.max(top, Math.abs(values[i]));
  const step = Math.fround(top / 127);
  return { bins: 255, step: step > 0 ? step : 1 };
}

/** Prunes and codes one layer's float weights (canonical flat order). */
export function encodeSzLayer(weights: Float32Array, shape: readonly number[], opts: SzEncodeOptions): { layer: SzLayer; stats: SzStats } {
  if (params(shape) !== weights.length) throw new Error(`internal: ${weights.length} weights for shape ${shape.join('×')}`);
  const keep = pruneMask(weights, opts.sparsity);
  const values = keptValues(weights, keep);
  const index = indexArray(keep);
  const code = szEncode(values, opts.errorBound);
  const codeSub = values.length > 0 ? encodeSubstream(code.symbols, alphabetOf(code.radius)) : null;
  const idxSub = index.length > 0 ? encodeSubstream(index, INDEX_ALPHABET) : null;
  const rawWords = new Uint32Array(rawIndexWords(index.length));
  new Uint8Array(rawWords.buffer).set(index);
  const tansIndexBytes = idxSub ? bytesOfWords(idxSub.words.length) : 0;
  const coding = opts.indexCoding ?? 'auto';
  const useTans = coding === 'tans' || (coding === 'auto' && idxSub !== null && tansIndexBytes < bytesOfWords(rawWords.length));
  const reconstructed = scatter(index, code.reconstructed, weights.length);
  const header: SzHeader = {
    codec: 'sz', shape: [...shape], quant: int8View(reconstructed), errorBound: code.eb, radius: code.radius,
    indexCoding: useTans ? 'tans' : 'raw', values: values.length, indexEntries: index.length, escapes: code.escapes.length,
    indexTable: useTans && idxSub ? idxSub.table : undefined, codeTable: codeSub?.table,
  };
  const escapeWords = new Uint32Array(code.escapes.buffer, code.escapes.byteOffset, code.escapes.length);
  const words = mergeInDemandOrder(walkShapeOf(header), [useTans && idxSub ? idxSub.words : rawWords, codeSub?.words ?? new Uint32Array(0), escapeWords]);
  const layer: SzLayer = { ...header, words };
  // reported only once it decodes back to exactly the reconstruction the encoder promised
  let decoded: Float32Array;
  try {
    decoded = szCodec.decodeValues!(layer);
  } catch (err) {
    throw new HwsimError(`internal: an sz layer failed its verify decode: ${(err as Error).message}`);
  }
  for (let i = 0; i < decoded.length; i++) {
    if (!Object.is(decoded[i], reconstructed[i])) throw new HwsimError(`internal: sz verify decode differs at weight ${i}`);
  }
  return {
    layer,
    stats: {
      weights: weights.length, values: values.length, escapes: code.escapes.length,
      valueBytes: bytesOfWords((codeSub?.words.length ?? 0) + escapeWords.length),
      indexRawBytes: bytesOfWords(rawWords.length), indexTansBytes: tansIndexBytes,
      indexBytes: useTans ? tansIndexBytes : bytesOfWords(rawWords.length),
    },
  };
}

function walkOf(layer: SzLayer): WalkResult {
  return readInDemandOrder(walkShapeOf(layer), layer.words);
}

export const szCodec: Codec<SzHeader, SzLayer> = {
  id: 'sz',
  tag: 2,

  encode() {
    throw new Error('internal: sz codes float weights: use encodeSzLayer');
  },

  writeHeader(h, w: ByteWriter) {
    w.f32(h.errorBound);
    w.u8(h.radius);
    w.u8(h.indexCoding === 'tans' ? 1 : 0);
    w.varint(h.values);
    w.varint(h.indexEntries);
    w.varint(h.escapes);
    if (h.indexTable) writeTable(w, h.indexTable, h.indexEntries, INDEX_ALPHABET);
    if (h.codeTable) writeTable(w, h.codeTable, h.values, alphabetOf(h.radius));
  },

  readHeader(r: ByteReader, base: LayerBase) {
    const n = params(base.shape);
    const errorBound = r.f32('error bound');
    if (!(errorBound > 0 && Number.isFinite(errorBound))) throw r.fail(`error bound ${errorBound} is not a positive number`);
    const radius = r.u8('code radius');
    if (radius > MAX_RADIUS) throw r.fail(`code radius ${radius} exceeds ${MAX_RADIUS}`);
    const flags = r.u8('index coding');
    if (flags > 1) throw r.fail(`unknown index coding ${flags}`);
    const indexCoding = flags === 1 ? 'tans' : 'raw';
    const values = r.varint('value count', n);
    // every value takes one entry, and every filler skips 255 positions inside the layer
    const indexEntries = r.varint('index entry count', values + Math.floor(n / MAX_GAP));
    if (indexEntries < values) throw r.fail(`${indexEntries} index entries cannot place ${values} values`);
    if (values === 0 && indexEntries > 0) throw r.fail(`${indexEntries} index entries but no values`);
    const escapes = r.varint('escape count', values);
    let indexTable: SzStreamTable | undefined;
    let codeTable: SzStreamTable | undefined;
    if (indexCoding === 'tans' && indexEntries > 0) indexTable = readTable(r, indexEntries, INDEX_ALPHABET, 'index');
    if (values > 0) codeTable = readTable(r, values, alphabetOf(radius), 'bin-code');
    if (escapes > 0 && codeTable && codeTable.counts[0] === 0) throw r.fail(`${escapes} escaped values but the escape symbol has no slot in the bin-code table`);
    return { codec: 'sz', ...base, errorBound, radius, indexCoding, values, indexEntries, escapes, indexTable, codeTable };
  },

  payloadLength: (h) => bytesOfWords(
    (h.indexCoding === 'tans' ? (h.indexTable?.words ?? 0) : rawIndexWords(h.indexEntries)) + (h.codeTable?.words ?? 0) + h.escapes),
  payload: (l) => new Uint8Array(l.words.buffer, l.words.byteOffset, l.words.byteLength),
  withPayload(h, payload) {
    const words = new Uint32Array(payload.length >> 2);
    new Uint8Array(words.buffer).set(payload.subarray(0, words.length * 4));
    return { ...h, words };
  },

  decodeValues(layer) {
    const walked = walkOf(layer);
    const values = szDecode(walked.codes, layer.radius, walked.escapes, layer.errorBound);
    return scatter(walked.index, values, params(layer.shape));
  },

  decode(layer) {
    return quantizeWith(szCodec.decodeValues!(layer), layer.quant).symbols;
  },

  figures: (h) => ({
    states: h.codeTable?.states ?? null,
    streams: null,
    tableBytes: 3 * ((h.codeTable?.states ?? 0) + (h.indexTable?.states ?? 0)),
  }),
};

/** The reference walk of a layer (the chip's sz source takes its word demand per entry from it). */
export function szWalk(layer: SzLayer): WalkResult {
  return walkOf(layer);
}

export { szDecode, szEncode } from './lossy.js';
