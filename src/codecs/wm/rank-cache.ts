/**
 * access(i) with a rank cache (docs/WM.md, "rank cache"): the query unit's two options and the
 * uncached baseline, counting what each costs.
 *
 * A cache slot holds a (position, rank1) pair of one level. A rank at position q is a **hit** when
 * a slot holds p with p ≤ q ≤ p + 32: rank1(q) = rank1(p) + the popcount of the bits [p, q), at
 * most two partial words, with no directory read. Otherwise it is a **miss**: the directory entry
 * is read and up to 16 words are counted (bitvector.ts). Either way the slot then holds (q, rank1(q)).
 *
 * - 'none': every rank is a miss.
 * - 'level': one slot per level. Consecutive weights fall in different nodes of a level (2^l of
 *   them at level l), whose positions lie far apart, so the slot mostly misses below level 0.
 * - 'node': one slot per internal node of the code tree (σ − 1 registers): consecutive weights of
 *   one node sit at consecutive positions of its range, so a sequential scan hits after each
 *   node's first element.
 */
import { HwsimError } from '../../errors.js';
import { popcount32 } from './bitvector.js';
import type { WaveletMatrix } from './matrix.js';
import { codeTree, NO_CHILD, type CodeTree } from './nodes.js';

export type RankCacheMode = 'none' | 'level' | 'node';

export interface RankCacheStats {
  accesses: number;
  /** ranks answered from a slot (popcount of ≤ 2 words) */
  hits: number;
  /** ranks answered from the directory */
  misses: number;
}

/** ones in bits [p, q) of a level, q − p ≤ 32: at most two partial words */
function onesBetween(words: Uint32Array, p: number, q: number): number {
  if (q === p) return 0;
  const wp = p >>> 5;
  const wq = (q - 1) >>> 5;
  const lo = (words[wp] >>> (p & 31));
  if (wp === wq) {
    const len = q - p;
    return popcount32(len === 32 ? lo : lo & ((1 << len) - 1) >>> 0);
  }
  const hiBits = q & 31;
  const hi = hiBits === 0 ? words[wq] : words[wq] & ((1 << hiBits) - 1) >>> 0;
  return popcount32(lo) + popcount32(hi);
}

export class CachedAccess {
  readonly stats: RankCacheStats = { accesses: 0, hits: 0, misses: 0 };
  private readonly tree: CodeTree;
  private readonly slotPos: Int32Array;
  private readonly slotRank: Int32Array;
  private readonly words: Uint32Array[];
  private readonly cached: boolean;
  private readonly perLevel: boolean;

  constructor(private readonly wm: WaveletMatrix, readonly mode: RankCacheMode) {
    this.tree = codeTree(wm.code);
    const slots = mode === 'level' ? wm.levels.length : mode === 'node' ? this.tree.level.length : 0;
    this.slotPos = new Int32Array(slots).fill(-1 << 30);
    this.slotRank = new Int32Array(slots);
    this.words = wm.levels.map((b) => b.words);
    this.cached = mode !== 'none';
    this.perLevel = mode === 'level';
  }

  /** the symbol at i (i checked by the caller's range: 0 ≤ i < length) */
  access(i: number): number {
    if (!(i >= 0 && i < this.wm.length)) return this.wm.access(i); // refuses with the matrix's error
    this.stats.accesses++;
    const { tree, wm, stats, slotPos, slotRank, cached, perLevel } = this;
    if (tree.level.length === 0) return wm.single;
    let v = 0;
    let p = i;
    for (;;) {
      const l = tree.level[v];
      const words = this.words[l];
      const bit = (words[p >>> 5] >>> (p & 31)) & 1;
      const c = bit ? tree.child1[v] : tree.child0[v];
      if (c === NO_CHILD) throw new HwsimError(`wm level ${l}: weight ${i} takes an unused code`);
      if (c < 0) return -1 - c;
      // the rank that takes p to the child's level
      const slot = perLevel ? l : v;
      let ones: number;
      if (cached && p >= slotPos[slot] && p - slotPos[slot] <= 32) {
        ones = slotRank[slot] + onesBetween(words, slotPos[slot], p);
        stats.hits++;
      } else {
        ones = wm.levels[l].rank1(p);
        stats.misses++;
      }
      if (cached) { slotPos[slot] = p; slotRank[slot] = ones; }
      p = bit ? wm.zeros[l] + ones : p - ones;
      v = c;
    }
  }
}
