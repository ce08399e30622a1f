/**
 * Between an encoded model and its .hwz image: what goes into the container, and the decode of
 * a container back to quantized symbols and dequantized weights (every layer verified).
 */
import { HwsimError } from '../errors.js';
import type { LayerSpec } from '../models/types.js';
import { readContainer, writeContainer, type StoredLayer, type StoredModel } from './container.js';
import type { EncodedModel } from './model-codec.js';
import { dequantize, entropyOf } from './quant/index.js';
import { StreamDecodeError } from './tans/codec.js';
import { deinterleaveStreams } from './tans/layout.js';
import { decodeTansLayer, histogram, rebuildSpread } from './tans/layer.js';
import { buildDecodeTable, checkSpread } from './tans/table.js';

export function toContainer(encoded: EncodedModel): Uint8Array {
  const stored: StoredModel = {
    meta: {
      ...encoded.model,
      options: encoded.options,
      layers: encoded.layers.map((l) => l.spec),
    },
    layers: encoded.layers.map((l): StoredLayer => {
      const base = { name: l.spec.name, shape: [...l.spec.weightShape], quant: l.quant };
      if (l.codec === 'raw') {
        const m = (l.bins - 1) / 2;
        return { ...base, codec: 'raw', raw: Int8Array.from(l.symbols, (s) => s - m) };
      }
      const t = l.tans!;
      return {
        ...base,
        codec: 'tans',
        tans: {
          states: t.states, counts: t.counts, spreadKind: t.spreadKind,
          explicitSpread: t.spreadKind === 'explicit' ? t.spread : undefined,
          tail: t.tail,
          split: t.split,
          streams: t.streams.map((s) => ({ symbolCount: s.symbolCount, bitLength: s.bitLength })),
          words: t.words,
        },
      };
    }),
  };
  return writeContainer(stored);
}

export interface DecodedLayer {
  name: string;
  shape: number[];
  codec: 'tans' | 'raw';
  bins: number;
  states?: number;
  streams?: number;
  symbols: Uint8Array;
  /** integer levels symbol − (bins−1)/2, what the chip's dequantizer hands the MAC array */
  levels: Int8Array;
  values: Float32Array;
  entropyBits: number;
  codedBits: number;
  stored: StoredLayer;
}

export interface DecodedModel {
  meta: Record<string, unknown>;
  specs: LayerSpec[];
  layers: DecodedLayer[];
}

/** Reads a .hwz image and decodes every layer; any failed check names the layer. */
export function decodeContainer(bytes: Uint8Array, label: string): DecodedModel {
  const stored = readContainer(bytes, label);
  const specs = Array.isArray(stored.meta.layers) ? (stored.meta.layers as LayerSpec[]) : [];
  const layers = stored.layers.map((layer, i) => {
    try {
      return decodeStoredLayer(layer);
    } catch (err) {
      if (err instanceof StreamDecodeError || err instanceof HwsimError) {
        throw new HwsimError(`${label}: layer #${i} '${layer.name}': ${err.message}`,
          're-encode the model, or restore the file from a good copy');
      }
      throw err;
    }
  });
  return { meta: stored.meta, specs, layers };
}

function decodeStoredLayer(layer: StoredLayer): DecodedLayer {
  const { bins } = layer.quant;
  const m = (bins - 1) / 2;
  let symbols: Uint8Array;
  let codedBits: number;
  if (layer.codec === 'raw') {
    const raw = layer.raw!;
    symbols = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      if (raw[i] < -m || raw[i] > m) throw new HwsimError(`raw weight ${i} = ${raw[i]} lies outside ±${m}`);
      symbols[i] = raw[i] + m;
    }
    codedBits = raw.length * 8;
  } else {
    const t = layer.tans!;
    const spread = rebuildSpread(t.spreadKind, t.counts, t.explicitSpread, t.tail);
    checkSpread(spread, t.counts);
    const table = buildDecodeTable(t.counts, spread);
    const wordCounts = t.streams.map((s) => Math.ceil(s.bitLength / 32));
    const words = deinterleaveStreams(t.words, wordCounts);
    symbols = decodeTansLayer(layer.shape, table, t.split,
      t.streams.map((s, k) => ({ ...s, words: words[k] })));
    codedBits = t.words.length * 32;
  }
  const levels = new Int8Array(symbols.length);
  for (let i = 0; i < symbols.length; i++) levels[i] = symbols[i] - m;
  const perChannelStride = layer.quant.stepsPerChannel ? symbols.length / layer.shape[0] : undefined;
  return {
    name: layer.name, shape: layer.shape, codec: layer.codec, bins,
    states: layer.tans?.states, streams: layer.tans?.streams.length,
    symbols, levels,
    values: dequantize(symbols, layer.quant, perChannelStride),
    entropyBits: entropyOf(histogram(symbols, bins)) * symbols.length,
    codedBits,
    stored: layer,
  };
}
