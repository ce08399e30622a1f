/**
 * A whole model through the codecs: quantize each layer (zero-point, per-layer precision), encode
 * it (tANS, or raw int8 for the edge layers), and verify by decoding before anything is reported.
 * This is the step between a model file and both the .hwz container and the chip simulator.
 */
import { check, HwsimError } from '../errors.js';
import type { LayerSpec, Model } from '../models/types.js';
import { allocateBits, quantize, quantizeInt8, quantizeWith, type QuantizedLayer, type QuantParams } from './quant/index.js';
import { StreamDecodeError } from './tans/codec.js';
import { decodeTansLayer, encodeTansLayer, type TansLayerCode } from './tans/layer.js';
import type { StreamSplit } from './tans/streams.js';
import type { DecodeTable } from './tans/table.js';
import { checkStates } from './tans/table.js';

/** When neither --bins nor --bits-per-weight is given: an average entropy budget per weight. */
export const DEFAULT_BITS_PER_WEIGHT = 2;

export interface EncodeOptions {
  states: number;
  streams: number;
  bins?: number;
  bitsPerWeight?: number;
  /** with bins: one step per output channel (weightShape[0]) */
  perChannel?: boolean;
  /** with bins: steps by least MSE + λ·entropy instead of least MSE */
  rdLambda?: number;
  keepEdges?: boolean;
  split?: StreamSplit;
  effort?: 'fast' | 'best';
}

export interface EncodedLayer {
  spec: LayerSpec;
  codec: 'tans' | 'raw';
  params: number;
  bins: number;
  quant: QuantParams;
  /** empirical entropy bound of the quantized symbols, bits in total */
  entropyBits: number;
  /** payload bits actually stored: 32 per word for tANS, 8 per weight for raw */
  codedBits: number;
  /** decode table bytes the chip holds for this layer: 3L for tANS (as in the paper), 0 for raw */
  tableBytes: number;
  /** the quantized symbols (bin indices), flat in canonical weight order */
  symbols: Uint8Array;
  tans?: TansLayerCode;
  // the fields the chip model reads (tANS only)
  decodeTable?: DecodeTable;
  symbolCounts?: Int32Array;
  wordCounts?: Int32Array;
  words?: Uint32Array;
}

export interface EncodedModel {
  model: { name: string; synthetic: boolean; description: string; source: string };
  options: EncodeOptions;
  layers: EncodedLayer[];
}

export function validateEncodeOptions(opts: EncodeOptions): void {
  checkStates(opts.states);
  check(Number.isInteger(opts.streams) && opts.streams >= 1 && opts.streams <= 256,
    `--streams ${opts.streams} is outside 1..256`, 'pick a stream count from 1 to 256');
  if (opts.bins !== undefined) {
    check(Number.isInteger(opts.bins) && opts.bins >= 3 && opts.bins <= 255 && opts.bins % 2 === 1,
      `--bins ${opts.bins} must be an odd integer in 3..255`, 'zero-point quantization needs an odd bin count, e.g. --bins 15');
    check(opts.bins <= opts.states, `--bins ${opts.bins} gives more symbols than the ${opts.states} states of the table can hold`,
      `use --states ${1 << Math.ceil(Math.log2(opts.bins))} or more, or fewer bins`);
  }
  if (opts.bitsPerWeight !== undefined) {
    check(opts.bitsPerWeight > 0 && opts.bitsPerWeight <= 8,
      `--bits-per-weight ${opts.bitsPerWeight} is outside (0, 8]`, 'e.g. --bits-per-weight 2');
  }
  check(opts.bins === undefined || opts.bitsPerWeight === undefined,
    '--bins and --bits-per-weight both given', 'use one: --bins fixes every layer, --bits-per-weight sets a budget');
  check(!opts.perChannel || opts.bins !== undefined, '--per-channel needs --bins',
    'give --bins N: the --bits-per-weight allocation chooses one step per layer');
  if (opts.rdLambda !== undefined) {
    check(opts.bins !== undefined, '--rd-lambda needs --bins', 'give --bins N: --bits-per-weight already trades distortion against entropy across layers');
    check(Number.isFinite(opts.rdLambda) && opts.rdLambda >= 0, `--rd-lambda ${opts.rdLambda} is not a number ≥ 0`, 'e.g. --rd-lambda 1e-6');
  }
}

