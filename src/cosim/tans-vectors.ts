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
  /** one stream was corrupted (see Corruption) so that the reference decoder rejects it: the engine
   *  must raise error and still finish */
  readonly corrupt: boolean;
  /** how, and which stream, when corrupt */
  readonly corruption?: { kind: CorruptionKind; stream: number };
}

export interface SyntheticOptions {
  layers: number;
  seed: number;
  /** mean symbols per stream (each stream gets 50..150% of it) */
  symbolsPerStream?: number;
  corruptLayers?: readonly number[];
}

/** A small seeded generator for the data (the stall pattern has its own). */
export class Rng {
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
    const corruption = corrupt ? corruptLayerStreams(streams, table, rng) : undefined;
    const layer = {
      table, bins, symbols, streams, corrupt, corruption,
      symbolCounts: streams.map((s) => s.symbolCount),
      wordCounts: streams.map((s) => s.words.length),
      words: interleaveStreams(streams.map((s) => s.words)),
    };
    out.push({ ...layer, load: layerLoadWords(p, layer, `layer ${l}`) });
  }
  return out;
}

/**
 * The ways a stream is corrupted, each one of the end-of-stream rules (docs/FORMAT.md §2) or a
 * data error that leads to one: `flip` a data bit, `state` a bit of the initial state, `pad` a
 * padding bit after the last read, `truncate` (the last word dropped: the stream reads past its end),
 * `extend` (a zero word appended: the stream stops a whole word short of its end), `overrun` (2 to 11
 * words appended: from just what a default 2-word lane FIFO holds, all of them delivered before the
 * lane ends, to more than a lane's two-word ring and a 4-word FIFO hold, where the stream ends while
 * some of its words are still owed by DRAM, which the engine must take and drop before the layer
 * is done).
 */
export const CORRUPTION_KINDS = ['flip', 'state', 'pad', 'truncate', 'overrun', 'extend'] as const;
export type CorruptionKind = (typeof CORRUPTION_KINDS)[number];

/**
 * The reference verdict: does the codec's own decoder (decodeStream with only what the container
 * holds, i.e. words and symbol count, not the encoder's bit length) reject the stream?
 */
export function referenceRejects(words: Uint32Array, symbolCount: number, table: DecodeTable): boolean {
  try {
    decodeStream(words, undefined, symbolCount, table, new Uint8Array(symbolCount));
    return false;
  } catch {
    return true;
  }
}

export interface MutableStream { words: Uint32Array; bitLength: number; symbolCount: number }

/**
 * Corrupts one stream of a layer (stream and kind drawn from `rng`) so that the reference decoder
 * rejects it; a kind that cannot apply or leaves the stream valid (a tANS stream has no checksum:
 * some bit flips decode to other symbols and still end cleanly) falls through to the next kind,
 * ending with `extend`, which is always rejected.
 */
export function corruptLayerStreams(streams: MutableStream[], table: DecodeTable, rng: Rng): { kind: CorruptionKind; stream: number } {
  const stream = rng.int(0, streams.length - 1);
  const first = CORRUPTION_KINDS[rng.int(0, CORRUPTION_KINDS.length - 1)];
  const start = rng.int(0, 1 << 20);
  const order = [first, ...CORRUPTION_KINDS.filter((c) => c !== first && c !== 'extend'), 'extend' as const];
  for (const kind of order) if (corruptStream(streams[stream], table, start, kind)) return { kind, stream };
  throw new Error('unreachable: a stream with a zero word appended is always rejected');
}

/**
 * Corrupts `s` in place by `kind` (default: one flipped data bit, tried bit after bit from a seeded
 * start) and returns true once the reference decoder rejects it; false (and `s` unchanged) when the
 * kind cannot apply to this stream or no such change is rejected.
 */
export function corruptStream(s: MutableStream, table: DecodeTable, start: number, kind: CorruptionKind = 'flip'): boolean {
  const k = table.log2States;
  const rejects = (w: Uint32Array) => referenceRejects(w, s.symbolCount, table);
  if (kind === 'truncate' || kind === 'extend' || kind === 'overrun') {
    if (kind === 'truncate' && s.words.length < 2) return false;
    // overrun: 2 to 11 words of seeded bits after the stream's own
    const extra = kind === 'overrun' ? Array.from({ length: 2 + (start % 10) }, (_, i) => Math.imul(start + i + 1, 0x9e3779b1) >>> 0) : [0];
    const w = kind === 'truncate' ? s.words.slice(0, -1) : Uint32Array.from([...s.words, ...extra]);
    if (!rejects(w)) return false;
    s.words = w;
    return true;
  }
  const [lo, hi] = kind === 'flip' ? [k, s.bitLength] : kind === 'state' ? [0, k] : [s.bitLength, s.words.length * 32];
  const span = hi - lo;
  const w = s.words;
  for (let t = 0; t < span; t++) {
    const bit = lo + ((start + t) % span);
    w[bit >>> 5] ^= 1 << (bit & 31);
    if (rejects(w)) return true;
    w[bit >>> 5] ^= 1 << (bit & 31);
  }
  return false;
}
