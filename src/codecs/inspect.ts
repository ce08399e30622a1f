/**
 * The figures `hwsim inspect` reports for a decoded .hwz image: per layer and in total, the
 * entropy bound, coded bits, bits/weight, gap to the bound, decode table bytes, and what splitting
 * a layer into S streams costs against a single stream with the same table.
 */
import type { DecodedLayer, DecodedModel } from './model-image.js';
import { encodeStream } from './tans/codec.js';
import { rebuildSpread } from './tans/layer.js';
import { buildEncodeTable } from './tans/table.js';

export interface LayerFigures {
  name: string;
  codec: 'tans' | 'raw';
  params: number;
  bins: number;
  states: number | null;
  streams: number | null;
  entropyBits: number;
  codedBits: number;
  bitsPerWeight: number;
  gapToEntropy: number;     // codedBits / entropyBits − 1
  tableBytes: number;       // 3L per decoder table
  singleStreamBits: number | null;
  streamOverhead: number | null; // codedBits / singleStreamBits − 1
}

export interface ModelFigures {
  model: string;
  synthetic: boolean;
  description: string;
  layers: LayerFigures[];
  total: Omit<LayerFigures, 'name' | 'codec' | 'bins' | 'states' | 'streams'> & { tansGapToEntropy: number };
}

/** Bits of the layer coded as one stream with the same table (padded to a whole word, as stored). */
function singleStreamBits(layer: DecodedLayer): number {
  const t = layer.stored.tans!;
  const enc = buildEncodeTable(t.counts, rebuildSpread(t.spreadKind, t.counts, t.explicitSpread, t.tail));
  return encodeStream(layer.symbols, enc).words.length * 32;
}

export function modelFigures(decoded: DecodedModel): ModelFigures {
  const layers = decoded.layers.map((l): LayerFigures => {
    const single = l.codec === 'tans' ? singleStreamBits(l) : null;
    return {
      name: l.name, codec: l.codec, params: l.symbols.length, bins: l.bins,
      states: l.states ?? null, streams: l.streams ?? null,
      entropyBits: l.entropyBits, codedBits: l.codedBits,
      bitsPerWeight: l.codedBits / l.symbols.length,
      gapToEntropy: l.codedBits / l.entropyBits - 1,
      tableBytes: l.states ? 3 * l.states : 0,
      singleStreamBits: single,
      streamOverhead: single === null ? null : l.codedBits / single - 1,
    };
  });
  const sum = (f: (l: LayerFigures) => number, ls = layers) => ls.reduce((a, l) => a + f(l), 0);
  const tans = layers.filter((l) => l.codec === 'tans');
  const params = sum((l) => l.params);
  const codedBits = sum((l) => l.codedBits);
  const entropyBits = sum((l) => l.entropyBits);
  const tansSingle = sum((l) => l.singleStreamBits ?? 0, tans);
  return {
    model: String(decoded.meta.name ?? ''),
    synthetic: decoded.meta.synthetic === true,
    description: String(decoded.meta.description ?? ''),
    layers,
    total: {
      params, entropyBits, codedBits,
      bitsPerWeight: codedBits / params,
      gapToEntropy: codedBits / entropyBits - 1,
      tansGapToEntropy: sum((l) => l.codedBits, tans) / sum((l) => l.entropyBits, tans) - 1,
      tableBytes: sum((l) => l.tableBytes),
      singleStreamBits: tansSingle,
      streamOverhead: tans.length ? sum((l) => l.codedBits, tans) / tansSingle - 1 : null,
    },
  };
}
