/**
 * Table choice: normalized counts + symbol spread that minimise the real coded size of a layer
 * (docs/TANS.md, "Choosing a table"). Every candidate is scored with the exact stationary cost
 * of cost.ts, never with a proxy:
 *
 *  1. Start: heuristic counts (normalize.ts: ideal-cost optimum, low-probability symbols at one
 *     slot; the largest-remainder placeholder; FSE's normalization) under five spread rules:
 *     'fse' (step), 'tuned' (Duda's tuned spread on c/L), 'explicit' = the tuned rule on the
 *     *measured* probabilities (spreadByProbability), which puts symbols rarer than their one slot
 *     at the table's end as FSE does with its -1 symbols, and 'fse-tail' / 'tuned-tail' = the step
 *     or tuned rule with FSE's low-probability symbols (a bitmap) at the end. 'fse-tail' on FSE's
 *     counts is FSE's own table, so the choice never costs more than FSE's. Where FSE's
 *     normalization fails (fse-baseline.ts) that start is left out; the others always succeed.
 *  2. Count search: move one slot from symbol i to symbol j, rebuild the spread with the same rule,
 *     keep the move if the exact cost falls; repeat until no move helps ('fast' tries the moves the
 *     ideal-cost proxy ranks first, 'best' tries every pair).
 *  3. Spread search ('best' only, explicit spreads): swap neighbouring slots of different symbols
 *     while the exact cost falls.
 *  4. Decision: minimum of bits·N + spread storage (spreadStorageBits: L bytes for an explicit
 *     spread, a symbol bitmap for the tail kinds, nothing for fse/tuned), N = symbols
 *     in the histogram.
 */
import { check } from '../../errors.js';
import { ChainCost } from './cost.js';
import { fseLowProbabilityTail, spreadFseTail, tryFseBaselineTable } from './fse-baseline.js';
import { checkHistogram, normalizeCounts, normalizeLargestRemainder } from './normalize.js';
import { spreadFseStep, spreadTuned } from './table.js';

export type SpreadKind = 'fse' | 'tuned' | 'explicit' | 'fse-tail' | 'tuned-tail';

/** Spread kinds stored as counts plus a bitmap of tail symbols. */
export const hasTail = (kind: SpreadKind): boolean => kind === 'fse-tail' || kind === 'tuned-tail';

export interface TableChoice {
  counts: Int32Array;
  spreadKind: SpreadKind;
  spread: Uint8Array;
  /** tail kinds only: bitmap (bit s & 7 of byte s >> 3) of the one-slot symbols at the table's end */
  tail?: Uint8Array;
  expectedBitsPerSymbol: number;
}

export type Effort = 'fast' | 'best';

/** Storage of an explicit spread in the container: one byte per slot. */
export const EXPLICIT_SPREAD_BITS_PER_SLOT = 8;

/** Container bits a spread costs beyond the counts: L bytes explicit, a symbol bitmap for tails. */
export function spreadStorageBits(kind: SpreadKind, states: number, alphabetSize: number): number {
  if (kind === 'explicit') return EXPLICIT_SPREAD_BITS_PER_SLOT * states;
  if (hasTail(kind)) return 8 * Math.ceil(alphabetSize / 8);
  return 0;
}

/**
 * Tuned spread on measured probabilities: occurrence y (y in [c, 2c)) of symbol s wants state
 * x ~ 1/(p_s·ln(1 + 1/y)); slots are handed out in order of that key (ties: symbol, then y).
 * With p_s = c/L this is table.ts's spreadTuned; with the real p_s a symbol rarer than its slots
 * moves towards the end of the table, one more frequent towards the start.
 */
export function spreadByProbability(counts: Int32Array, p: ArrayLike<number>): Uint8Array {
  let states = 0;
  for (let s = 0; s < counts.length; s++) states += counts[s];
  const keys = new Float64Array(states);
  const syms = new Uint8Array(states);
  let k = 0;
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s];
    const ps = p[s] > 0 ? p[s] : 0.5 / states / states; // a slot nobody uses goes to the end
    for (let y = c; y < 2 * c; y++) {
      keys[k] = 1 / (ps * Math.log1p(1 / y));
      syms[k++] = s;
    }
  }
  const order = new Int32Array(states);
  for (let i = 0; i < states; i++) order[i] = i;
  order.sort((a, b) => keys[a] - keys[b] || a - b);
  const spread = new Uint8Array(states);
  for (let i = 0; i < states; i++) spread[i] = syms[order[i]];
  return spread;
}

