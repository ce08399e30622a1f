/**
 * Exact expected code length of a tANS table on an i.i.d. source (docs/TANS.md, "Cost").
 *
 * The encoder's state x = L + t (t in [0, L)) is a Markov chain. Encoding a symbol a moves it to
 * the slot j of a whose decode range [newState[j], newState[j] + 2^nbBits[j]) contains t, emitting
 * nbBits[j] bits (the decoder undoes exactly this step). For every symbol these ranges partition
 * [0, L), so the chain is
 *
 *   pi'(j) = p[symbol[j]] · sum_{t in range(j)} pi(t)          (one prefix sum: O(L) per step)
 *
 * and the expected bits per symbol at stationarity are sum_j pi(j) · nbBits[j]. The initial
 * state (log2 L bits per stream) is not part of the rate.
 *
 * Plain power iteration mixes slowly when one symbol dominates (p = 0.99: its slots form a nearly
 * deterministic map, eigenvalues near 0.99). So the dominant symbol d is solved exactly: with
 * A the map t -> slot of d (a functional graph) and B the other symbols' part of the chain,
 *   pi = pi·B·(I - p_d·A)^-1,
 * and (I - p_d·A)^-1 is applied in O(L) by walking the functional graph (trees in topological
 * order, then each cycle in closed form). The iteration then only has to mix over the rare
 * symbols, whose maps contract the state strongly; it converges in tens of steps.
 */
import { check } from '../../errors.js';
import { checkCounts, checkSpread, checkStates } from './table.js';

const TOLERANCE = 1e-13;
const MAX_ITERATIONS = 20_000;
const LAZY_AFTER = 200;

function floorLog2(v: number): number {
  return 31 - Math.clz32(v);
}

/**
 * Reusable evaluator for one source distribution and table size: buffers are allocated once, and
 * the last stationary distribution can seed the next evaluation (a warm start for local search).
 */
export class ChainCost {
  readonly states: number;
  readonly log2States: number;
  readonly p: Float64Array;
  /** dominant symbol (largest p) and its probability */
  readonly dominant: number;
  readonly pDominant: number;
  /** stationary distribution over slots of the last evaluated table */
  readonly pi: Float64Array;
  /** number of chain steps the last evaluation took (for tests and tuning) */
  lastIterations = 0;

  private readonly nb: Uint8Array;
  private readonly lo: Int32Array;
  private readonly hi: Int32Array;
  private readonly symOf: Uint8Array;
  private readonly f: Int32Array;
  private readonly indeg: Int32Array;
  private readonly order: Int32Array;
  private orderLength = 0;
  private readonly cycles: Int32Array;
  private readonly cycleStart: Int32Array;
  private cycleCount = 0;
  private readonly prefix: Float64Array;
  private readonly w: Float64Array;
  private readonly next: Int32Array;

  /** `p` need not be normalized; it is copied and scaled to sum 1. */
  constructor(p: ArrayLike<number>, states: number) {
    const log2 = checkStates(states);
    check(p.length >= 1 && p.length <= 256, `distribution over ${p.length} symbols is outside 1..256`);
    let sum = 0;
    for (let i = 0; i < p.length; i++) {
      check(Number.isFinite(p[i]) && p[i] >= 0, `probability of symbol ${i} is ${p[i]}`, 'pass finite, non-negative weights');
      sum += p[i];
    }
    check(sum > 0, 'distribution has no mass', 'pass at least one positive weight');
    this.states = states;
    this.log2States = log2;
    this.p = new Float64Array(p.length);
    let d = 0;
    for (let i = 0; i < p.length; i++) {
      this.p[i] = p[i] / sum;
      if (this.p[i] > this.p[d]) d = i;
    }
    this.dominant = d;
    this.pDominant = this.p[d];
    const L = states;
    this.pi = new Float64Array(L).fill(1 / L);
    this.nb = new Uint8Array(L);
    this.lo = new Int32Array(L);
    this.hi = new Int32Array(L);
    this.symOf = new Uint8Array(L);
    this.f = new Int32Array(L);
    this.indeg = new Int32Array(L);
    this.order = new Int32Array(L);
    this.cycles = new Int32Array(L);
    this.cycleStart = new Int32Array(L + 1);
    this.prefix = new Float64Array(L + 1);
    this.w = new Float64Array(L);
    this.next = new Int32Array(256);
  }

