/**
 * Zero-point uniform quantizer (odd bin count, so that zero is a bin center):
 *
 *   level  = clamp(round(w / step), −m, m),  m = (bins − 1) / 2
 *   symbol = level + m                       (bin index 0..bins−1, what tANS codes)
 *   w'     = level · step                    (dequantized; the chip's int8 weight is `level`)
 *
 * The step is chosen by minimum MSE, or rate-distortion (D + λ·H), and `allocateBits` picks each
 * layer's bins and step to meet an average entropy budget with the least total squared error.
 * Searches run on a deterministic subsample through per-level statistics (levelStats.ts), so that
 * every candidate (bins, step) costs O(levels), not O(weights).
 */
import { check } from '../../errors.js';
import { candidateSteps, levelStats, distortionAndEntropy, subsample } from './level-stats.js';

export interface QuantParams {
  bins: number;
  step: number;
  /** optional per-output-channel steps, overriding `step` */
  stepsPerChannel?: Float32Array;
}

export interface QuantizedLayer {
  params: QuantParams;
  symbols: Uint8Array;
  /** empirical entropy of the symbols, bits in total */
  entropyBits: number;
}

export function checkBins(bins: number): void {
  check(Number.isInteger(bins) && bins >= 3 && bins <= 255 && bins % 2 === 1,
    `bins ${bins} must be an odd integer in 3..255`, 'zero-point quantization needs an odd bin count, e.g. --bins 15');
}

/** Bits per symbol of a histogram. */
export function entropyOf(hist: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < hist.length; i++) total += hist[i];
  if (total === 0) return 0;
  let h = 0;
  for (let i = 0; i < hist.length; i++) {
    if (hist[i] > 0) { const p = hist[i] / total; h -= p * Math.log2(p); }
  }
  return h;
}

/** The hardware dequantizer: bin index → integer level in [−127, 127]. */
export function symbolToInt8(symbol: number, bins: number): number {
  return symbol - ((bins - 1) >> 1);
}

/** Quantizes with given parameters. */
export function quantizeWith(weights: Float32Array, params: QuantParams): QuantizedLayer {
  checkBins(params.bins);
  check(params.step > 0 && Number.isFinite(params.step), `quantizer step ${params.step} is not a positive number`);
  const m = (params.bins - 1) >> 1;
  const symbols = new Uint8Array(weights.length);
  const hist = new Float64Array(params.bins);
  const inv = 1 / params.step;
  for (let i = 0; i < weights.length; i++) {
    let level = Math.round(weights[i] * inv);
    if (level > m) level = m; else if (level < -m) level = -m;
    else if (level !== level) level = 0; // NaN weights
    const s = level + m;
    symbols[i] = s;
    hist[s]++;
  }
  return { params: { bins: params.bins, step: params.step }, symbols, entropyBits: entropyOf(hist) * weights.length };
}

function maxAbs(weights: Float32Array): number {
  let a = 0;
  for (let i = 0; i < weights.length; i++) { const v = Math.abs(weights[i]); if (v > a) a = v; }
  return a;
}

export interface QuantizeOptions {
  /** 'mse' (default): least squared error; 'rd': least D + λ·H (entropy-constrained) */
  method?: 'mse' | 'rd';
  /** λ for 'rd', in squared-weight units per bit */
  lambda?: number;
}

/** Quantizes to `bins` bins with the step chosen by minimum MSE (or D + λ·H). */
export function quantize(weights: Float32Array, bins: number, opts: QuantizeOptions = {}): QuantizedLayer {
  checkBins(bins);
  const method = opts.method ?? 'mse';
  const lambda = method === 'rd' ? (opts.lambda ?? 0) : 0;
  check(lambda >= 0, `lambda ${lambda} is negative`);
  const top = maxAbs(weights);
  if (top === 0) return quantizeWith(weights, { bins, step: 1 });
  const m = (bins - 1) >> 1;
  const sample = subsample(weights);
  let best = { cost: Infinity, step: top / m };
  for (const step of candidateSteps(top, m)) {
    const stats = levelStats(sample, step);
    const { distortion, entropy } = distortionAndEntropy(stats, m, step);
    const cost = distortion + lambda * entropy;
    if (cost < best.cost) best = { cost, step };
  }
  return quantizeWith(weights, { bins, step: best.step });
}

/** The raw int8 path for layers kept uncompressed: 255 bins, step = max|w| / 127. */
export function quantizeInt8(weights: Float32Array): QuantizedLayer {
  const top = maxAbs(weights);
  return quantizeWith(weights, { bins: 255, step: top > 0 ? top / 127 : 1 });
}

export function dequantize(symbols: Uint8Array, params: QuantParams, perChannelStride?: number): Float32Array {
  const m = (params.bins - 1) >> 1;
  const out = new Float32Array(symbols.length);
  const steps = params.stepsPerChannel;
  for (let i = 0; i < symbols.length; i++) {
    const step = steps && perChannelStride ? steps[Math.floor(i / perChannelStride)] : params.step;
    out[i] = (symbols[i] - m) * step;
  }
  return out;
}

export { allocateBits } from './allocate.js';
