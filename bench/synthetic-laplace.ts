/**
 * The documented synthetic weight set for tANS benchmarks (docs/TANS.md, "Synthetic set").
 *
 * Weights: i.i.d. Laplace(0, 1), 2^20 of them from a seeded generator (a Weyl sequence through
 * a 32-bit integer mixer; fixed seed 1). Quantization: the zero-point quantizer
 *   symbol = clamp(round(w / step), -m, m) + m,   m = (bins - 1) / 2,   round half away from zero,
 * to 15 and 31 bins, with `step` bisected (in log space) until the empirical entropy of the symbols
 * is within 0.001 bits of the target: 0.5, 1.8 and 3.0 bits, plus the reference cell of DESIGN.md,
 * 15 bins at H = 0.13 bits.
 */
import { entropyOf } from '../src/codecs/quant/index.js';
import { histogram } from '../src/codecs/tans/layer.js';

export interface SyntheticSet {
  readonly name: string;
  readonly bins: number;
  readonly targetEntropy: number;
  /** empirical entropy of `symbols`, bits/symbol */
  readonly entropy: number;
  readonly step: number;
  readonly symbols: Uint8Array;
}

export const SYNTHETIC_WEIGHTS = 1 << 20;
export const SYNTHETIC_SEED = 1;
export const SYNTHETIC_CELLS: ReadonlyArray<{ bins: number; entropy: number }> = [
  { bins: 15, entropy: 0.13 },
  { bins: 15, entropy: 0.5 },
  { bins: 15, entropy: 1.8 },
  { bins: 15, entropy: 3.0 },
  { bins: 31, entropy: 0.5 },
  { bins: 31, entropy: 1.8 },
  { bins: 31, entropy: 3.0 },
];

/** Seeded uniform generator on (0, 1): a Weyl sequence through a 32-bit avalanche mixer. */
export function uniformSource(seed: number): () => number {
  let state = (seed * 0x9e3779b9) >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    z = (z ^ (z >>> 16)) >>> 0;
    return (z + 0.5) / 4294967296;
  };
}

/** `count` Laplace(0, scale) samples by inverse transform. */
export function laplaceWeights(count: number, seed = SYNTHETIC_SEED, scale = 1): Float64Array {
  const next = uniformSource(seed);
  const w = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const u = next();
    w[i] = u < 0.5 ? scale * Math.log(2 * u) : -scale * Math.log(2 * (1 - u));
  }
  return w;
}

/** Zero-point quantizer with an odd number of bins. */
export function quantizeZeroPoint(weights: Float64Array, step: number, bins: number, out = new Uint8Array(weights.length)): Uint8Array {
  const m = (bins - 1) >> 1;
  const inv = 1 / step;
  for (let i = 0; i < weights.length; i++) {
    const v = weights[i] * inv;
    let q = v >= 0 ? Math.floor(v + 0.5) : -Math.floor(-v + 0.5);
    if (q > m) q = m; else if (q < -m) q = -m;
    out[i] = q + m;
  }
  return out;
}


/** Bisects the quantizer step (entropy falls as the step grows) to hit `target` bits. */
export function stepForEntropy(weights: Float64Array, bins: number, target: number, tolerance = 1e-3): number {
  let lo = Math.log(1e-4);
  let hi = Math.log(1e3);
  const buf = new Uint8Array(weights.length);
  let mid = 0.5 * (lo + hi);
  for (let it = 0; it < 80; it++) {
    mid = 0.5 * (lo + hi);
    const h = entropyOf(histogram(quantizeZeroPoint(weights, Math.exp(mid), bins, buf), bins));
    if (Math.abs(h - target) < tolerance) break;
    if (h > target) lo = mid; else hi = mid;
  }
  return Math.exp(mid);
}

/** The synthetic set: one entry per cell of SYNTHETIC_CELLS. */
export function syntheticLaplaceSets(count = SYNTHETIC_WEIGHTS, seed = SYNTHETIC_SEED): SyntheticSet[] {
  const weights = laplaceWeights(count, seed);
  return SYNTHETIC_CELLS.map(({ bins, entropy }) => {
    const step = stepForEntropy(weights, bins, entropy);
    const symbols = quantizeZeroPoint(weights, step, bins);
    const h = entropyOf(histogram(symbols, bins));
    return { name: `laplace-${bins}bins-H${entropy}`, bins, targetEntropy: entropy, entropy: h, step, symbols };
  });
}
