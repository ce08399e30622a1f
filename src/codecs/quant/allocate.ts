/**
 * Mixed precision under an entropy budget (the post-training analogue of the paper's
 * entropy-driven per-layer precision): each layer gets the (bins, step) that minimizes
 * n·D + λ·(n·H + T(bins)) for one shared λ, T the bits of the tANS count table when the table
 * size is given (0 otherwise), and λ is bisected until the weight-averaged entropy meets the
 * budget. Least total squared error for the bits spent, measured on each layer's subsample.
 */
import { check } from '../../errors.js';
import type { QuantParams } from './index.js';
import { distortionAndEntropy, levelStats, subsample } from './level-stats.js';

const BIN_CHOICES = [3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 25, 31, 41, 63, 127, 255];
const STEP_POINTS = 48;

interface Candidate { bins: number; step: number; distortion: number; entropy: number; rate?: number }

function rms(sample: Float32Array): number {
  let s = 0;
  for (let i = 0; i < sample.length; i++) s += sample[i] * sample[i];
  return Math.sqrt(s / Math.max(1, sample.length));
}

/** The lower convex hull's worth of candidates is all a Lagrangian choice can pick; keep them all. */
function layerCandidates(weights: Float32Array, maxBins: number): Candidate[] {
  const sample = subsample(weights);
  const sigma = rms(sample);
  check(Number.isFinite(sigma), 'a layer holds NaN or infinite weights', 'quantization needs finite weights: fix or drop them');
  if (sigma === 0) return [{ bins: 3, step: 1, distortion: 0, entropy: 0 }];
  const out: Candidate[] = [];
  for (let i = 0; i < STEP_POINTS; i++) {
    const step = (sigma / 64) * Math.pow(8 * 64, i / (STEP_POINTS - 1));
    const stats = levelStats(sample, step);
    for (const bins of BIN_CHOICES) {
      if (bins > maxBins) break;
      const { distortion, entropy } = distortionAndEntropy(stats, (bins - 1) >> 1, step);
      out.push({ bins, step, distortion, entropy });
    }
  }
  return out;
}

export interface AllocateOptions {
  /** the largest bin count a layer may get (the tANS table needs bins ≤ states) */
  maxBins?: number;
  /**
   * the tANS table size: when given, a candidate's rate is its entropy plus its table's share,
   * tableBits(bins, states) / n, so a small layer is not given more bins than it can pay for
   */
  states?: number;
}

/**
 * Bits a tANS layer header spends on its normalized counts, as a function of the bin count (what
 * the choice of bins changes; the fixed fields and the stream ends cost the same for every bins):
 * each count is an exp-Golomb code of a zigzagged difference (docs/FORMAT.md §4), about
 * 2·log2(L / bins + 1) + 1 bits for counts near L / bins.
 */
export function tableBits(bins: number, states: number): number {
  return bins * (2 * Math.log2(states / bins + 1) + 1);
}

/** Per layer (bins, step) so that the weight-averaged entropy is at most `bitsPerWeight`. */
export function allocateBits(layers: Float32Array[], bitsPerWeight: number, opts: AllocateOptions = {}): QuantParams[] {
  check(bitsPerWeight > 0, `bits-per-weight ${bitsPerWeight} must be positive`, 'e.g. --bits-per-weight 2');
  const maxBins = Math.min(255, opts.maxBins ?? 255);
  check(maxBins >= 3, `at most ${maxBins} bins allowed, need at least 3`);
  const sizes = layers.map((w) => w.length);
  const cands = layers.map((w, i) => layerCandidates(w, maxBins).map((c) => ({
    ...c, rate: c.entropy + (opts.states ? tableBits(c.bins, opts.states) / sizes[i] : 0),
  })));
  // the bisection below picks thousands of times: the candidates' figures as flat arrays
  const distortion = cands.map((cs) => Float64Array.from(cs, (c) => c.distortion));
  const rate = cands.map((cs) => Float64Array.from(cs, (c) => c.rate));
  const total = sizes.reduce((a, b) => a + b, 0);
  const pick = (lambda: number) => cands.map((cs, l): Candidate => {
    const d = distortion[l];
    const r = rate[l];
    let best = 0;
    let bestCost = Infinity;
    for (let i = 0; i < d.length; i++) {
      const cost = d[i] + lambda * r[i];
      if (cost < bestCost || (cost === bestCost && r[i] < r[best])) { bestCost = cost; best = i; }
    }
    return cs[best];
  });
  const avgEntropy = (choice: Candidate[]) => choice.reduce((a, c, i) => a + c.entropy * sizes[i], 0) / total;
  // λ in squared-weight units per bit; bisect in log space between "free bits" and "bits cost all".
  let lo = 1e-16;
  let hi = 1e4;
  if (avgEntropy(pick(lo)) <= bitsPerWeight) return toParams(pick(lo));
  for (let it = 0; it < 80; it++) {
    const mid = Math.sqrt(lo * hi);
    if (avgEntropy(pick(mid)) <= bitsPerWeight) hi = mid; else lo = mid;
  }
  return toParams(pick(hi));
}

/** Steps rounded to float32 here, as the container stores them, so quantizing and dequantizing agree. */
function toParams(choice: Candidate[]): QuantParams[] {
  return choice.map((c) => ({ bins: c.bins, step: Math.fround(c.step) || Number.MIN_VALUE }));
}