interface Scored {
  counts: Int32Array;
  spread: Uint8Array;
  kind: SpreadKind;
  tail?: Uint8Array;
  bits: number;
  pi: Float64Array;
}

/** Search budget per effort level. */
interface Budget {
  /** count moves tried per round: receivers × givers ranked by the proxy (0 = all pairs) */
  topK: number;
  maxRounds: number;
  /** spread rules that get a count search */
  searchKinds: SpreadKind[];
  /** passes of neighbour swaps on the explicit spread (0 = none) */
  swapPasses: number;
  /** skip the count search above this table size */
  searchUpToStates: number;
  /** annealing budget: L · evaluations (clamped to 2000..40000 evaluations; 0 = no annealing) */
  annealSlotEvaluations: number;
}

const BUDGETS: Record<Effort, Budget> = {
  fast: { topK: 3, maxRounds: 16, searchKinds: ['explicit', 'fse-tail', 'tuned-tail'], swapPasses: 0, searchUpToStates: 1024, annealSlotEvaluations: 0 },
  best: { topK: 0, maxRounds: 1000, searchKinds: ['explicit', 'tuned', 'fse-tail', 'tuned-tail'], swapPasses: 8, searchUpToStates: 4096, annealSlotEvaluations: 3_000_000 },
};

class Chooser {
  readonly p: Float64Array;
  readonly total: number;
  readonly cost: ChainCost;
  evaluations = 0;

  /** FSE's low-probability symbols (bitmap): the 'fse-tail' rule puts those still at one slot last */
  readonly fseTail: Uint8Array;

  constructor(readonly hist: ArrayLike<number>, readonly states: number, total: number, fseTail: Uint8Array) {
    this.total = total;
    this.fseTail = fseTail;
    this.p = new Float64Array(hist.length);
    for (let i = 0; i < hist.length; i++) this.p[i] = hist[i] / total;
    this.cost = new ChainCost(this.p, states);
  }

  tailFor(counts: Int32Array): Uint8Array {
    return this.fseTail.map((byte, i) => {
      let kept = 0;
      for (let b = 0; b < 8; b++) if ((byte >> b) & 1 && counts[8 * i + b] === 1) kept |= 1 << b;
      return kept;
    });
  }

  spreadFor(kind: SpreadKind, counts: Int32Array): Uint8Array {
    if (kind === 'fse') return spreadFseStep(counts);
    if (kind === 'tuned') return spreadTuned(counts);
    if (kind === 'fse-tail') return spreadFseTail(counts, this.tailFor(counts));
    if (kind === 'tuned-tail') return spreadTuned(counts, this.tailFor(counts));
    return spreadByProbability(counts, this.p);
  }

  score(counts: Int32Array, spread: Uint8Array, kind: SpreadKind, warm: Float64Array | null): Scored {
    this.evaluations++;
    const bits = this.cost.evaluate(counts, spread, warm);
    const t: Scored = { counts, spread, kind, bits, pi: Float64Array.from(this.cost.pi) };
    if (hasTail(kind)) t.tail = this.tailFor(counts);
    return t;
  }

  /** Total cost in bits of coding the histogram's symbols with this table, spread storage included. */
  totalBits(t: Scored): number {
    return t.bits * this.total + spreadStorageBits(t.kind, this.states, this.hist.length);
  }