  /**
   * Expected bits/symbol of (counts, spread). Starts from `start` (a distribution over slots, e.g.
   * a previous `pi`), or uniform when null. Returns Infinity when a symbol with p > 0 has no slot.
   * Inputs are trusted (see expectedBitsPerSymbol for the checked entry point).
   */
  evaluate(counts: Int32Array, spread: Uint8Array, start: Float64Array | null = null): number {
    const L = this.states;
    const p = this.p;
    for (let s = 0; s < p.length; s++) if (p[s] > 0 && !(counts[s] > 0)) return Infinity;
    const { nb, lo, hi, symOf, f, indeg, order, cycles, cycleStart, prefix, w, pi } = this;
    const next = this.next;
    for (let s = 0; s < counts.length; s++) next[s] = counts[s];
    const log2L = this.log2States;
    const d = this.dominant;
    const pd = this.pDominant;
    for (let j = 0; j < L; j++) {
      const a = spread[j];
      const y = next[a]++;
      const b = log2L - floorLog2(y);
      symOf[j] = a;
      nb[j] = b;
      lo[j] = (y << b) - L;
      hi[j] = lo[j] + (1 << b);
      if (a === d) for (let t = lo[j]; t < hi[j]; t++) f[t] = j;
    }

    if (pd === 1) return this.deterministicCost();

    // Topological order of the functional graph t -> f[t]; what remains are its cycles.
    for (let j = 0; j < L; j++) indeg[j] = symOf[j] === d ? hi[j] - lo[j] : 0;
    let head = 0;
    let tail = 0;
    for (let j = 0; j < L; j++) if (indeg[j] === 0) order[tail++] = j;
    while (head < tail) {
      const v = f[order[head++]];
      if (--indeg[v] === 0) order[tail++] = v;
    }
    this.orderLength = tail;
    let nc = 0;
    let ci = 0;
    for (let j = 0; j < L; j++) {
      if (indeg[j] <= 0) continue;
      cycleStart[nc++] = ci;
      let v = j;
      do { cycles[ci++] = v; indeg[v] = 0; v = f[v]; } while (v !== j);
    }
    cycleStart[nc] = ci;
    this.cycleCount = nc;

    if (start) pi.set(start); else pi.fill(1 / L);
    let lazy = false;
    let it = 0;
    for (; it < MAX_ITERATIONS; it++) {
      prefix[0] = 0;
      for (let t = 0; t < L; t++) prefix[t + 1] = prefix[t] + pi[t];
      for (let j = 0; j < L; j++) {
        const a = symOf[j];
        w[j] = a === d ? 0 : p[a] * (prefix[hi[j]] - prefix[lo[j]]);
      }
      this.applyResolvent(pd);
      let sum = 0;
      for (let j = 0; j < L; j++) sum += w[j];
      const inv = 1 / sum;
      let diff = 0;
      if (lazy) {
        for (let j = 0; j < L; j++) { const v = 0.5 * (w[j] * inv + pi[j]); diff += Math.abs(v - pi[j]); pi[j] = v; }
        diff *= 2;
      } else {
        for (let j = 0; j < L; j++) { const v = w[j] * inv; diff += Math.abs(v - pi[j]); pi[j] = v; }
      }
      if (diff < TOLERANCE) break;
      if (it === LAZY_AFTER) lazy = true; // a periodic chain never settles; the lazy one does
    }
    this.lastIterations = it + 1;
    // pi is stationary for the chain observed after each non-dominant symbol followed by its run
    // of dominant ones, which is the plain chain's stationary distribution as well.
    let bits = 0;
    for (let j = 0; j < L; j++) bits += pi[j] * nb[j];
    return bits;
  }

  /** w <- w·(I - pd·A)^-1 over the functional graph f. */
  private applyResolvent(pd: number): void {
    const { f, order, cycles, cycleStart, w } = this;
    for (let k = 0; k < this.orderLength; k++) {
      const u = order[k];
      w[f[u]] += pd * w[u];
    }
    for (let c = 0; c < this.cycleCount; c++) {
      const s = cycleStart[c];
      const e = cycleStart[c + 1];
      const m = e - s;
      // w(c0) = (a0 + pd·a_{m-1} + pd²·a_{m-2} + ... + pd^{m-1}·a1) / (1 - pd^m)
      let z = 0;
      for (let k = s + 1; k < e; k++) z = pd * z + w[cycles[k]];
      const first = (w[cycles[s]] + pd * z) / (1 - Math.pow(pd, m));
      w[cycles[s]] = first;
      let prev = first;
      for (let k = s + 1; k < e; k++) { prev = w[cycles[k]] + pd * prev; w[cycles[k]] = prev; }
    }
  }

  /** Only one symbol occurs: the encoder walks f deterministically from t = 0 into a cycle. */
  private deterministicCost(): number {
    const { f, nb, pi } = this;
    const seen = this.indeg;
    seen.fill(-1);
    let t = 0;
    let step = 0;
    while (seen[t] < 0) { seen[t] = step++; t = f[t]; }
    const cycleLength = step - seen[t];
    let bits = 0;
    pi.fill(0);
    const c0 = t;
    do { bits += nb[t]; pi[t] = 1 / cycleLength; t = f[t]; } while (t !== c0);
    this.lastIterations = step;
    return bits / cycleLength;
  }
}

/**
 * Exact expected code length in bits/symbol of the table (counts, spread) on an i.i.d. source with
 * distribution `p` (any non-negative weights; normalized here), from the stationary distribution
 * of the encoder's L-state chain. Infinity when a symbol with p > 0 has no slot.
 */
export function expectedBitsPerSymbol(p: Float64Array, counts: Int32Array, spread: Uint8Array): number {
  const states = spread.length;
  checkStates(states);
  checkCounts(counts, states);
  checkSpread(spread, counts);
  check(p.length === counts.length, `distribution has ${p.length} symbols, counts have ${counts.length}`,
    'pass one probability per symbol of the table');
  return new ChainCost(p, states).evaluate(counts, spread);
}
