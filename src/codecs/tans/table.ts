/**
 * tANS tables: normalized counts, the symbol spread, and the decode/encode tables built from them.
 *
 * State convention (docs/FORMAT.md): the decoder state s lies in [0, L); it stands for the
 * classic tANS state x = L + s in [L, 2L). Decode entry for slot s:
 *   symbol   = spread[s]
 *   y        = counts[symbol] + (number of earlier slots holding the same symbol)   // y in [c, 2c)
 *   nbBits   = log2(L) - floor(log2(y))
 *   newState = (y << nbBits) - L
 * and one step is: emit symbol; s = newState + readBits(nbBits).
 */
import { check } from '../../errors.js';

export const MIN_LOG2_STATES = 5;
export const MAX_LOG2_STATES = 12;
export const MAX_ALPHABET = 256;

/** Decode table: three arrays of length L, the 3L bytes a hardware decoder holds (at L <= 256). */
export interface DecodeTable {
  readonly states: number;
  readonly log2States: number;
  readonly symbol: Uint8Array;
  readonly nbBits: Uint8Array;
  readonly newState: Uint16Array;
}

/** Encode table: per symbol the slots of its occurrences, in order (the inverse of the spread). */
export interface EncodeTable {
  readonly states: number;
  readonly log2States: number;
  readonly counts: Int32Array;
  /** first index into `slotOf` of each symbol (prefix sums of counts) */
  readonly start: Int32Array;
  /** slotOf[start[sym] + (y - counts[sym])] = slot of the y-th state of sym */
  readonly slotOf: Uint16Array;
  /** per symbol: nbBits is maxBits, or maxBits - 1 when x < threshold */
  readonly maxBits: Uint8Array;
  readonly threshold: Int32Array;
  /** (maxBits << 16) - threshold: nbBits = (x + deltaNbBits) >>> 16 without a branch (x < 2^16) */
  readonly deltaNbBits: Int32Array;
  /** start - count: the next state is L + slotOf[base + (x >> nbBits)] */
  readonly base: Int32Array;
  /** per byte value: 1 for symbols without a slot (count 0, or past the alphabet): encoding one is an error */
  readonly absentSymbol: Uint8Array;
}

/** Checks a table size the way the CLI's `--states` must be checked. */
export function checkStates(states: number): number {
  check(Number.isInteger(states) && states > 0 && (states & (states - 1)) === 0,
    `--states ${states} is not a power of two`, 'use one of 32, 64, 128, 256, 512, 1024, 2048, 4096');
  const log2 = Math.log2(states);
  check(log2 >= MIN_LOG2_STATES && log2 <= MAX_LOG2_STATES,
    `--states ${states} is outside 32..4096`, 'use one of 32, 64, 128, 256, 512, 1024, 2048, 4096');
  return log2;
}

/** Checks that normalized counts are valid for a table of `states` slots. */
export function checkCounts(counts: Int32Array, states: number): void {
  check(counts.length >= 1 && counts.length <= MAX_ALPHABET,
    `alphabet of ${counts.length} symbols is outside 1..${MAX_ALPHABET}`);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    check(counts[i] >= 0, `normalized count of symbol ${i} is negative (${counts[i]})`);
    sum += counts[i];
  }
  check(sum === states, `normalized counts sum to ${sum}, not to the table size ${states}`);
}

/** Checks that a spread places each symbol exactly counts[symbol] times. */
export function checkSpread(spread: Uint8Array, counts: Int32Array): void {
  check(spread.length === counts.reduce((a, b) => a + b, 0), `spread has ${spread.length} slots, counts sum differently`);
  const seen = new Int32Array(counts.length);
  for (let s = 0; s < spread.length; s++) {
    check(spread[s] < counts.length, `spread slot ${s} holds symbol ${spread[s]}, outside the alphabet`);
    seen[spread[s]]++;
  }
  for (let i = 0; i < counts.length; i++) {
    check(seen[i] === counts[i], `spread places symbol ${i} ${seen[i]} times, its count is ${counts[i]}`);
  }
}

function floorLog2(v: number): number {
  return 31 - Math.clz32(v);
}

