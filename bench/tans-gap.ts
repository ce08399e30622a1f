/**
 * Gap of tANS coding to the entropy bound, ours (chooseTable) vs the FSE baseline, on the
 * documented synthetic set (bench/synthetic-laplace.ts), plus single-thread codec throughput.
 * The same on real trained weights: bench/real-weights-gap.ts.
 *
 *   npx tsc -p . && node dist/bench/tans-gap.js [--json] [--states 64,128,256]
 *
 * Gaps are measured on ACTUAL encoded bits: one stream over all symbols of a set, encodeStream's
 * bitLength (initial state included) / symbols, against the empirical entropy H of those symbols.
 * The expected gap is cost.ts's stationary figure for the same table.
 */
import { ChainCost } from '../src/codecs/tans/cost.js';
import { chooseTable, type Effort, type SpreadKind } from '../src/codecs/tans/optimize.js';
import { fseBaselineTable } from '../src/codecs/tans/fse-baseline.js';
import { buildDecodeTable, buildEncodeTable } from '../src/codecs/tans/table.js';
import { decodeStream, encodeStream } from '../src/codecs/tans/codec.js';
import { runIfEntry } from './entry.js';
import { entropyOf } from '../src/codecs/quant/index.js';
import { histogram } from '../src/codecs/tans/layer.js';
import { laplaceWeights, quantizeZeroPoint, stepForEntropy, syntheticLaplaceSets } from './synthetic-laplace.js';

export interface GapRow {
  set: string;
  bins: number;
  symbols: number;
  states: number;
  /** empirical entropy, bits/symbol */
  entropy: number;
  /** `bits`: actual encoded bits of the set in one stream, initial state included */
  ours: { effort: Effort; spreadKind: SpreadKind; bits: number; actualGapPct: number; expectedGapPct: number; chooseMs: number };
  oursFast: { spreadKind: SpreadKind; bits: number; actualGapPct: number; expectedGapPct: number; chooseMs: number };
  fse: { bits: number; actualGapPct: number; expectedGapPct: number };
  /** 'yes' fewer bits than FSE, 'tie' FSE's own table chosen (or equal bits), 'NO' more */
  beatsFse: 'yes' | 'tie' | 'NO';
}

function actualBits(symbols: Uint8Array, counts: Int32Array, spread: Uint8Array): number {
  return encodeStream(symbols, buildEncodeTable(counts, spread)).bitLength;
}

const pct = (bits: number, h: number) => (h > 0 ? (bits / h - 1) * 100 : 0);

/**
 * Gap rows of one symbol sequence (e.g. a real layer's quantized weights, symbols in 0..bins-1)
 * for each table size: ours with effort 'best' and 'fast', and the FSE baseline.
 */
export function gapRowsForSymbols(name: string, symbols: Uint8Array, bins: number, states: readonly number[] = [64, 128, 256]): GapRow[] {
  const hist = histogram(symbols, bins);
  const h = entropyOf(hist);
  const n = symbols.length;
  return states.map((L) => {
    const cc = new ChainCost(hist, L);
    let t0 = performance.now();
    const best = chooseTable(hist, L, 'best');
    const bestMs = performance.now() - t0;
    t0 = performance.now();
    const fast = chooseTable(hist, L, 'fast');
    const fastMs = performance.now() - t0;
    const fse = fseBaselineTable(hist, L);
    const bestBits = actualBits(symbols, best.counts, best.spread);
    const fastBits = actualBits(symbols, fast.counts, fast.spread);
    const fseBits = actualBits(symbols, fse.counts, fse.spread);
    const oursGap = pct(bestBits / n, h);
    const fseGap = pct(fseBits / n, h);
    return {
      set: name, bins, symbols: n, states: L, entropy: h,
      ours: { effort: 'best', spreadKind: best.spreadKind, bits: bestBits, actualGapPct: oursGap, expectedGapPct: pct(best.expectedBitsPerSymbol, h), chooseMs: bestMs },
      oursFast: {
        spreadKind: fast.spreadKind, bits: fastBits, actualGapPct: pct(fastBits / n, h),
        expectedGapPct: pct(fast.expectedBitsPerSymbol, h), chooseMs: fastMs,
      },
      fse: { bits: fseBits, actualGapPct: fseGap, expectedGapPct: pct(cc.evaluate(fse.counts, fse.spread), h) },
      beatsFse: bestBits < fseBits ? 'yes' : bestBits === fseBits ? 'tie' : 'NO',
    };
  });
}

