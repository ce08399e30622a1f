/**
 * The query port's cycle model (src/chip/wm-access.ts): its answers are the reference's, its cycle
 * count follows two ways (from the cache's rank counts, and from the code length of each answered
 * symbol), and the rank cache options behave as docs/WM.md says: per-node cursors make a
 * sequential scan nearly rank-free, random positions gain nothing.
 */
import { describe, expect, it } from 'vitest';
import { wmAccessCycles } from '../src/chip/wm-access.js';
import { huffmanMatrix, plainMatrix } from '../src/codecs/wm/matrix.js';
import { quantize } from '../src/codecs/quant/index.js';
import { laplace, rng } from './laplace.js';

const n = 20_000;
const symbols = quantize(laplace(n, 0.05, 3), 31).symbols;
const random = (() => { const r = rng(9); return Int32Array.from({ length: n }, () => Math.floor(r() * n)); })();
const sequential = Int32Array.from({ length: n }, (_, i) => i);

describe('wm query port cycle model', () => {
  for (const [shape, wm] of [['Huffman-shaped', huffmanMatrix(symbols, 31)], ['plain', plainMatrix(symbols, 31)]] as const) {
    for (const [order, pos] of [['sequential', sequential], ['random', random]] as const) {
      it(`${shape}, ${order}: answers as the reference, cycles = Σ code lengths + misses, for every cache option`, () => {
        const lens = wm.code.lengths;
        for (const mode of ['none', 'level', 'node'] as const) {
          const f = wmAccessCycles(wm, pos, mode);
          let codeBits = 0;
          for (let k = 0; k < pos.length; k++) {
            expect(f.symbols[k]).toBe(symbols[pos[k]]);
            codeBits += lens[f.symbols[k]];
          }
          expect(f.accesses).toBe(pos.length);
          expect(f.levels).toBe(codeBits);
          expect(f.ranks).toBe(codeBits - pos.length);
          expect(f.cycles).toBe(codeBits + f.misses);
          if (mode === 'none') expect(f.hits).toBe(0);
        }
        const none = wmAccessCycles(wm, pos, 'none');
        const node = wmAccessCycles(wm, pos, 'node');
        if (order === 'sequential') {
          // the per-node cursors: only each node's first element misses
          expect(node.hits / node.ranks).toBeGreaterThan(0.99);
          expect(node.cycles).toBeLessThan(none.cycles);
        } else {
          expect(node.hits / node.ranks).toBeLessThan(0.05);
        }
      });
    }
  }
});