export function buildDecodeTable(counts: Int32Array, spread: Uint8Array): DecodeTable {
  const states = spread.length;
  const log2States = floorLog2(states);
  const symbol = new Uint8Array(states);
  const nbBits = new Uint8Array(states);
  const newState = new Uint16Array(states);
  const next = Int32Array.from(counts);
  for (let s = 0; s < states; s++) {
    const sym = spread[s];
    const y = next[sym]++;
    const nb = log2States - floorLog2(y);
    symbol[s] = sym;
    nbBits[s] = nb;
    newState[s] = (y << nb) - states;
  }
  return { states, log2States, symbol, nbBits, newState };
}

export function buildEncodeTable(counts: Int32Array, spread: Uint8Array): EncodeTable {
  const states = spread.length;
  const log2States = floorLog2(states);
  const n = counts.length;
  const start = new Int32Array(n);
  for (let i = 1; i < n; i++) start[i] = start[i - 1] + counts[i - 1];
  const fill = Int32Array.from(start);
  const slotOf = new Uint16Array(states);
  for (let s = 0; s < states; s++) slotOf[fill[spread[s]]++] = s;
  const maxBits = new Uint8Array(n);
  const threshold = new Int32Array(n);
  const deltaNbBits = new Int32Array(n);
  const base = new Int32Array(n);
  const absentSymbol = new Uint8Array(MAX_ALPHABET).fill(1); // symbols past the alphabet too
  for (let i = 0; i < n; i++) {
    if (counts[i] === 0) continue;
    absentSymbol[i] = 0;
    maxBits[i] = log2States - floorLog2(counts[i]);
    threshold[i] = counts[i] << maxBits[i];
    deltaNbBits[i] = (maxBits[i] << 16) - threshold[i];
    base[i] = start[i] - counts[i];
  }
  return { states, log2States, counts, start, slotOf, maxBits, threshold, deltaNbBits, base, absentSymbol };
}

/**
 * FSE's classic spread: walk the table with step 5/8·L + 3 (odd, so it visits every slot),
 * dropping each symbol's occurrences in turn. Shown here for comparison with the tuned spread.
 */
export function spreadFseStep(counts: Int32Array): Uint8Array {
  const states = counts.reduce((a, b) => a + b, 0);
  const spread = new Uint8Array(states);
  const step = (states >>> 1) + (states >>> 3) + 3;
  const mask = states - 1;
  let pos = 0;
  for (let sym = 0; sym < counts.length; sym++) {
    for (let k = 0; k < counts[sym]; k++) {
      spread[pos] = sym;
      pos = (pos + step) & mask;
    }
  }
  return spread;
}

/**
 * Tuned spread in the manner of Duda's "tuned" tANS: the i-th occurrence (i = 1..c) of a symbol of
 * probability p = c/L wants to sit near position 1/(p·ln(1 + 1/i)) - L in state space, i.e. where
 * state x ≈ L + slot has the ideal density for it. Occurrences are sorted by that key; ties
 * break by symbol. Deterministic, so only the choice of spread needs storing. With `tail` (a
 * bitmap of one-slot symbols, spread kind 'tuned-tail') those symbols take the last slots, as
 * FSE does with its low-probability symbols, and the rest are sorted into the slots before.
 */
export function spreadTuned(counts: Int32Array, tail?: Uint8Array): Uint8Array {
  const states = counts.reduce((a, b) => a + b, 0);
  const spread = new Uint8Array(states);
  // tail symbols (one slot each) take the last slots, from L-1 downwards in symbol order
  const isTail = (sym: number) => tail !== undefined && ((tail[sym >> 3] >> (sym & 7)) & 1) === 1;
  let high = states;
  for (let sym = 0; sym < counts.length; sym++) if (isTail(sym)) spread[--high] = sym;
  const keys = new Float64Array(high);
  const syms = new Uint8Array(high);
  let k = 0;
  for (let sym = 0; sym < counts.length; sym++) {
    if (isTail(sym)) continue;
    const c = counts[sym];
    const p = c / states;
    for (let i = c; i < 2 * c; i++) {
      keys[k] = 1 / (p * Math.log(1 + 1 / i)) / states; // relative position in [~1, ~2)
      syms[k++] = sym;
    }
  }
  const order = Array.from({ length: high }, (_, i) => i);
  order.sort((a, b) => keys[a] - keys[b] || syms[a] - syms[b]);
  for (let s = 0; s < high; s++) spread[s] = syms[order[s]];
  return spread;
}
