/**
 * Synthetic layers for co-simulation: Laplace-like quantized weights per stream, a table per
 * layer (normalized counts + tuned spread), the streams encoded by the reference encoder, and the
 * engine's load words. Seeded, so the RTL, the cycle model and the cocotb bench see the same bits.
 */
import { decodeStream, encodeStream, type EncodedStream } from '../codecs/tans/codec.js';
import { interleaveStreams } from '../codecs/tans/layout.js';
import { normalizeCounts } from '../codecs/tans/normalize.js';
import { buildDecodeTable, buildEncodeTable, spreadTuned, type DecodeTable } from '../codecs/tans/table.js';
import { layerLoadWords, type EngineLayer, type TansDecoderParams } from '../chip/tans-decoder.js';

export interface CosimLayer extends EngineLayer {
  readonly table: DecodeTable;
  readonly symbolCounts: number[];
  readonly wordCounts: number[];
  /** the symbols each stream encodes (the golden output for an uncorrupted layer) */
  readonly symbols: Uint8Array[];
  readonly streams: EncodedStream[];
  /** the layer's words in DRAM order (layout.ts) */
  readonly words: Uint32Array;
  readonly load: Uint32Array;
  /** one bit of stream 0 was flipped: the engine must raise error and still finish */
  readonly corrupt: boolean;
}

export interface SyntheticOptions {
  layers: number;
  seed: number;
  /** mean symbols per stream (each stream gets 50..150% of it) */
  symbolsPerStream?: number;
  corruptLayers?: readonly number[];
}

/** A small seeded generator for the data (the stall pattern has its own). */
class Rng {
  private x: number;
  constructor(seed: number) { this.x = ((seed * 2654435761) ^ 0x5bd1e995) >>> 0 || 1; }
  u32(): number {
    let x = this.x;
    x = (x ^ (x << 13)) >>> 0; x = (x ^ (x >>> 17)) >>> 0; x = (x ^ (x << 5)) >>> 0;
    return (this.x = x);
  }
  /** uniform in (0, 1) */
  unit(): number { return (this.u32() + 1) / 4294967297; }
  int(lo: number, hi: number): number { return lo + (this.u32() % (hi - lo + 1)); }
}

export function syntheticLayers(p: TansDecoderParams, o: SyntheticOptions): CosimLayer[] {
  const rng = new Rng(o.seed);
  const mean = o.symbolsPerStream ?? 400;
  const maxBins = Math.min(31, (1 << p.symbolBits) - 1, p.states - 1) | 1;
  const out: CosimLayer[] = [];
  for (let l = 0; l < o.layers; l++) {
    const bins = maxBins < 3 ? Math.max(1, maxBins) : rng.int(1, (maxBins - 1) >> 1) * 2 + 1;
    const half = (bins - 1) >> 1;
    const scale = 0.4 + 2 * rng.unit();
    const symbols = Array.from({ length: p.streams }, () => {
      const n = rng.int(Math.floor(mean / 2), Math.ceil(mean * 1.5));
      const s = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const mag = -scale * Math.log(rng.unit());
        const v = Math.round(rng.u32() & 1 ? mag : -mag) + half;
        s[i] = Math.min(bins - 1, Math.max(0, v));
      }
      return s;
    });
    const hist = new Float64Array(bins);
    for (const s of symbols) for (let i = 0; i < s.length; i++) hist[s[i]]++;
    if (hist.every((h) => h === 0)) hist[half] = 1;
    const counts = normalizeCounts(hist, p.states);
    const spread = spreadTuned(counts);
    const table = buildDecodeTable(counts, spread);
    const enc = buildEncodeTable(counts, spread);
    const streams = symbols.map((s) => {
      const e = encodeStream(s, enc);
      return { words: Uint32Array.from(e.words), bitLength: e.bitLength, symbolCount: e.symbolCount };
    });
    const corrupt = o.corruptLayers?.includes(l) ?? false;
    if (corrupt) corruptStream(streams[0], table, rng.int(0, 1 << 20));
    const layer = {
      table, bins, symbols, streams, corrupt,
      symbolCounts: streams.map((s) => s.symbolCount),
      wordCounts: streams.map((s) => s.words.length),
      words: interleaveStreams(streams.map((s) => s.words)),
    };
    out.push({ ...layer, load: layerLoadWords(p, layer) });
  }
  return out;
}

/**
 * Flips one data bit of a stream, trying bit after bit (from a seeded start) until the reference
 * decoder rejects the result: a tANS stream has no checksum, so a few flips go unnoticed.
 */
export function corruptStream(s: EncodedStream, table: DecodeTable, start: number): void {
  const w = s.words as Uint32Array;
  const out = new Uint8Array(s.symbolCount);
  const span = s.bitLength - table.log2States;
  for (let t = 0; t < span; t++) {
    const bit = table.log2States + ((start + t) % span);
    w[bit >>> 5] ^= 1 << (bit & 31);
    try {
      decodeStream(w, s.bitLength, s.symbolCount, table, out);
    } catch {
      return;
    }
    w[bit >>> 5] ^= 1 << (bit & 31);
  }
}
