/**
 * The rank cache options of the query unit against the uncached matrix: the same symbols in any
 * order, and the hit counts the options promise (per-node cursors: a sequential scan misses only
 * on each node's first element; per-level: fewer hits; none: no hits).
 */
import { describe, expect, it } from 'vitest';
import { huffmanMatrix, plainMatrix } from '../src/codecs/wm/matrix.js';
import { codeTree } from '../src/codecs/wm/nodes.js';
import { CachedAccess, type RankCacheMode } from '../src/codecs/wm/rank-cache.js';
import { quantize } from '../src/codecs/quant/index.js';
import { laplace, rng } from './laplace.js';

const MODES: RankCacheMode[] = ['none', 'level', 'node'];

describe('rank cache', () => {
  const q = quantize(laplace(20_000, 0.05, 11), 31, { method: 'mse' });
  const seq = q.symbols;

  for (const build of [huffmanMatrix, plainMatrix]) {
    it(`${build.name}: every mode returns the stored symbols, sequential and random`, () => {
      const wm = build(seq, 31);
      const r = rng(4);
      const order = Array.from({ length: 5000 }, () => Math.floor(r() * seq.length));
      for (const mode of MODES) {
        const a = new CachedAccess(wm, mode);
        for (let i = 0; i < seq.length; i++) expect(a.access(i)).toBe(seq[i]);
        for (const i of order) expect(a.access(i)).toBe(seq[i]);
        // back and forth within a word exercises the slot on both sides
        for (let i = 100; i > 60; i--) expect(a.access(i)).toBe(seq[i]);
        expect(() => a.access(seq.length)).toThrow(/outside/);
      }
    });
  }

  it('sequential scan: per-node cursors miss once per node, the per-level slot misses more, no cache always', () => {
    const wm = huffmanMatrix(seq, 31);
    const stats = Object.fromEntries(MODES.map((mode) => {
      const a = new CachedAccess(wm, mode);
      for (let i = 0; i < seq.length; i++) a.access(i);
      return [mode, a.stats];
    }));
    const ranks = stats.none.misses;
    expect(stats.none.hits).toBe(0);
    for (const mode of MODES) expect(stats[mode].hits + stats[mode].misses).toBe(ranks);
    // a node's first rank misses; later ones are one position after its previous one
    expect(stats.node.misses).toBeLessThanOrEqual(codeTree(wm.code).level.length);
    expect(stats.level.hits).toBeGreaterThan(0);
    expect(stats.level.misses).toBeGreaterThan(10 * stats.node.misses);
  });
});
