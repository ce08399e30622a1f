/**
 * The figures `hwsim inspect` reports for a decoded .hwz image: per layer and in total, the
 * entropy bound, payload bits, bits/weight, gap to the bound, decode table bytes, the container's
 * overhead (record prefix + CRC per layer; the trailer once), and what splitting a layer into S
 * streams costs against a single stream with the same table.
 */
import type { ContainerImage } from './container.js';
import { isEdge, tansOrRaw } from './model-codec.js';
import type { DecodedLayer } from './model-image.js';
import type { CodecParams } from '../params/generated-types.js';
import { CODEC_DEFAULTS } from '../params/groups.js';
import { encodeStream } from './tans/codec.js';
import { rebuildSpread } from './tans/layer.js';
import { buildEncodeTable } from './tans/table.js';

/** bytes of a record's CRC (FORMAT.md §4) */
const RECORD_CRC_BYTES = 4;

export interface LayerFigures {
  name: string;
  codec: string;
  params: number;
  bins: number;
  states: number | null;
  streams: number | null;
  entropyBits: number;
  /** payload bits as stored (32 per tANS word, 8 per raw weight) */
  codedBits: number;
  bitsPerWeight: number;
  gapToEntropy: number;     // codedBits / entropyBits − 1
  tableBytes: number;       // 3L per decoder table
  /** the layer's container bytes beyond its payload: codec byte, lengths, binary header, CRC */
  overheadBytes: number;
  singleStreamBits: number | null;
  streamOverhead: number | null; // codedBits / singleStreamBits − 1
  /**
   * why a raw layer is raw: an edge layer kept int8, or a fallback because its tANS record (the
   * same symbols, recoded here with the image's settings) takes more bytes than the raw one
   */
  raw: { reason: 'edge' } | { reason: 'fallback'; tansBytes: number; rawBytes: number } | null;
}

export interface ModelFigures {
  model: string;
  synthetic: boolean;
  description: string;
  fileBytes: number;
  /** file bytes beyond the payloads: magic, every layer's overhead, the trailer */
  fileOverheadBytes: number;
  layers: LayerFigures[];
  total: Omit<LayerFigures, 'name' | 'codec' | 'bins' | 'states' | 'streams' | 'raw'> & { tansGapToEntropy: number };
}

/** Bits of the layer coded as one stream with the same table (padded to a whole word, as stored). */
function singleStreamBits(l: DecodedLayer): number | null {
  if (l.layer.codec !== 'tans') return null;
  const t = l.layer;
  const enc = buildEncodeTable(t.counts, rebuildSpread(t.spreadKind, t.counts, t.explicitSpread, t.tail));
  return encodeStream(l.symbols, enc).words.length * 32;
}

/** Why raw layer i is raw (null for a tANS layer). */
function rawReason(image: ContainerImage, l: DecodedLayer, i: number): LayerFigures['raw'] {
  if (l.layer.codec !== 'raw') return null;
  const opts = { ...CODEC_DEFAULTS, ...image.options } as CodecParams;
  if (isEdge(i, image.layers.length, opts.keepEdges) || l.bins > opts.states) return { reason: 'edge' };
  // the stream count the encoder used: the tANS layers', else the settings'
  const t = image.layers.find((x) => x.codec === 'tans');
  const streams = t?.codec === 'tans' ? t.wordCounts.length : opts.streams;
  const r = tansOrRaw(l.symbols, { shape: l.layer.shape, quant: l.layer.quant },
    { states: opts.states, streams, split: opts.split, effort: opts.effort });
  return { reason: 'fallback', tansBytes: r.tansBytes, rawBytes: r.rawBytes };
}

export function modelFigures(image: ContainerImage, decoded: readonly DecodedLayer[]): ModelFigures {
  const layers = decoded.map((l, i): LayerFigures => {
    const single = singleStreamBits(l);
    return {
      name: l.name, codec: l.codec, params: l.symbols.length, bins: l.bins,
      states: l.figures.states, streams: l.figures.streams,
      entropyBits: l.entropyBits, codedBits: l.payloadBits,
      bitsPerWeight: l.payloadBits / l.symbols.length,
      gapToEntropy: l.payloadBits / l.entropyBits - 1,
      tableBytes: l.figures.tableBytes,
      overheadBytes: image.records[i].prefix.length + RECORD_CRC_BYTES,
      singleStreamBits: single,
      streamOverhead: single === null ? null : l.payloadBits / single - 1,
      raw: rawReason(image, l, i),
    };
  });
  const sum = (f: (l: LayerFigures) => number, ls = layers) => ls.reduce((a, l) => a + f(l), 0);
  const tans = layers.filter((l) => l.codec === 'tans');
  const params = sum((l) => l.params);
  const codedBits = sum((l) => l.codedBits);
  const entropyBits = sum((l) => l.entropyBits);
  const tansSingle = sum((l) => l.singleStreamBits ?? 0, tans);
  const payloadBytes = image.records.reduce((a, r) => a + r.payload.length, 0);
  return {
    model: image.model.name,
    synthetic: image.model.synthetic,
    description: image.model.description,
    fileBytes: image.fileBytes,
    fileOverheadBytes: image.fileBytes - payloadBytes,
    layers,
    total: {
      params, entropyBits, codedBits,
      bitsPerWeight: codedBits / params,
      gapToEntropy: codedBits / entropyBits - 1,
      tansGapToEntropy: sum((l) => l.codedBits, tans) / sum((l) => l.entropyBits, tans) - 1,
      tableBytes: sum((l) => l.tableBytes),
      overheadBytes: sum((l) => l.overheadBytes),
      singleStreamBits: tansSingle,
      streamOverhead: tans.length ? sum((l) => l.codedBits, tans) / tansSingle - 1 : null,
    },
  };
}
