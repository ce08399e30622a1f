/**
 * The wavelet matrix over a code: plain (every symbol ⌈log2 σ⌉ bits) or Huffman-shaped (docs/WM.md).
 *
 * Each symbol c has a code of len(c) bits, read LSB first: level l holds bit l of the code of every
 * element still present there. Level l+1 holds the elements of level l whose code is longer than
 * l+1 bits, zeros first then ones (stable): so the order at level d is by the integer value of the
 * d-bit code prefix. The codes are assigned so that at every depth the codes that end there take
 * the largest prefix values (`assignCodes`): the elements that end sit at the end of the next
 * level's order and are simply cut off. access(i) then walks the levels with one rank per level,
 * exactly as in a plain matrix, and a level holds n_l bits, so the bitmaps total Σ n_c·len(c).
 */
import { HwsimError } from '../../errors.js';
import { BitVector, BitVectorBuilder } from './bitvector.js';

export interface Code {
  /** code length per symbol (0 = the symbol does not occur, or it is the only one) */
  lengths: Uint8Array;
  /** code bits per symbol, LSB first */
  codes: Uint32Array;
}

/** longest code the format allows (levels the query unit walks) */
export const MAX_CODE_LENGTH = 24;

export function plainLengths(sigma: number): Uint8Array {
  const bits = sigma <= 1 ? 0 : Math.ceil(Math.log2(sigma));
  return new Uint8Array(sigma).fill(bits);
}

/** Huffman code lengths limited to maxLength (rare counts raised until the tree fits). */
export function huffmanLengths(counts: ArrayLike<number>, maxLength = 20): Uint8Array {
  const sigma = counts.length;
  const present = Array.from(counts, (c, s) => (c > 0 ? s : -1)).filter((s) => s >= 0);
  const lengths = new Uint8Array(sigma);
  if (present.length <= 1) return lengths; // one symbol: zero levels
  for (let floor = 0; ; floor = Math.max(1, 2 * floor)) {
    const w = present.map((s) => Math.max(counts[s], floor));
    // the two-queue Huffman construction over sorted weights
    const order = present.map((_, k) => k).sort((a, b) => w[a] - w[b] || a - b);
    const parent = new Int32Array(2 * present.length - 1);
    const weight = new Float64Array(2 * present.length - 1);
    order.forEach((k, j) => { weight[j] = w[k]; });
    let leaf = 0;
    let inner = present.length;
    let next = present.length;
    const take = () => (leaf < present.length && (inner >= next || weight[leaf] <= weight[inner]) ? leaf++ : inner++);
    while (next < 2 * present.length - 1) {
      const a = take();
      const b = take();
      weight[next] = weight[a] + weight[b];
      parent[a] = next;
      parent[b] = next;
      next++;
    }
    const depth = new Int32Array(2 * present.length - 1);
    for (let v = 2 * present.length - 3; v >= 0; v--) depth[v] = depth[parent[v]] + 1;
    let longest = 0;
    order.forEach((k, j) => { lengths[present[k]] = depth[j]; longest = Math.max(longest, depth[j]); });
    if (longest <= maxLength) return lengths;
  }
}

/**
 * Codes for the given lengths such that, at every depth d, the codes of length d are the largest
 * d-bit prefixes still free (the wavelet-matrix order condition above). Lengths must satisfy Kraft.
 * Symbols of equal length take codes in symbol order, so the code follows from the lengths alone.
 */
export function assignCodes(lengths: Uint8Array): Code {
  const codes = new Uint32Array(lengths.length);
  let free = [0];
  const maxLen = Math.max(0, ...lengths);
  for (let d = 1; d <= maxLen; d++) {
    const next: number[] = [];
    for (const p of free) next.push(p, p + 2 ** (d - 1));
    next.sort((a, b) => a - b);
    const ending = [];
    for (let s = 0; s < lengths.length; s++) if (lengths[s] === d) ending.push(s);
    if (ending.length > next.length) throw new HwsimError(`code lengths break the Kraft inequality at length ${d}`);
    const leaves = next.slice(next.length - ending.length);
    ending.forEach((s, k) => { codes[s] = leaves[k]; });
    free = next.slice(0, next.length - ending.length);
  }
  return { lengths, codes };
}

export class WaveletMatrix {
  /** one bit vector per level */
  readonly levels: BitVector[];
  /** zeros of each level (where the ones start in the next level's order) */
  readonly zeros: number[];
  /** leaf lookup per depth: prefix value → symbol, or -1 */
  private readonly leafOf: Int32Array[];
  /** code value at which leaves start, per depth (every prefix ≥ it is a leaf) */
  readonly leafStart: number[];

  constructor(readonly length: number, readonly code: Code, levels: BitVector[]) {
    this.levels = levels;
    this.zeros = levels.map((b) => b.length - b.ones);
    const depth = levels.length;
    this.leafOf = [];
    this.leafStart = [];
    for (let d = 0; d <= depth; d++) {
      const t = new Int32Array(d <= 16 ? 1 << d : 0).fill(-1);
      this.leafOf.push(t);
      this.leafStart.push(Infinity);
    }
    this.single = -1;
    code.lengths.forEach((len, s) => {
      if (len === 0) return;
      if (len <= 16) this.leafOf[len][code.codes[s]] = s;
      this.leafStart[len] = Math.min(this.leafStart[len], code.codes[s]);
    });
    if (depth === 0 && length > 0) this.single = code.lengths.length === 1 ? 0 : -1;
  }

