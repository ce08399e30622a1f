/**
 * The nodes of a wavelet matrix's code tree and a sequential scan with one cursor per node
 * (docs/WM.md, "per-node cursors"): reading the elements in order, each node's elements are met in
 * its level order (the partition is stable), so the next position of a node is its cursor + 1 and
 * no rank is computed after the node starts are known. This is the reference decoder's walk and
 * the query unit's streaming mode.
 */
import { HwsimError } from '../../errors.js';
import type { BitVector } from './bitvector.js';
import type { Code } from './matrix.js';

export interface CodeTree {
  /** internal nodes, level by level, in prefix order within a level */
  level: Int32Array;
  prefix: Int32Array;
  /** child per bit: a node index ≥ 0, or −1 − symbol for a leaf, or −(1 << 30) for an unused prefix */
  child0: Int32Array;
  child1: Int32Array;
}

export const NO_CHILD = -(1 << 30);

/** The internal nodes (proper prefixes of the codes), root first. */
export function codeTree(code: Code): CodeTree {
  const depth = Math.max(0, ...code.lengths);
  const keys = new Map<number, number>(); // level·2^24 + prefix → node
  const nodes: [number, number][] = [];
  for (let d = 0; d < depth; d++) {
    const prefixes = new Set<number>();
    code.lengths.forEach((len, s) => { if (len > d) prefixes.add(code.codes[s] & (2 ** d - 1)); });
    for (const p of [...prefixes].sort((a, b) => a - b)) {
      keys.set(d * 2 ** 24 + p, nodes.length);
      nodes.push([d, p]);
    }
  }
  const n = nodes.length;
  const tree: CodeTree = {
    level: Int32Array.from(nodes, (x) => x[0]), prefix: Int32Array.from(nodes, (x) => x[1]),
    child0: new Int32Array(n).fill(NO_CHILD), child1: new Int32Array(n).fill(NO_CHILD),
  };
  const leaves = new Map<number, number>();
  code.lengths.forEach((len, s) => { if (len > 0) leaves.set(len * 2 ** 24 + code.codes[s], s); });
  nodes.forEach(([d, p], v) => {
    for (const bit of [0, 1]) {
      const q = p + bit * 2 ** d;
      const key = (d + 1) * 2 ** 24 + q;
      const target = keys.get(key) ?? (leaves.has(key) ? -1 - leaves.get(key)! : NO_CHILD);
      (bit ? tree.child1 : tree.child0)[v] = target;
    }
  });
  return tree;
}

/**
 * Where each node's elements start and end in its level: the root spans level 0; a child's start
 * is rank0(start) (bit 0) or zeros + rank1(start) (bit 1) of its parent. Nodes of one level lie in
 * prefix order, so a node ends where the next one of its level starts (the last at the level's
 * length, the ending codes being cut off after it). Checked: starts never decrease.
 */
export function nodeRanges(tree: CodeTree, levels: BitVector[], zeros: ArrayLike<number>): { start: Int32Array; end: Int32Array } {
  const n = tree.level.length;
  const start = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const l = tree.level[v];
    if (start[v] > levels[l].length) {
      throw new HwsimError(`wm level ${l}: node ${tree.prefix[v]} starts at ${start[v]}, past the level's ${levels[l].length} bits: the level lengths do not match the bitmaps`);
    }
    for (const bit of [0, 1]) {
      const c = bit ? tree.child1[v] : tree.child0[v];
      if (c >= 0) start[c] = bit ? zeros[l] + levels[l].rank1(start[v]) : levels[l].rank0(start[v]);
    }
  }
  const end = new Int32Array(n);
  for (let v = 0; v < n; v++) {
    const last = v + 1 === n || tree.level[v + 1] !== tree.level[v];
    end[v] = last ? levels[tree.level[v]].length : start[v + 1];
    if (end[v] < start[v]) {
      throw new HwsimError(`wm level ${tree.level[v]}: node ${tree.prefix[v]} starts at ${start[v]} after the next one (${end[v]}): the bitmaps do not match the code`);
    }
  }
  return { start, end };
}

/**
 * All n symbols in order with one cursor per node; every position of every level is read exactly
 * once, which is checked (a cursor past its node's end, or a node not used up, is refused).
 */
export function scanAll(n: number, tree: CodeTree, levels: BitVector[], zeros: ArrayLike<number>, only: number): Uint8Array {
  const out = new Uint8Array(n);
  if (tree.level.length === 0) return out.fill(only);
  const { start, end } = nodeRanges(tree, levels, zeros);
  const cursor = start.slice();
  const words = levels.map((b) => b.words);
  const { level, child0, child1 } = tree;
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (;;) {
      const p = cursor[v]++;
      if (p >= end[v]) throw new HwsimError(`wm level ${level[v]}: node ${tree.prefix[v]} is read past its end ${end[v]} at weight ${i}: the bitmaps do not match the code`);
      const bit = (words[level[v]][p >>> 5] >>> (p & 31)) & 1;
      const c = bit ? child1[v] : child0[v];
      if (c >= 0) { v = c; continue; }
      if (c === NO_CHILD) throw new HwsimError(`wm level ${level[v]}: weight ${i} takes an unused code (prefix ${tree.prefix[v] + bit * 2 ** level[v]})`);
      out[i] = -1 - c;
      break;
    }
  }
  for (let v = 0; v < cursor.length; v++) {
    if (cursor[v] !== end[v]) {
      throw new HwsimError(`wm level ${level[v]}: node ${tree.prefix[v]} holds ${end[v] - start[v]} bits but the weights read ${cursor[v] - start[v]}: the level lengths do not match the bitmaps`);
    }
  }
  return out;
}
