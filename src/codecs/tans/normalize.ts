/**
 * Count normalization: scales a histogram to integer counts summing to L, every present symbol
 * keeping at least one slot. These are the starting points of the optimizer (optimize.ts), which
 * then searches against the exact cost (cost.ts); see docs/TANS.md.
 */
import { check } from '../../errors.js';
import { checkStates, MAX_ALPHABET } from './table.js';

/** Validates a histogram for a table of `states` slots; returns [total, present symbols]. */
export function checkHistogram(hist: ArrayLike<number>, states: number): [number, number] {
  checkStates(states);
  const n = hist.length;
  check(n >= 1 && n <= MAX_ALPHABET, `alphabet of ${n} symbols is outside 1..${MAX_ALPHABET}`,
    'quantize to at most 256 bins');
  let total = 0;
  let present = 0;
  for (let i = 0; i < n; i++) {
    const h = hist[i];
    check(Number.isFinite(h) && h >= 0, `histogram entry ${i} is ${h}`, 'pass symbol counts (finite, non-negative)');
    total += h;
    if (h > 0) present++;
  }
  check(present >= 1, 'cannot build a tANS table for an empty layer', 'skip empty layers or store them raw');
  check(present <= states, `${present} distinct symbols do not fit a table of ${states} states`,
    `use --states ${Math.max(32, 1 << Math.ceil(Math.log2(present)))} or more, or fewer quantization bins`);
  return [total, present];
}

/**
 * Counts that minimise the ideal code length sum_s h_s·log2(L / c_s) over integers c_s >= 1 with
 * sum L (a separable concave problem: a greedy fill followed by pairwise exchanges until no move
 * of one slot helps is optimal). Low-probability symbols (h_s <= total/L, i.e. p < 1/L) keep
 * exactly one slot, as in FSE: they cannot pay for a second one, and a good spread places that
 * one slot at the end of the table, where the state it leaves behind is worth the most.
 */
export function normalizeCounts(hist: ArrayLike<number>, states: number): Int32Array {
  const [total, present] = checkHistogram(hist, states);
  const n = hist.length;
  const counts = new Int32Array(n);
  const capped = new Uint8Array(n);
  const lowThreshold = total / states;
  let used = 0;
  for (let i = 0; i < n; i++) {
    const h = hist[i];
    if (h === 0) continue;
    if (h <= lowThreshold && present > 1) capped[i] = 1;
    counts[i] = capped[i] ? 1 : Math.max(1, Math.floor((h / total) * (states - present)));
    used += counts[i];
  }
  if (present === 1) {
    for (let i = 0; i < n; i++) if (hist[i] > 0) counts[i] = states;
    return counts;
  }
  // Fill: the slot goes where it saves the most ideal bits.
  while (used < states) {
    const j = bestReceiver(hist, counts, capped);
    if (j < 0) { // everyone is capped: un-cap (cannot happen unless present == states)
      capped.fill(0);
      continue;
    }
    counts[j]++;
    used++;
  }
  exchangeToOptimum(hist, counts, capped);
  return counts;
}

function addGain(h: number, c: number): number {
  return h * Math.log2((c + 1) / c);
}

function removeLoss(h: number, c: number): number {
  return h * Math.log2(c / (c - 1));
}

function bestReceiver(hist: ArrayLike<number>, counts: Int32Array, capped: Uint8Array): number {
  let best = -1;
  let bestGain = -Infinity;
  for (let i = 0; i < counts.length; i++) {
    if (hist[i] === 0 || capped[i]) continue;
    const g = addGain(hist[i], counts[i]);
    if (g > bestGain) { bestGain = g; best = i; }
  }
  return best;
}

/** Moves single slots while the ideal-cost gain of the receiver beats the giver's loss. */
function exchangeToOptimum(hist: ArrayLike<number>, counts: Int32Array, capped: Uint8Array): void {
  for (let guard = 0; guard < 4 * counts.reduce((a, b) => a + b, 0); guard++) {
    const j = bestReceiver(hist, counts, capped);
    let i = -1;
    let bestLoss = Infinity;
    for (let k = 0; k < counts.length; k++) {
      if (k === j || counts[k] < 2) continue;
      const l = removeLoss(hist[k], counts[k]);
      if (l < bestLoss) { bestLoss = l; i = k; }
    }
    if (j < 0 || i < 0 || !(addGain(hist[j], counts[j]) > bestLoss * (1 + 1e-12))) return;
    counts[i]--;
    counts[j]++;
  }
}

/**
 * The first placeholder, kept as a comparison baseline: floor(p·L) (at least 1), then the remainder
 * handed out (or taken back) one slot at a time where it costs least.
 */
export function normalizeLargestRemainder(hist: ArrayLike<number>, states: number): Int32Array {
  const [total] = checkHistogram(hist, states);
  const n = hist.length;
  const counts = new Int32Array(n);
  let used = 0;
  for (let i = 0; i < n; i++) {
    if (hist[i] > 0) { counts[i] = Math.max(1, Math.floor((hist[i] / total) * states)); used += counts[i]; }
  }
  while (used !== states) {
    let best = -1;
    let bestGain = -Infinity;
    for (let i = 0; i < n; i++) {
      if (hist[i] === 0) continue;
      const gain = used < states
        ? hist[i] * Math.log2((counts[i] + 1) / counts[i])
        : counts[i] > 1 ? -hist[i] * Math.log2(counts[i] / (counts[i] - 1)) : -Infinity;
      if (gain > bestGain) { bestGain = gain; best = i; }
    }
    counts[best] += used < states ? 1 : -1;
    used += used < states ? 1 : -1;
  }
  return counts;
}
