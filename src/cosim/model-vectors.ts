/**
 * Co-simulation layers from a model's weights (a zoo network or a trained weights file) through
 * the encoder `hwsim encode` uses: quantize at `bins`, choose the table (chooseTable), split into
 * one stream per engine lane, encode. So the RTL sees the tables and bitstreams the tool ships.
 */
import { check } from '../errors.js';
import { layerLoadWords, type TansDecoderParams } from '../chip/tans-decoder.js';
import { quantize } from '../codecs/quant/index.js';
import { encodeTansLayer } from '../codecs/tans/layer.js';
import { interleaveStreams } from '../codecs/tans/layout.js';
import { streamIndices } from '../codecs/tans/streams.js';
import type { Model } from '../models/types.js';
import { corruptLayerStreams, Rng, type CosimLayer } from './tans-vectors.js';

export interface ModelVectorOptions {
  /** quantization bins of every layer (odd, at most 2^symbolBits and at most L) */
  bins: number;
  /** the first `layers` layers of the model (all when undefined) */
  layers?: number;
  /** a layer larger than this keeps only its first output channels (whole ones, at least one) */
  maxWeightsPerLayer: number;
  seed: number;
  corruptLayers?: readonly number[];
}

export function modelLayers(p: TansDecoderParams, model: Model, o: ModelVectorOptions): CosimLayer[] {
  check(o.bins <= 1 << p.symbolBits, `--bins ${o.bins} does not fit ${p.symbolBits}-bit symbols`,
    `use --bins ${(1 << p.symbolBits) - 1} or fewer, or a larger --symbol-bits`);
  check(o.maxWeightsPerLayer >= 1, `--max-weights ${o.maxWeightsPerLayer} must be at least 1`, 'e.g. --max-weights 65536');
  const chosen = model.layers.slice(0, o.layers ?? model.layers.length);
  const rng = new Rng(o.seed);
  return chosen.map((layer, l) => {
    const shape = [...layer.spec.weightShape];
    const perOut = shape.slice(1).reduce((a, b) => a * b, 1);
    shape[0] = Math.max(1, Math.min(shape[0], Math.floor(o.maxWeightsPerLayer / perOut)));
    const weights = layer.weights.subarray(0, shape[0] * perOut);
    const q = quantize(weights, o.bins);
    const code = encodeTansLayer(q.symbols, o.bins, shape, { states: p.states, streams: p.streams, split: 'channel' });
    const streams = code.streams.map((s) => ({ words: Uint32Array.from(s.words), bitLength: s.bitLength, symbolCount: s.symbolCount }));
    const symbols = streamIndices(shape, p.streams, 'channel').map((idx) => Uint8Array.from(idx, (i) => q.symbols[i]));
    const corrupt = o.corruptLayers?.includes(l) ?? false;
    const corruption = corrupt ? corruptLayerStreams(streams, code.decodeTable, rng) : undefined;
    const base = {
      table: code.decodeTable, bins: o.bins, symbols, streams, corrupt, corruption,
      symbolCounts: streams.map((s) => s.symbolCount),
      wordCounts: streams.map((s) => s.words.length),
      words: interleaveStreams(streams.map((s) => s.words)), // = code.words unless corrupted
    };
    return { ...base, load: layerLoadWords(p, base, `layer ${l} (${layer.spec.name})`) };
  });
}
