/**
 * FSE's table construction, re-implemented from its published semantics (zstd's
 * FSE_normalizeCount / FSE_buildCTable): the comparison baseline of bench/tans-gap.ts and of the
 * optimizer's tests, and one of the candidates optimize.ts scores, so that the encoder's choice
 * never costs more than FSE's table.
 *
 * Normalization (64-bit fixed point, BigInt here so that the rounding is FSE's exactly):
 *  - a symbol with count <= total >> tableLog is "low probability": normalized count -1 (one slot,
 *    placed at the end of the table) when useLowProbCount, else 1. zstd sets useLowProbCount for
 *    inputs of at least 2048 symbols (ZSTD_useLowProbCount);
 *  - others get floor(count·2^62/total >> (62 - tableLog)), rounded up for small results (< 8)
 *    when the remainder beats a fixed table of thresholds (rtbTable);
 *  - the largest symbol absorbs the rounding remainder, unless that would cost it half of its
 *    slots or more: then the secondary method (FSE_normalizeM2) redistributes proportionally.
 *    That method can itself fail (zstd returns an error): when the symbols it still has to place
 *    are too many for the slots left, one rounds to zero slots. This happens for alphabets close
 *    to L (e.g. 255 bins at L = 256; zstd never gets there, it refuses tableLog below
 *    FSE_minTableLog = highbit(maxSymbol) + 2). Then FSE has no table: fseNormalizeCount throws,
 *    tryFseBaselineTable returns null, and the optimizer goes on without that candidate.
 * Spread: -1 symbols fill the table from its last slot downwards (in symbol order); the others
 * are dropped with the step 5/8·L + 3, skipping that tail.
 *
 * In this project's table conventions a -1 symbol is exactly a count-1 symbol (nbBits = log2 L,
 * newState = 0), so the baseline is counts (with -1 -> 1) plus the tail bitmap: spread kind
 * 'fse-tail' in the container (docs/FORMAT.md).
 */
import { check, HwsimError } from '../../errors.js';
import { checkHistogram } from './normalize.js';
import { checkStates } from './table.js';

/** zstd enables useLowProbCount (ZSTD_useLowProbCount) from this many input symbols. */
const FSE_LOW_PROB_MIN_SYMBOLS = 2048;

const RTB_TABLE = [0n, 473195n, 504333n, 520860n, 550000n, 700000n, 750000n, 830000n];

/** FSE_normalizeCount: normalized counts with -1 for low-probability symbols (when enabled). Throws where FSE fails. */
export function fseNormalizeCount(hist: ArrayLike<number>, states: number, useLowProbCount?: boolean): Int32Array {
  const norm = tryFseNormalizeCount(hist, states, useLowProbCount);
  if (norm === null) {
    throw new HwsimError(
      `FSE's normalization has no table for this histogram at ${states} states (its secondary method, FSE_normalizeM2, rounds a symbol to zero slots)`,
      'use a larger table, or chooseTable, whose own normalizations always succeed');
  }
  return norm;
}

/** FSE_normalizeCount, or null where FSE's algorithm fails (FSE_normalizeM2 rounds a symbol to zero). */
export function tryFseNormalizeCount(hist: ArrayLike<number>, states: number, useLowProbCount?: boolean): Int32Array | null {
  const [totalNum] = checkHistogram(hist, states);
  const tableLog = checkStates(states);
  const n = hist.length;
  for (let s = 0; s < n; s++) {
    check(Number.isInteger(hist[s]), `histogram entry ${s} is not an integer (${hist[s]})`, 'pass symbol counts');
  }
  const lowProb = useLowProbCount ?? totalNum >= FSE_LOW_PROB_MIN_SYMBOLS;
  const lowProbCount = lowProb ? -1 : 1;
  const norm = new Int32Array(n);
  const total = BigInt(totalNum);
  for (let s = 0; s < n; s++) {
    if (hist[s] === totalNum) { norm[s] = states; return norm; } // FSE: RLE; here the whole table
  }
  const scale = BigInt(62 - tableLog);
  const step = (1n << 62n) / total;
  const vStep = 1n << (scale - 20n);
  let stillToDistribute = states;
  let largest = 0;
  let largestP = 0;
  const lowThreshold = total >> BigInt(tableLog);
  for (let s = 0; s < n; s++) {
    const c = BigInt(hist[s]);
    if (c === 0n) continue;
    if (c <= lowThreshold) {
      norm[s] = lowProbCount;
      stillToDistribute--;
    } else {
      const scaled = c * step;
      let proba = Number(scaled >> scale);
      if (proba < 8) {
        const restToBeat = vStep * RTB_TABLE[proba];
        if (scaled - (BigInt(proba) << scale) > restToBeat) proba++;
      }
      if (proba > largestP) { largestP = proba; largest = s; }
      norm[s] = proba;
      stillToDistribute -= proba;
    }
  }
  if (-stillToDistribute >= (norm[largest] >> 1)) return normalizeM2(norm, tableLog, hist, totalNum, lowProbCount) ? norm : null;
  norm[largest] += stillToDistribute;
  return norm;
}

/**
 * FSE_normalizeM2: the secondary method for distributions where the largest cannot absorb.
 * Returns false where FSE fails (a symbol it still has to place rounds to zero slots).
 */