/** Tensors the quantizer sees: edge layers stay int8 when keepEdges is on (the paper's setting). */
function isEdge(index: number, count: number, keepEdges: boolean): boolean {
  return keepEdges && count > 2 && (index === 0 || index === count - 1);
}

export function encodeModel(model: Model, opts: EncodeOptions): EncodedModel {
  validateEncodeOptions(opts);
  const keepEdges = opts.keepEdges ?? true;
  const split = opts.split ?? 'channel';
  const n = model.layers.length;
  check(n > 0, `model ${model.name} has no weight layers`);
  const coded = model.layers.map((_, i) => !isEdge(i, n, keepEdges));
  // Precision per coded layer: fixed bins, or an entropy budget shared by all coded layers.
  const budget = opts.bins === undefined ? (opts.bitsPerWeight ?? DEFAULT_BITS_PER_WEIGHT) : undefined;
  const codedWeights = model.layers.filter((_, i) => coded[i]).map((l) => l.weights);
  const allocation = budget !== undefined && codedWeights.length > 0
    ? allocateBits(codedWeights, budget, { maxBins: Math.min(255, opts.states - 1) })
    : [];
  let a = 0;
  const layers = model.layers.map((layer, i): EncodedLayer => {
    const { spec, weights } = layer;
    if (!coded[i]) return rawLayer(spec, weights);
    const q = opts.bins !== undefined
      ? quantize(weights, opts.bins, {
        method: opts.rdLambda === undefined ? 'mse' : 'rd', lambda: opts.rdLambda,
        perChannel: opts.perChannel ? { channels: spec.weightShape[0] } : undefined,
      })
      : quantizeWith(weights, allocation[a++]);
    check(q.params.bins <= opts.states,
      `layer ${spec.name}: ${q.params.bins} bins do not fit ${opts.states} states`, 'use more --states or fewer bins');
    return tansLayer(spec, q, opts, split);
  });
  return {
    model: { name: model.name, synthetic: model.synthetic, description: model.description, source: model.source },
    options: { ...opts, keepEdges, split },
    layers,
  };
}

function rawLayer(spec: LayerSpec, weights: Float32Array): EncodedLayer {
  const q = quantizeInt8(weights);
  return {
    spec, codec: 'raw', params: weights.length, bins: q.params.bins, quant: q.params,
    entropyBits: q.entropyBits, codedBits: weights.length * 8, tableBytes: 0, symbols: q.symbols,
  };
}

function tansLayer(spec: LayerSpec, q: QuantizedLayer, opts: EncodeOptions, split: StreamSplit): EncodedLayer {
  const { symbols, params: quant } = q;
  const code = encodeTansLayer(symbols, quant.bins, spec.weightShape, {
    states: opts.states, streams: opts.streams, split, effort: opts.effort,
  });
  verifyTansLayer(spec.name, spec.weightShape, code, symbols);
  return {
    spec, codec: 'tans', params: symbols.length, bins: quant.bins, quant,
    entropyBits: q.entropyBits,
    codedBits: code.words.length * 32,
    tableBytes: 3 * opts.states,
    symbols,
    tans: code,
    decodeTable: code.decodeTable,
    symbolCounts: Int32Array.from(code.streams, (s) => s.symbolCount),
    wordCounts: Int32Array.from(code.streams, (s) => s.words.length),
    words: code.words,
  };
}

/** Encoding is only reported once the bitstream decodes back to exactly the same symbols. */
function verifyTansLayer(name: string, shape: readonly number[], code: TansLayerCode, symbols: Uint8Array): void {
  let decoded: Uint8Array;
  try {
    decoded = decodeTansLayer(shape, code.decodeTable, code.split, code.streams);
  } catch (err) {
    if (err instanceof StreamDecodeError) throw new HwsimError(`internal: layer ${name} failed its verify decode: ${err.message}`);
    throw err;
  }
  for (let i = 0; i < symbols.length; i++) {
    if (decoded[i] !== symbols[i]) {
      throw new HwsimError(`internal: layer ${name} verify decode differs at weight ${i} (${decoded[i]} vs ${symbols[i]})`);
    }
  }
}
