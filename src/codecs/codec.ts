/**
 * What a codec is to hwsim (docs/ARCHITECTURE.md, "Adding a codec"). A coded layer is a
 * discriminated union by codec; every codec is one folder under src/codecs with one `Codec`
 * object: how it encodes quantized symbols, its section of the binary layer header, its payload,
 * its reference decoder and the figures `hwsim inspect` shows. The container (container.ts), the
 * chip (src/chip/sources.ts) and the reports reach a codec only through the registry.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { QuantParams } from './quant/index.js';
import type { StreamSplit } from './tans/streams.js';
import type { SpreadKind } from './tans/optimize.js';
import type { SzStreamTable } from './sz/streams.js';

/** What every layer header holds, whatever its codec. */
export interface LayerBase {
  /** canonical weight shape ([out, in, kh, kw], [C, 1, kh, kw], [out, in]) */
  shape: number[];
  quant: QuantParams;
}

/** int8 levels, one signed byte per weight (the edge layers, and the int8 baseline). */
export interface RawHeader extends LayerBase { codec: 'raw' }
export interface RawLayer extends RawHeader { levels: Int8Array }

/** tANS: one table (counts + spread rule) shared by S streams, their words interleaved. */
export interface TansHeader extends LayerBase {
  codec: 'tans';
  states: number;
  /** normalized counts over the alphabet of `quant.bins` symbols, sum = states */
  counts: Int32Array;
  spreadKind: SpreadKind;
  /** 'explicit' spreads: slot → symbol */
  explicitSpread?: Uint8Array;
  /** tail kinds: bit s & 7 of byte s >> 3 set for each one-slot symbol at the table's end */
  tail?: Uint8Array;
  /** the split the streams really use (docs/FORMAT.md §3) */
  split: StreamSplit;
  /** words of each stream; the payload holds them interleaved (layout.ts) */
  wordCounts: Int32Array;
}
export interface TansLayer extends TansHeader { words: Uint32Array }

/**
 * sz (DeepSZ): a pruned layer as a relative index array (raw bytes or tANS) and its kept values
 * SZ-coded within `errorBound` (bin codes tANS-coded, escapes stored as float32). `quant` is the
 * int8 view the MAC array takes of the decoded values (255 bins, step max|value| / 127).
 */
export interface SzHeader extends LayerBase {
  codec: 'sz';
  /** absolute error bound, float32 */
  errorBound: number;
  /** bin codes −radius..radius (0..127) */
  radius: number;
  indexCoding: 'raw' | 'tans';
  /** kept weights (values), index entries (fillers included), escaped values */
  values: number;
  indexEntries: number;
  escapes: number;
  /** present when indexCoding is 'tans' and there are entries */
  indexTable?: SzStreamTable;
  /** present when there are values */
  codeTable?: SzStreamTable;
}
export interface SzLayer extends SzHeader { words: Uint32Array }


/** wavelet matrix: a (Huffman-shaped) matrix per layer, its levels' bitmaps and rank directories (docs/WM.md). */
export interface WmHeader extends LayerBase {
  codec: 'wm';
  /**
   * Runtime-Accessible Sequence form (src/codecs/wm/ras.ts): rows closed by delimiters, reached
   * element by element; decoded block by block into an on-chip buffer; or element-wise rows of
   * (distance, value) tuples for a pruned layer
   */
  form: 'element' | 'block' | 'tuples';
  /** block-wise: weights per block (the on-chip buffer); else 0 */
  blockWeights: number;
  /** tuples: G, the distance symbols (gaps 0..G − 2 and the filler); else 0 */
  gapSymbols: number;
  /** code length per symbol of the form's alphabet, 0 for an absent one; all 0 with `only` for a one-symbol layer */
  lengths: Uint8Array;
  /** the symbol of a zero-level layer, else -1 */
  only: number;
  /** bits of each level (level 0: every symbol of the sequence) */
  levelLengths: Int32Array;
  /** zeros of each level */
  levelZeros: Int32Array;
}
export interface WmLayer extends WmHeader { words: Uint32Array }


export type LayerHeader = RawHeader | TansHeader | SzHeader | WmHeader;
export type CodedLayer = RawLayer | TansLayer | SzLayer | WmLayer;
export type CodecId = CodedLayer['codec'];

/** Options a codec's encoder takes (the codec parameters of the declaration, src/params). */
export interface CodecEncodeOptions {
  states: number;
  streams: number;
  split: StreamSplit;
  effort: 'fast' | 'best';
  /** sz: absolute error bound and the fraction of weights pruned */
  errorBound?: number;
  sparsity?: number;
  /** wm: the RAS form of this layer (chosen per layer by FLOPs per parameter) and the block size */
  wmForm?: 'element' | 'block' | 'tuples';
  wmBlockWeights?: number;
}

/** Figures of one layer that depend on its codec (inspect, run reports). */
export interface CodecFigures {
  states: number | null;
  streams: number | null;
  /** decode-table bytes the chip holds while decoding the layer: 3L for tANS, as in the paper */
  tableBytes: number;
}

export interface Codec<H extends LayerHeader, L extends H & CodedLayer> {
  readonly id: H['codec'];
  /** the codec byte of a layer record */
  readonly tag: number;
  /** encodes a layer's quantized symbols (bin indices, flat canonical order); verified by decoding */
  encode(symbols: Uint8Array, base: LayerBase, opts: CodecEncodeOptions): L;
  /** the codec's section of the binary layer header */
  writeHeader(layer: H, w: ByteWriter): void;
  /** reads and checks that section (every field against the common part and the format's ranges) */
  readHeader(r: ByteReader, base: LayerBase): H;
  /** payload bytes the header implies */
  payloadLength(header: H): number;
  payload(layer: L): Uint8Array;
  /** the layer from its header and payload (payload length already checked) */
  withPayload(header: H, payload: Uint8Array): L;
  /** reference software decoder: symbols in flat order; throws HwsimError naming the failed check */
  decode(layer: L): Uint8Array;
  /**
   * How often each of the `bins` symbols occurs in decode(layer), with every check decode makes:
   * for callers that need no order (verifying an image), where the codec can skip putting the
   * symbols in flat order. Absent: a histogram of decode(layer).
   */
  decodeHistogram?(layer: L, bins: number): Float64Array;
  /** for codecs that code float values (sz): the decoded weights themselves, not a dequantization of decode() */
  decodeValues?(layer: L): Float32Array;
  figures(header: H): CodecFigures;
}

export const params = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
