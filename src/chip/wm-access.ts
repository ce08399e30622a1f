/**
 * Random access through the query unit (cycle model of a query port: position in, symbol out;
 * docs/hw/wm-query-unit.md, "Random access"). One access at a time per lane. At each level the
 * walk passes, one cycle reads the word holding the element's bit (and, on a miss, the level's
 * directory entry); going down needs rank1 at the position: a **hit** in the rank cache
 * (rank-cache.ts: a slot of this level or node within 32 bits below the position) is added in that
 * same cycle (the popcount of at most two partial words), a **miss** takes one more cycle for the
 * masked popcount of the 512-bit line, as a START rank. So an access costs len(code) cycles plus one
 * per miss; the leaf level needs no rank. A zero-level layer answers in one cycle, and so does a
 * refused (out-of-range) position. An access's cycles run from the cycle its position is accepted
 * to the cycle its symbol is valid; cycles waiting for a request or for the response's ready are
 * no access's. The RTL port (rtl-templates/wm/wm_access_port.v) is co-simulated against this,
 * access by access (src/cosim/wm-access-cosim.ts).
 */
import { CachedAccess, type RankCacheMode } from '../codecs/wm/rank-cache.js';
import type { WaveletMatrix } from '../codecs/wm/matrix.js';
import type { RowAccess } from '../codecs/wm/ras.js';
import type { WmHeader } from '../codecs/codec.js';
import { wmRowSelectCycles } from './wm-source.js';

/** cycles a level costs: the word read (+ the rank's directory read on a miss), then the line popcount on a miss */
export const ACCESS_LEVEL_CYCLES = 1;
export const ACCESS_MISS_CYCLES = 1;
/** a position outside the sequence is refused (an error response) in one cycle, touching no cache slot */
export const REFUSED_ACCESS_CYCLES = 1;

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
  /** per access, in the order asked: its cycles, cache hits and misses */
  accessCycles: Uint32Array;
  accessHits: Uint8Array;
  accessMisses: Uint8Array;
}

/** access(i) for every position of `positions`, in order, through a unit with rank cache `mode`. */
export function wmAccessCycles(wm: WaveletMatrix, positions: ArrayLike<number>, mode: RankCacheMode): WmAccessFigures {
  const cache = new CachedAccess(wm, mode);
  const symbols = new Uint8Array(positions.length);
  const accessCycles = new Uint32Array(positions.length);
  const accessHits = new Uint8Array(positions.length);
  const accessMisses = new Uint8Array(positions.length);
  const zeroLevels = wm.levels.length === 0;
  for (let k = 0; k < positions.length; k++) {
    const h0 = cache.stats.hits;
    const m0 = cache.stats.misses;
    symbols[k] = cache.access(positions[k]);
    accessHits[k] = cache.stats.hits - h0;
    accessMisses[k] = cache.stats.misses - m0;
    const ranks = accessHits[k] + accessMisses[k];
    accessCycles[k] = zeroLevels ? 1 : ACCESS_LEVEL_CYCLES * (ranks + 1) + ACCESS_MISS_CYCLES * accessMisses[k];
  }
  const { accesses, hits, misses } = cache.stats;
  const ranks = hits + misses;
  // every walk passes one level more than it ranks (the leaf level); a zero-level layer none
  const levels = wm.levels.length === 0 ? 0 : ranks + accesses;
  const cycles = wm.levels.length === 0 ? accesses : ACCESS_LEVEL_CYCLES * levels + ACCESS_MISS_CYCLES * misses;
  return { mode, accesses, levels, ranks, hits, misses, cycles, symbols, accessCycles, accessHits, accessMisses };
}

/** The header fields the select's and the walk's cycle functions read, of an element-wise layer's matrix. */
export function rowHeaderOf(wm: WaveletMatrix, rows: RowAccess): Pick<WmHeader, 'levelLengths' | 'lengths' | 'quant'> {
  return { levelLengths: Int32Array.from(wm.levels, (b) => b.length), lengths: wm.code.lengths, quant: rows.header.quant };
}

/** A row request of an element-wise layer: element `element` of row `row`. */
export interface RowRequest { row: number; element: number }

export interface WmRowAccessFigures extends WmAccessFigures {
  /** per request: the row start the select found (RowAccess.rowStart), and the select's cycles */
  starts: Uint32Array;
  selectCycles: Uint32Array;
}

/**
 * Row requests (r, j) through the random-access port: the row's start by a select on the delimiter
 * (RowAccess.rowStart; cycles wmRowSelectCycles: none for row 0 or the last request's row, whose
 * start the port keeps), then access(start + j) through the rank cache
 * (as wmAccessCycles, one cache for all requests). Every request must be one RowAccess.weight
 * accepts (the caller leaves the refused ones out; each of those takes REFUSED_ACCESS_CYCLES).
 */
export function wmRowAccessCycles(rows: RowAccess, requests: readonly RowRequest[], mode: RankCacheMode): WmRowAccessFigures {
  const wm = rows.wm;
  const header = rowHeaderOf(wm, rows);
  const starts = Uint32Array.from(requests, (q) => rows.rowStart(q.row));
  let lastRow = -1;
  const selectCycles = Uint32Array.from(requests, (q) => {
    const c = wmRowSelectCycles(header, q.row, lastRow);
    lastRow = q.row;
    return c;
  });
  const f = wmAccessCycles(wm, requests.map((q, k) => starts[k] + q.element), mode);
  const accessCycles = f.accessCycles.map((c, k) => c + selectCycles[k]);
  const cycles = f.cycles + selectCycles.reduce((a, b) => a + b, 0);
  return { ...f, cycles, accessCycles, starts, selectCycles };
}