  /** the only symbol of a zero-level matrix (set by the builder) */
  single: number;

  /** Builds the matrix of `symbols` (each < code.lengths.length) over `code`. */
  static build(symbols: Uint8Array, code: Code): WaveletMatrix {
    const depth = Math.max(0, ...code.lengths);
    let seq = Array.from(symbols);
    let single = -1;
    for (const s of seq) {
      if (s >= code.lengths.length) throw new HwsimError(`symbol ${s} is outside the alphabet of ${code.lengths.length}`);
      if (depth > 0 && code.lengths[s] === 0) throw new HwsimError(`symbol ${s} has no code`);
      if (depth === 0) {
        if (single >= 0 && s !== single) throw new HwsimError('a zero-level matrix holds one symbol only');
        single = s;
      }
    }
    const levels: BitVector[] = [];
    for (let l = 0; l < depth; l++) {
      const b = new BitVectorBuilder(seq.length);
      const zeros: number[] = [];
      const ones: number[] = [];
      for (const s of seq) {
        const bit = (code.codes[s] >>> l) & 1;
        b.push(bit);
        if (code.lengths[s] > l + 1) (bit ? ones : zeros).push(s);
      }
      levels.push(b.build());
      seq = zeros.concat(ones);
    }
    const wm = new WaveletMatrix(symbols.length, code, levels);
    if (depth === 0) wm.single = single;
    return wm;
  }

  private leaf(d: number, prefix: number): number {
    if (prefix < this.leafStart[d]) return -1;
    if (d <= 16) return this.leafOf[d][prefix];
    const s = this.code.codes.findIndex((c, k) => c === prefix && this.code.lengths[k] === d);
    return s;
  }

  private checkIndex(i: number, what: string, inclusive = false): void {
    const ok = Number.isInteger(i) && i >= 0 && (inclusive ? i <= this.length : i < this.length);
    if (!ok) {
      throw new HwsimError(`${what}: position ${i} is outside the sequence's 0..${inclusive ? this.length : this.length - 1}` +
        (this.length === 0 && !inclusive ? ' (the sequence is empty)' : ''));
    }
  }

  /** the symbol at position i: one rank per level */
  access(i: number): number {
    this.checkIndex(i, 'access');
    if (this.levels.length === 0) return this.single;
    let prefix = 0;
    for (let l = 0; ; l++) {
      const bv = this.levels[l];
      const bit = (bv.words[i >>> 5] >>> (i & 31)) & 1;
      prefix |= bit << l;
      const s = this.leaf(l + 1, prefix);
      if (s >= 0) return s;
      i = bit ? this.zeros[l] + bv.rank1(i) : bv.rank0(i);
    }
  }

  /** occurrences of c in [0, i) */
  rank(c: number, i: number): number {
    this.checkIndex(i, `rank(${c})`, true);
    if (!(c >= 0 && c < this.code.lengths.length)) return 0;
    if (this.levels.length === 0) return c === this.single ? i : 0;
    const len = this.code.lengths[c];
    if (len === 0) return 0;
    let lo = 0;
    let hi = i;
    for (let l = 0; l < len; l++) {
      const bv = this.levels[l];
      if ((this.code.codes[c] >>> l) & 1) {
        lo = this.zeros[l] + bv.rank1(lo);
        hi = this.zeros[l] + bv.rank1(hi);
      } else {
        lo = bv.rank0(lo);
        hi = bv.rank0(hi);
      }
    }
    return hi - lo;
  }

  /** position of the j-th occurrence of c (j from 0); refuses j ≥ occurrences */
  select(c: number, j: number): number {
    const total = this.rank(c, this.length);
    if (!(Number.isInteger(j) && j >= 0 && j < total)) {
      throw new HwsimError(`select(${c}, ${j}): symbol ${c} occurs ${total} times`);
    }
    if (this.levels.length === 0) return j;
    const len = this.code.lengths[c];
    let lo = 0;
    for (let l = 0; l < len; l++) {
      const bv = this.levels[l];
      lo = (this.code.codes[c] >>> l) & 1 ? this.zeros[l] + bv.rank1(lo) : bv.rank0(lo);
    }
    let p = lo + j;
    for (let l = len - 1; l >= 0; l--) {
      const bv = this.levels[l];
      p = (this.code.codes[c] >>> l) & 1 ? bv.select1(p - this.zeros[l]) : bv.select0(p);
    }
    return p;
  }

  /** bits of the bitmaps, and of bitmaps plus rank directories */
  get bitmapBits(): number { return this.levels.reduce((s, b) => s + b.length, 0); }
  get storedBits(): number { return this.levels.reduce((s, b) => s + b.storedBits, 0); }
}

export function plainMatrix(symbols: Uint8Array, sigma: number): WaveletMatrix {
  return WaveletMatrix.build(symbols, assignCodes(plainLengths(sigma)));
}

export function huffmanMatrix(symbols: Uint8Array, sigma: number): WaveletMatrix {
  const counts = new Float64Array(sigma);
  for (const s of symbols) {
    if (s >= sigma) throw new HwsimError(`symbol ${s} is outside the alphabet of ${sigma}`);
    counts[s]++;
  }
  return WaveletMatrix.build(symbols, assignCodes(huffmanLengths(counts)));
}