function normalizeM2(norm: Int32Array, tableLog: number, hist: ArrayLike<number>, totalNum: number, lowProbCount: number): boolean {
  const NOT_YET_ASSIGNED = -2;
  const n = hist.length;
  let total = BigInt(totalNum);
  let distributed = 0;
  const lowThreshold = total >> BigInt(tableLog);
  let lowOne = (total * 3n) >> BigInt(tableLog + 1);
  for (let s = 0; s < n; s++) {
    const c = BigInt(hist[s]);
    if (c === 0n) { norm[s] = 0; continue; }
    if (c <= lowThreshold) { norm[s] = lowProbCount; distributed++; total -= c; continue; }
    if (c <= lowOne) { norm[s] = 1; distributed++; total -= c; continue; }
    norm[s] = NOT_YET_ASSIGNED;
  }
  let toDistribute = (1 << tableLog) - distributed;
  if (toDistribute === 0) return true;
  if (total / BigInt(toDistribute) > lowOne) {
    lowOne = (total * 3n) / BigInt(toDistribute * 2);
    for (let s = 0; s < n; s++) {
      if (norm[s] === NOT_YET_ASSIGNED && BigInt(hist[s]) <= lowOne) { norm[s] = 1; distributed++; total -= BigInt(hist[s]); }
    }
    toDistribute = (1 << tableLog) - distributed;
  }
  if (distributed === n) {
    // All symbols are poor: the most frequent takes the rest. (FSE adds to a -1 entry as if it
    // were a count; here a -1 entry is first turned into its one slot so that counts sum to L.)
    let maxV = 0;
    for (let s = 0; s < n; s++) if (hist[s] > hist[maxV]) maxV = s;
    if (norm[maxV] < 0) norm[maxV] = 1;
    norm[maxV] += toDistribute;
    return true;
  }
  if (total === 0n) {
    for (let s = 0; toDistribute > 0; s = (s + 1) % n) if (norm[s] > 0) { toDistribute--; norm[s]++; }
    return true;
  }
  const vStepLog = BigInt(62 - tableLog);
  const mid = (1n << (vStepLog - 1n)) - 1n;
  const rStep = ((1n << vStepLog) * BigInt(toDistribute) + mid) / total;
  let tmpTotal = mid;
  for (let s = 0; s < n; s++) {
    if (norm[s] !== NOT_YET_ASSIGNED) continue;
    const end = tmpTotal + BigInt(hist[s]) * rStep;
    const weight = Number(end >> vStepLog) - Number(tmpTotal >> vStepLog);
    if (weight < 1) return false;
    norm[s] = weight;
    tmpTotal = end;
  }
  return true;
}

/** FSE's spread of normalized counts (with -1 entries) over `states` slots. */
export function fseSpread(norm: Int32Array, states: number): Uint8Array {
  checkStates(states);
  const spread = new Uint8Array(states);
  const mask = states - 1;
  const step = (states >>> 1) + (states >>> 3) + 3;
  let highThreshold = states - 1;
  for (let s = 0; s < norm.length; s++) if (norm[s] === -1) spread[highThreshold--] = s;
  let pos = 0;
  for (let s = 0; s < norm.length; s++) {
    for (let k = 0; k < norm[s]; k++) {
      spread[pos] = s;
      pos = (pos + step) & mask;
      while (pos > highThreshold) pos = (pos + step) & mask;
    }
  }
  return spread;
}

/**
 * The FSE baseline table in this project's conventions: counts (-1 -> 1), the spread, and `tail`,
 * the bitmap (bit s & 7 of byte s >> 3) of the -1 symbols: the container's 'fse-tail' spread.
 */
export interface FseTable { counts: Int32Array; spread: Uint8Array; tail: Uint8Array }

export function fseBaselineTable(hist: ArrayLike<number>, states: number, useLowProbCount?: boolean): FseTable {
  return tableOf(fseNormalizeCount(hist, states, useLowProbCount), states);
}

/** The FSE baseline table, or null where FSE's normalization fails (see the header comment). */
export function tryFseBaselineTable(hist: ArrayLike<number>, states: number, useLowProbCount?: boolean): FseTable | null {
  const norm = tryFseNormalizeCount(hist, states, useLowProbCount);
  return norm === null ? null : tableOf(norm, states);
}

function tableOf(norm: Int32Array, states: number): FseTable {
  return { counts: norm.map((v) => (v === -1 ? 1 : v)), spread: fseSpread(norm, states), tail: tailBitmap(norm) };
}

/**
 * The bitmap of the symbols FSE's normalization marks -1 (low probability): present, count <=
 * total >> log2(L), when useLowProbCount (default: from 2048 input symbols). Both of FSE's methods
 * mark exactly these, so where FSE succeeds this equals fseBaselineTable(...).tail (except that a
 * single present symbol owns the whole table and has no tail); it is defined where FSE fails too.
 */
export function fseLowProbabilityTail(hist: ArrayLike<number>, states: number, useLowProbCount?: boolean): Uint8Array {
  const [total, present] = checkHistogram(hist, states);
  const tail = new Uint8Array(Math.ceil(hist.length / 8));
  if (!(useLowProbCount ?? total >= FSE_LOW_PROB_MIN_SYMBOLS) || present === 1) return tail;
  const lowThreshold = Math.floor(total / states); // total >> log2(L), exact below 2^53
  for (let s = 0; s < hist.length; s++) {
    if (hist[s] > 0 && hist[s] <= lowThreshold) tail[s >> 3] |= 1 << (s & 7);
  }
  return tail;
}

function tailBitmap(norm: Int32Array): Uint8Array {
  const tail = new Uint8Array(Math.ceil(norm.length / 8));
  for (let s = 0; s < norm.length; s++) if (norm[s] === -1) tail[s >> 3] |= 1 << (s & 7);
  return tail;
}

/** The 'fse-tail' spread of a container: counts plus the tail bitmap, through FSE's spread. */
export function spreadFseTail(counts: Int32Array, tail: Uint8Array): Uint8Array {
  let states = 0;
  for (const c of counts) states += c;
  const norm = counts.map((c, s) => ((tail[s >> 3] >> (s & 7)) & 1 ? -1 : c));
  return fseSpread(norm, states);
}