  /** Slot moves i -> j, ordered by the ideal-cost proxy (most promising first). */
  candidateMoves(counts: Int32Array, topK: number): Int32Array {
    const p = this.p;
    const n = counts.length;
    const recv: number[] = [];
    const give: number[] = [];
    for (let s = 0; s < n; s++) {
      if (p[s] === 0) continue;
      recv.push(s);
      if (counts[s] >= 2) give.push(s);
    }
    const gain = (s: number) => p[s] * Math.log2((counts[s] + 1) / counts[s]);
    const loss = (s: number) => p[s] * Math.log2(counts[s] / (counts[s] - 1));
    recv.sort((a, b) => gain(b) - gain(a) || a - b);
    give.sort((a, b) => loss(a) - loss(b) || a - b);
    const r = topK > 0 ? recv.slice(0, topK) : recv;
    const g = topK > 0 ? give.slice(0, topK) : give;
    const moves: Array<[number, number, number]> = [];
    for (const i of g) for (const j of r) if (i !== j) moves.push([i, j, gain(j) - loss(i)]);
    moves.sort((a, b) => b[2] - a[2] || a[0] - b[0] || a[1] - b[1]);
    const out = new Int32Array(2 * moves.length);
    moves.forEach((m, k) => { out[2 * k] = m[0]; out[2 * k + 1] = m[1]; });
    return out;
  }

  /** First-improvement local search over single-slot moves, spread rebuilt by `kind`'s rule. */
  countSearch(start: Scored, budget: Budget): Scored {
    let cur = start;
    const kind = start.kind;
    for (let round = 0; round < budget.maxRounds; round++) {
      const moves = this.candidateMoves(cur.counts, budget.topK);
      let improved = false;
      for (let m = 0; m < moves.length; m += 2) {
        const counts = Int32Array.from(cur.counts);
        counts[moves[m]]--;
        counts[moves[m + 1]]++;
        const next = this.score(counts, this.spreadFor(kind, counts), kind, cur.pi);
        if (next.bits < cur.bits - 1e-12) { cur = next; improved = true; break; }
      }
      if (!improved) break;
    }
    return cur;
  }

  /** Neighbour swaps on an explicit spread, kept while the exact cost falls. */
  swapSearch(start: Scored, passes: number): Scored {
    const spread = Uint8Array.from(start.spread);
    const counts = start.counts;
    let bits = start.bits;
    const pi = Float64Array.from(start.pi);
    for (let pass = 0; pass < passes; pass++) {
      let improved = false;
      for (let j = 0; j + 1 < spread.length; j++) {
        const a = spread[j];
        const b = spread[j + 1];
        if (a === b) continue;
        spread[j] = b; spread[j + 1] = a;
        this.evaluations++;
        const v = this.cost.evaluate(counts, spread, pi);
        if (v < bits - 1e-12) { bits = v; pi.set(this.cost.pi); improved = true; } else { spread[j] = a; spread[j + 1] = b; }
      }
      if (!improved) break;
    }
    return { counts, spread, kind: 'explicit', bits, pi };
  }

  /**
   * Annealing over explicit tables (deterministic: seeded generator, fixed budget). Moves: swap
   * two slots of different symbols, or hand one slot to another present symbol. A worse table is
   * accepted with probability exp(-increase / T), T falling linearly from T0 = 0.03% of the
   * starting cost to 0. Returns the best table seen.
   */
  anneal(start: Scored, evaluations: number): Scored {
    const L = this.states;
    const spread = Uint8Array.from(start.spread);
    const counts = Int32Array.from(start.counts);
    const pi = Float64Array.from(start.pi);
    const present: number[] = [];
    for (let s = 0; s < this.p.length; s++) if (this.p[s] > 0) present.push(s);
    let cur = start.bits;
    let best = start;
    const t0 = 3e-4 * start.bits;
    const rand = seededUniform(0x5eed);
    for (let e = 0; e < evaluations; e++) {
      const temp = t0 * (1 - e / evaluations);
      const i = Math.floor(rand() * L);
      const a = spread[i];
      let j = -1;
      let b = -1;
      if (rand() < 0.5) {
        j = Math.floor(rand() * L);
        if (spread[j] === a) continue;
        spread[i] = spread[j]; spread[j] = a;
      } else {
        b = present[Math.floor(rand() * present.length)];
        if (b === a || counts[a] < 2) continue;
        spread[i] = b; counts[a]--; counts[b]++;
      }
      this.evaluations++;
      const v = this.cost.evaluate(counts, spread, pi);
      if (v < cur || (temp > 0 && rand() < Math.exp((cur - v) / temp))) {
        cur = v;
        pi.set(this.cost.pi);
        if (v < best.bits - 1e-12) best = { counts: Int32Array.from(counts), spread: Uint8Array.from(spread), kind: 'explicit', bits: v, pi: Float64Array.from(pi) };
      } else if (j >= 0) {
        spread[j] = spread[i]; spread[i] = a;
      } else {
        spread[i] = a; counts[a]++; counts[b]--;
      }
    }
    return best;
  }
}

