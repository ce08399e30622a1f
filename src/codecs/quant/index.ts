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
import { check, HwsimError } from '../../errors.js';
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
  checkBins(bins);
  check(Number.isInteger(symbol) && symbol >= 0 && symbol < bins,
    `symbol ${symbol} is outside 0..${bins - 1}`, `a ${bins}-bin quantizer emits symbols 0..${bins - 1}`);
  return symbol - ((bins - 1) >> 1);
}

/** Raises a HwsimError naming the first NaN or infinite weight. */
function nonFinite(weights: Float32Array, i: number): never {
  throw new HwsimError(`weight ${i} is ${weights[i]}`, 'quantization needs finite weights: fix or drop the NaN/infinite values');
}

/**
 * Quantizes with given parameters (one step, or one per output channel: `stepsPerChannel` over
 * equal contiguous slices). Rounds half away from zero, so quantizing −w mirrors quantizing w.
 */
export function quantizeWith(weights: Float32Array, params: QuantParams): QuantizedLayer {
  checkBins(params.bins);
  const m = (params.bins - 1) >> 1;
  const symbols = new Uint8Array(weights.length);
  const hist = new Float64Array(params.bins);
  const steps = params.stepsPerChannel;
  const channels = steps ? steps.length : 1;
  const stride = steps ? channelStride(weights.length, channels) : weights.length;
  for (let c = 0; c < channels; c++) {
    const step = steps ? steps[c] : params.step;
    check(step > 0 && Number.isFinite(step), `quantizer step ${step}${steps ? ` (channel ${c})` : ''} is not a positive number`,
      'use a step > 0');
    const inv = 1 / step;
    for (let i = c * stride, end = i + stride; i < end; i++) {
      const q = weights[i] * inv;
      let level = Math.floor(Math.abs(q) + 0.5);
      if (level > m) level = m;
      else if (!(level >= 0)) nonFinite(weights, i);
      const s = q < 0 ? m - level : m + level;
      symbols[i] = s;
      hist[s]++;
    }
  }
  const out: QuantParams = { bins: params.bins, step: params.step };
  if (steps) out.stepsPerChannel = steps;
  return { params: out, symbols, entropyBits: entropyOf(hist) * weights.length };
}

function channelStride(length: number, channels: number): number {
  check(channels >= 1 && length % channels === 0, `${length} weights do not split into ${channels} channels`,
    'per-channel quantization needs a weight count that is a multiple of the channel count (weightShape[0])');
  return length / channels;
}

/** max |w|; NaN or infinite weights raise a HwsimError. */
function maxAbs(weights: Float32Array): number {
  let a = 0;
  for (let i = 0; i < weights.length; i++) {
    const v = Math.abs(weights[i]);
    if (!(v < Infinity)) nonFinite(weights, i);
    if (v > a) a = v;
  }
  return a;
}

export interface QuantizeOptions {
  /** 'mse' (default): least squared error; 'rd': least D + λ·H (entropy-constrained) */
  method?: 'mse' | 'rd';
  /** λ for 'rd', in squared-weight units per bit */
  lambda?: number;
  /** one step per output channel: the weights split into `channels` equal contiguous slices */
  perChannel?: { channels: number };
}

/** Quantizes to `bins` bins with the step chosen by minimum MSE (or D + λ·H). */
export function quantize(weights: Float32Array, bins: number, opts: QuantizeOptions = {}): QuantizedLayer {
  checkBins(bins);
  const method = opts.method ?? 'mse';
  check(method === 'mse' || method === 'rd', `unknown quantizer method '${String(method)}'`, "use 'mse' or 'rd'");
  const lambda = method === 'rd' ? (opts.lambda ?? 0) : 0;
  check(lambda >= 0 && Number.isFinite(lambda), `lambda ${lambda} is not a number ≥ 0`, 'λ is in squared-weight units per bit, e.g. 1e-6');
  check(weights.length > 0, 'no weights to quantize', 'give a layer with at least one weight');
  if (!opts.perChannel) return quantizeWith(weights, { bins, step: bestStep(weights, bins, lambda) });
  const channels = opts.perChannel.channels;
  check(Number.isInteger(channels), `perChannel.channels ${channels} is not an integer`, 'use the output-channel count, weightShape[0]');
  const stride = channelStride(weights.length, channels);
  const steps = new Float32Array(channels);
  let largest = 0;
  for (let c = 0; c < channels; c++) {
    steps[c] = bestStep(weights.subarray(c * stride, (c + 1) * stride), bins, lambda);
    largest = Math.max(largest, steps[c]);
  }
  // `step` is informative when channel steps are present (they override it): the largest one
  return quantizeWith(weights, { bins, step: largest, stepsPerChannel: steps });
}

/** The step (float32, as the container stores it) minimizing D + λ·H on a subsample. */
function bestStep(weights: Float32Array, bins: number, lambda: number): number {
  const top = maxAbs(weights);
  if (top === 0) return 1;
  const m = (bins - 1) >> 1;
  const sample = subsample(weights);
  let best = { cost: Infinity, step: top / m };
  for (const step of candidateSteps(top, m)) {
    const stats = levelStats(sample, step);
    const { distortion, entropy } = distortionAndEntropy(stats, m, step);
    const cost = distortion + lambda * entropy;
    if (cost < best.cost) best = { cost, step };
  }
  const stored = Math.fround(best.step);
  return stored > 0 ? stored : 1;
}

/** The raw int8 path for layers kept uncompressed: 255 bins, step = max|w| / 127. */
export function quantizeInt8(weights: Float32Array): QuantizedLayer {
  const top = maxAbs(weights);
  const step = Math.fround(top / 127); // float32, as stored; |w| / step may exceed 127 by an ulp: clamped
  return quantizeWith(weights, { bins: 255, step: step > 0 ? step : 1 });
}

/** (symbol − m) · step, per output channel when the params carry channel steps. */
export function dequantize(symbols: Uint8Array, params: QuantParams, perChannelStride?: number): Float32Array {
  checkBins(params.bins);
  const m = (params.bins - 1) >> 1;
  const out = new Float32Array(symbols.length);
  const steps = params.stepsPerChannel;
  const stride = steps ? (perChannelStride ?? channelStride(symbols.length, steps.length)) : symbols.length;
  check(!steps || (Number.isInteger(stride) && stride >= 1 && stride * steps.length === symbols.length),
    `per-channel stride ${stride} × ${steps?.length} channels does not cover ${symbols.length} symbols`,
    'give perChannelStride = symbols / channels');
  for (let i = 0; i < symbols.length; i++) {
    const s = symbols[i];
    if (s >= params.bins) throw new HwsimError(`symbol ${s} at ${i} is outside 0..${params.bins - 1}`, 'these symbols do not belong to these quantizer parameters');
    out[i] = (s - m) * (steps ? steps[(i / stride) | 0] : params.step);
  }
  return out;
}

export { allocateBits } from './allocate.js';
