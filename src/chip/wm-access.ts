/**
 * Random access through the query unit (cycle model of a query port: position in, symbol out;
 * docs/hw/wm-query-unit.md, "Random access"). One access at a time per lane. At each level the
 * walk passes, one cycle reads the word holding the element's bit (and, on a miss, the level's
 * directory entry); going down needs rank1 at the position: a **hit** in the rank cache
 * (rank-cache.ts: a slot of this level or node within 32 bits below the position) is added in that
 * same cycle (the popcount of at most two partial words), a **miss** takes one more cycle for the
 * masked popcount of the 512-bit line, as a START rank. So an access costs len(code) cycles plus one
 * per miss; the leaf level needs no rank. A zero-level layer answers in one cycle.
 * This is the model only: the RTL has no query port yet.
 */
import { CachedAccess, type RankCacheMode } from '../codecs/wm/rank-cache.js';
import type { WaveletMatrix } from '../codecs/wm/matrix.js';

/** cycles a level costs: the word read (+ the rank's directory read on a miss), then the line popcount on a miss */
export const ACCESS_LEVEL_CYCLES = 1;
export const ACCESS_MISS_CYCLES = 1;

export interface WmAccessFigures {
  mode: RankCacheMode;
  accesses: number;
  /** levels the walks passed */
  levels: number;
  ranks: number;
  hits: number;
  misses: number;
  cycles: number;
  /** the symbols answered, in the order asked */
  symbols: Uint8Array;
}

/** access(i) for every position of `positions`, in order, through a unit with rank cache `mode`. */
export function wmAccessCycles(wm: WaveletMatrix, positions: ArrayLike<number>, mode: RankCacheMode): WmAccessFigures {
  const cache = new CachedAccess(wm, mode);
  const symbols = new Uint8Array(positions.length);
  for (let k = 0; k < positions.length; k++) symbols[k] = cache.access(positions[k]);
  const { accesses, hits, misses } = cache.stats;
  const ranks = hits + misses;
  // every walk passes one level more than it ranks (the leaf level); a zero-level layer none
  const levels = wm.levels.length === 0 ? 0 : ranks + accesses;
  const cycles = wm.levels.length === 0 ? accesses : ACCESS_LEVEL_CYCLES * levels + ACCESS_MISS_CYCLES * misses;
  return { mode, accesses, levels, ranks, hits, misses, cycles, symbols };
}
