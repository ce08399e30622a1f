/**
 * Sparse storage of a pruned layer (DeepSZ; docs/FORMAT.md §4 "sz"): the kept weights in flat
 * order as a value array, their positions as a relative index array of bytes:
 *
 *   entry k in 1..255: the next kept weight lies k positions after the previous one
 *                      (the first one: k positions after position −1)
 *   entry 0 (filler):  advance 255 positions without a value
 *
 * so a gap of g ≥ 1 costs floor((g − 1) / 255) fillers and one entry. Positions after the last
 * kept weight are zeros and need no entry (the layer's size is in its shape).
 */
import { check, HwsimError } from '../../errors.js';

export const FILLER = 0;
export const MAX_GAP = 255;

export function checkSparsity(sparsity: number): void {
  check(typeof sparsity === 'number' && Number.isFinite(sparsity) && sparsity >= 0 && sparsity < 1,
    `sparsity ${sparsity} is outside [0, 1)`, 'give the fraction of weights to prune, e.g. --sparsity 0.9 (0 keeps every weight)');
}

/** The k-th smallest of `a` (0-based), reordering `a` (Hoare's quickselect, deterministic pivots). */
function select(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { const t = a[i]; a[i] = a[j]; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j; else if (k >= i) lo = i; else return a[k];
  }
  return a[k];
}

/**
 * Magnitude pruning to a target sparsity: keeps the n − floor(sparsity·n) weights of largest |w|
 * (ties at the threshold: the earlier ones), returns a keep mask. Weights already zero are pruned
 * first, so a layer pruned before keeps its zeros.
 */
export function pruneMask(weights: Float32Array, sparsity: number): Uint8Array {
  checkSparsity(sparsity);
  const n = weights.length;
  const keep = new Uint8Array(n);
  const drop = Math.floor(sparsity * n);
  if (drop === 0) return keep.fill(1);
  const mags = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const m = Math.abs(weights[i]);
    if (!(m < Infinity)) throw new HwsimError(`weight ${i} is ${weights[i]}`, 'pruning needs finite weights: fix or drop the NaN/infinite values');
    mags[i] = m;
  }
  const threshold = select(mags, drop - 1); // the largest magnitude pruned
  let below = 0;
  for (let i = 0; i < n; i++) if (Math.abs(weights[i]) < threshold) below++;
  let tiesToDrop = drop - below; // weights equal to the threshold that are pruned too
  for (let i = 0; i < n; i++) {
    const m = Math.abs(weights[i]);
    if (m > threshold) keep[i] = 1;
    else if (m === threshold) { if (tiesToDrop > 0) tiesToDrop--; else keep[i] = 1; }
  }
  return keep;
}

/** The kept values in flat order. */
export function keptValues(weights: Float32Array, keep: Uint8Array): Float32Array {
  let k = 0;
  for (let i = 0; i < keep.length; i++) k += keep[i];
  const out = new Float32Array(k);
  for (let i = 0, j = 0; i < keep.length; i++) if (keep[i]) out[j++] = weights[i];
  return out;
}

/** The relative index array of a keep mask. */
export function indexArray(keep: Uint8Array): Uint8Array {
  let entries = 0;
  let prev = -1;
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    entries += Math.floor((i - prev - 1) / MAX_GAP) + 1;
    prev = i;
  }
  const out = new Uint8Array(entries);
  prev = -1;
  let e = 0;
  for (let i = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    let gap = i - prev;
    while (gap > MAX_GAP) { out[e++] = FILLER; gap -= MAX_GAP; }
    out[e++] = gap;
    prev = i;
  }
  return out;
}

/** Values an index array places (its non-filler entries). */
export function valueCount(index: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < index.length; i++) if (index[i] !== FILLER) n++;
  return n;
}

/**
 * Scatters values into a dense layer of `length` weights by the index array; checks that every
 * position lies inside the layer, that no filler ends the array (it would place nothing), and that
 * the entries place exactly `values.length` values.
 */
export function scatter(index: Uint8Array, values: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  let pos = -1;
  let v = 0;
  for (let e = 0; e < index.length; e++) {
    const k = index[e];
    if (k === FILLER) { pos += MAX_GAP; continue; }
    pos += k;
    if (pos >= length) throw new HwsimError(`index entry ${e} places a weight at position ${pos}, past the layer's ${length} weights`);
    if (v >= values.length) throw new HwsimError(`index entry ${e} places value ${v}, only ${values.length} values stored`);
    out[pos] = values[v++];
  }
  if (index.length > 0 && index[index.length - 1] === FILLER) throw new HwsimError('the index array ends in a filler entry (it places nothing)');
  if (v !== values.length) throw new HwsimError(`the index array places ${v} values, ${values.length} are stored`);
  return out;
}