/** Seeded uniform generator on [0, 1) (a Weyl sequence through a 32-bit mixer). */
function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

/**
 * Chooses counts and spread for a layer with symbol histogram `hist` (length = alphabet size,
 * 1..256; entries are symbol counts, their sum weighs the L bytes an explicit spread costs).
 * Deterministic. 'fast' (the CLI default): heuristic starts plus a short proxy-guided count search
 * (up to L = 1024). 'best': every single-slot count move, neighbour swaps, then annealing over
 * explicit spreads with a fixed evaluation budget; about 1-2 s per table at L = 64..256.
 */
export function chooseTable(hist: ArrayLike<number>, states: number, effort: Effort = 'fast'): TableChoice {
  check(effort === 'fast' || effort === 'best', `unknown effort '${String(effort)}'`, "use 'fast' or 'best'");
  const [total, present] = checkHistogram(hist, states);
  const n = hist.length;
  if (present === 1) {
    const counts = new Int32Array(n);
    for (let s = 0; s < n; s++) if (hist[s] > 0) counts[s] = states;
    return { counts, spreadKind: 'fse', spread: spreadFseStep(counts), expectedBitsPerSymbol: 0 };
  }
  const budget = BUDGETS[effort];
  // FSE's table where FSE's normalization succeeds; where it fails (alphabets close to L) the
  // other starts remain, and the tail rules use the low-probability symbols FSE would have marked
  const fse = tryFseBaselineTable(hist, states);
  const ch = new Chooser(hist, states, total, fse ? fse.tail : fseLowProbabilityTail(hist, states));
  const kinds: SpreadKind[] = ['explicit', 'tuned', 'fse', 'fse-tail', 'tuned-tail'];
  const starts = [normalizeCounts(hist, states), normalizeLargestRemainder(hist, states)];
  if (fse) starts.push(fse.counts);
  const bestByKind = new Map<SpreadKind, Scored>();
  for (const kind of kinds) {
    for (const counts of starts) {
      const t = ch.score(counts, ch.spreadFor(kind, counts), kind, null);
      const prev = bestByKind.get(kind);
      if (!prev || t.bits < prev.bits) bestByKind.set(kind, t);
    }
  }
  // 'fse-tail' from FSE's counts is FSE's own table, so the choice never costs more than FSE's would
  // (where FSE has a table at all)
  const results: Scored[] = [...bestByKind.values()];
  if (states <= budget.searchUpToStates) {
    for (const kind of budget.searchKinds) {
      let t = ch.countSearch(bestByKind.get(kind)!, budget);
      if (kind === 'explicit' && budget.swapPasses > 0) t = ch.swapSearch(t, budget.swapPasses);
      results.push(t);
      if (kind === 'explicit' && budget.annealSlotEvaluations > 0) {
        const evaluations = Math.min(40_000, Math.max(2_000, Math.round(budget.annealSlotEvaluations / states)));
        results.push(ch.swapSearch(ch.anneal(t, evaluations), budget.swapPasses));
      }
    }
  }
  let best = results[0];
  for (const t of results) if (ch.totalBits(t) < ch.totalBits(best)) best = t;
  if (hasTail(best.kind) && best.tail!.every((b) => b === 0)) { // an empty tail: store the plain rule
    best = { ...best, kind: best.kind === 'fse-tail' ? 'fse' : 'tuned', tail: undefined };
  }
  return {
    counts: best.counts, spreadKind: best.kind, spread: best.spread, expectedBitsPerSymbol: best.bits,
    ...(hasTail(best.kind) ? { tail: best.tail } : {}),
  };
}