export interface Throughput { states: number; symbols: number; encodeMsps: number; decodeMsps: number; runs: number }

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
}

/** Single-thread encodeStream / decodeStream speed, median of `runs`, on 31-bin H = 1.8 symbols. */
export function codecThroughput(states: number, count = 1 << 22, runs = 7): Throughput {
  const weights = laplaceWeights(count, 2);
  const symbols = quantizeZeroPoint(weights, stepForEntropy(weights.subarray(0, 1 << 18), 31, 1.8), 31);
  const t = chooseTable(histogram(symbols, 31), states, 'fast');
  const enc = buildEncodeTable(t.counts, t.spread);
  const dec = buildDecodeTable(t.counts, t.spread);
  const out = new Uint8Array(count);
  const encT: number[] = [];
  const decT: number[] = [];
  let stream = encodeStream(symbols, enc);
  for (let r = 0; r < runs + 1; r++) { // first run warms up
    let t0 = performance.now();
    stream = encodeStream(symbols, enc);
    const te = performance.now() - t0;
    t0 = performance.now();
    decodeStream(stream.words, stream.bitLength, count, dec, out);
    const td = performance.now() - t0;
    if (r > 0) { encT.push(te); decT.push(td); }
  }
  for (let i = 0; i < count; i++) if (out[i] !== symbols[i]) throw new Error('throughput run did not round-trip');
  return { states, symbols: count, encodeMsps: count / median(encT) / 1e3, decodeMsps: count / median(decT) / 1e3, runs };
}

function fmt(v: number, w = 7, d = 2): string {
  return v.toFixed(d).padStart(w);
}

function main(argv: string[]): void {
  const json = argv.includes('--json');
  const si = argv.indexOf('--states');
  const states = si >= 0 ? argv[si + 1].split(',').map(Number) : [64, 128, 256];
  const rows: GapRow[] = [];
  for (const set of syntheticLaplaceSets()) rows.push(...gapRowsForSymbols(set.name, set.symbols, set.bins, states));
  const throughput = [64, 256].map((L) => codecThroughput(L));
  if (json) {
    process.stdout.write(JSON.stringify({ rows, throughput }, null, 2) + '\n');
    return;
  }
  const out: string[] = [];
  out.push('tANS gap to the entropy bound (actual encoded bits over the whole set; expected = cost.ts)');
  out.push('set                     bins     L  H bits |  ours%  exp%     kind    ms |  fast%  exp%     kind  ms |   FSE%  exp% | beats FSE');
  for (const r of rows) {
    out.push(`${r.set.padEnd(22)} ${String(r.bins).padStart(5)} ${String(r.states).padStart(5)} ${fmt(r.entropy, 6, 3)} |` +
      `${fmt(r.ours.actualGapPct)}${fmt(r.ours.expectedGapPct, 6)} ${r.ours.spreadKind.padStart(8)} ${fmt(r.ours.chooseMs, 5, 0)} |` +
      `${fmt(r.oursFast.actualGapPct, 6)}${fmt(r.oursFast.expectedGapPct, 6)} ${r.oursFast.spreadKind.padStart(8)} ${fmt(r.oursFast.chooseMs, 3, 0)} |` +
      `${fmt(r.fse.actualGapPct, 6)}${fmt(r.fse.expectedGapPct, 6)} | ${r.beatsFse}`);
  }
  out.push('');
  out.push('codec throughput, single thread, median of 7 runs over 4M symbols (31 bins, H = 1.8):');
  for (const t of throughput) out.push(`  L = ${String(t.states).padStart(4)}: encodeStream ${fmt(t.encodeMsps, 6, 1)} M symbols/s, decodeStream ${fmt(t.decodeMsps, 6, 1)} M symbols/s`);
  process.stdout.write(out.join('\n') + '\n');
}

runIfEntry(import.meta.url, main);
