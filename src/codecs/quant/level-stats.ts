/**
 * Per-level statistics of a weight sample at one step, from which the squared error and entropy of
 * every bin count at that step follow in O(levels): weights beyond ±m clip to ±m, and their error
 * (|w| − m·step)² = w² − 2·m·step·|w| + (m·step)² needs only Σw², Σ|w| and the count per level.
 */
export const SAMPLE_SIZE = 1 << 15;
const MAX_LEVEL = 127;
const BUCKETS = 2 * (MAX_LEVEL + 1) + 1; // levels −128..128, where ±128 collects everything beyond

/** A deterministic, evenly strided subsample (the whole array when small). */
export function subsample(weights: Float32Array, size = SAMPLE_SIZE): Float32Array {
  if (weights.length <= size) return weights;
  const out = new Float32Array(size);
  const stride = weights.length / size;
  for (let i = 0; i < size; i++) out[i] = weights[Math.floor(i * stride)];
  return out;
}

export interface LevelStats {
  count: Float64Array;
  /** Σ|w| per level (the sign of w is the level's, except at level 0 where it is not needed) */
  sumAbs: Float64Array;
  sumSq: Float64Array;
  n: number;
}

export function levelStats(sample: Float32Array, step: number): LevelStats {
  const count = new Float64Array(BUCKETS);
  const sumAbs = new Float64Array(BUCKETS);
  const sumSq = new Float64Array(BUCKETS);
  const inv = 1 / step;
  for (let i = 0; i < sample.length; i++) {
    const w = sample[i];
    const a = Math.abs(w);
    // round half away from zero, as quantizeWith does (callers reject NaN weights first)
    let level = Math.floor(a * inv + 0.5);
    if (level > MAX_LEVEL + 1) level = MAX_LEVEL + 1;
    const b = w < 0 ? MAX_LEVEL + 1 - level : MAX_LEVEL + 1 + level;
    count[b]++;
    sumAbs[b] += a;
    sumSq[b] += w * w;
  }
  return { count, sumAbs, sumSq, n: sample.length };
}

/** Mean squared error per weight and entropy (bits/weight) with bins = 2m + 1 at this step. */
export function distortionAndEntropy(s: LevelStats, m: number, step: number): { distortion: number; entropy: number } {
  let d = 0;
  let clippedLow = 0;
  let clippedHigh = 0;
  const edge = m * step;
  const probs: number[] = [];
  for (let level = -MAX_LEVEL - 1; level <= MAX_LEVEL + 1; level++) {
    const b = level + MAX_LEVEL + 1;
    const c = s.count[b];
    if (c === 0) continue;
    if (level >= -m && level <= m) {
      // Σ (|w| − |level|·step)² over the level's weights
      const v = Math.abs(level) * step;
      d += Math.max(0, s.sumSq[b] - 2 * v * s.sumAbs[b] + v * v * c);
      if (level === -m) clippedLow += c; else if (level === m) clippedHigh += c; else probs.push(c);
    } else {
      d += s.sumSq[b] - 2 * edge * s.sumAbs[b] + edge * edge * c;
      if (level < 0) clippedLow += c; else clippedHigh += c;
    }
  }
  probs.push(clippedLow, clippedHigh);
  let h = 0;
  for (const c of probs) if (c > 0) { const p = c / s.n; h -= p * Math.log2(p); }
  return { distortion: d / s.n, entropy: h };
}

/** Geometric grid of steps from max|w|/(32·m) to max|w|/m (at least one level for the largest). */
export function candidateSteps(maxAbs: number, m: number, points = 72): number[] {
  const hi = maxAbs / m;
  const lo = hi / 32;
  return Array.from({ length: points }, (_, i) => lo * Math.pow(hi / lo, i / (points - 1)));
}
